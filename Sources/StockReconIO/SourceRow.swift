import StockReconCore

/// One record of any source (a CSV record, an XLSX row, a JSON object flattened to columns):
/// its fields' bytes in one buffer, valid only during the callback that receives it.
public struct SourceRow {
    let bytes: UnsafeBufferPointer<UInt8>
    let fieldEnds: UnsafeBufferPointer<Int>
    /// The physical line the record starts on (CSV, XLSX), or its position among the file's rows (JSON).
    public let line: Int
    /// The data record's number, from 1.
    public let record: Int

    public var count: Int { fieldEnds.count }

    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        guard column >= 0, column < fieldEnds.count, let base = bytes.baseAddress else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        let start = column == 0 ? 0 : fieldEnds[column - 1]
        return UnsafeBufferPointer(start: base + start, count: fieldEnds[column] - start)
    }

    /// A field exactly as written (free text); nil when it is empty.
    public func raw(_ column: Int) -> BorrowedText? {
        let field = bytes(column)
        return field.isEmpty ? nil : BorrowedText(field)
    }

    /// A field without surrounding spaces and tabs (ids, numbers, codes); nil when nothing is left.
    public func trimmed(_ column: Int) -> BorrowedText? {
        let field = bytes(column)
        guard var start = field.baseAddress, !field.isEmpty else { return nil }
        var end = start + field.count
        while start < end, start.pointee == 0x20 || start.pointee == 0x09 { start += 1 }
        while end > start, (end - 1).pointee == 0x20 || (end - 1).pointee == 0x09 { end -= 1 }
        return start == end ? nil : BorrowedText(UnsafeBufferPointer(start: start, count: end - start))
    }

    /// The trimmed text of a field, nil when it is empty.
    public func text(_ column: Int) -> String? { trimmed(column)?.string }
}

/// A record being assembled field by field, reused record after record.
struct RecordBuffer: ~Copyable {
    var bytes = GrowableBuffer<UInt8>(capacity: 4096)
    var fieldEnds = GrowableBuffer<Int>(capacity: 64)

    var isEmpty: Bool { fieldEnds.isEmpty }
    /// Fields so far.
    var count: Int { fieldEnds.count }

    mutating func append(_ raw: UnsafeRawBufferPointer) {
        bytes.append(raw)
        fieldEnds.append(bytes.count)
    }

    mutating func appendEmpty() { fieldEnds.append(bytes.count) }

    mutating func removeAll() {
        bytes.removeAll()
        fieldEnds.removeAll()
    }

    func row(line: Int, record: Int) -> SourceRow {
        SourceRow(bytes: bytes.contents, fieldEnds: fieldEnds.contents, line: line, record: record)
    }
}

/// A buffer of trivial values that grows by doubling and is reused record after record.
struct GrowableBuffer<Element: BitwiseCopyable>: ~Copyable {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    deinit { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    var contents: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: storage, count: count) }

    mutating func removeAll() { count = 0 }

    @inline(__always)
    mutating func append(_ value: Element) {
        if count == capacity { grow(to: count + 1) }
        storage[count] = value
        count += 1
    }

    @inline(__always)
    mutating func append(_ raw: UnsafeRawBufferPointer) where Element == UInt8 {
        if count + raw.count > capacity { grow(to: count + raw.count) }
        if let base = raw.baseAddress { (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: raw.count) }
        count += raw.count
    }

    @inline(never)
    private mutating func grow(to needed: Int) {
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }
}

/// Rows held back, their bytes copied, to be given back in order as the rows they were: a
/// batch of rows whose variants are looked up together before any of them is checked.
public struct RowStash {
    private var bytes: [UInt8] = []
    private var ends: [Int] = []
    private var rows: [(bytes: Int, count: Int, ends: Int, fields: Int, line: Int, record: Int)] = []
    /// Rows held at most, and bytes (a row's fields may be a megabyte each).
    static let rowLimit = 1 << 15, byteLimit = 8 << 20

    public init() {}

    public var isEmpty: Bool { rows.isEmpty }
    public var isFull: Bool { rows.count >= Self.rowLimit || bytes.count >= Self.byteLimit }

    public mutating func add(_ row: SourceRow) {
        rows.append((bytes.count, row.bytes.count, ends.count, row.fieldEnds.count, row.line, row.record))
        bytes.append(contentsOf: row.bytes)
        ends.append(contentsOf: row.fieldEnds)
    }

    /// Hands `body` the rows held, in the order they came (valid only during the call); none
    /// are held after.
    public mutating func withRows(_ body: ([SourceRow]) throws -> Void) rethrows {
        try bytes.withUnsafeBufferPointer { bytes in
            try ends.withUnsafeBufferPointer { ends in
                try body(rows.map { row in
                    SourceRow(
                        bytes: UnsafeBufferPointer(rebasing: bytes[row.bytes ..< row.bytes + row.count]),
                        fieldEnds: UnsafeBufferPointer(rebasing: ends[row.ends ..< row.ends + row.fields]),
                        line: row.line, record: row.record)
                })
            }
        }
        bytes.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        rows.removeAll(keepingCapacity: true)
    }
}
