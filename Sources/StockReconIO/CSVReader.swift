import CLibCSV
import StockReconCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// One CSV record, valid only during the callback that receives it.
public struct CSVRecord: RowReading {
    let bytes: UnsafeBufferPointer<UInt8>
    let fieldEnds: UnsafeBufferPointer<Int>
    public let line: Int
    public let record: Int

    public var count: Int { fieldEnds.count }

    public func bytes(_ column: Int) -> UnsafeBufferPointer<UInt8> {
        guard column >= 0, column < fieldEnds.count, let base = bytes.baseAddress else {
            return UnsafeBufferPointer(start: nil, count: 0)
        }
        let start = column == 0 ? 0 : fieldEnds[column - 1]
        return UnsafeBufferPointer(start: base + start, count: fieldEnds[column] - start)
    }

    public func text(_ column: Int) -> String? { value(column)?.string }

    public func value(_ column: Int) -> BorrowedText? {
        let field = bytes(column)
        return field.isEmpty ? nil : BorrowedText(field)
    }
}

/// Reads CSV through libcsv in strict mode, a chunk at a time, in constant memory.
/// libcsv reports no positions, so the reader counts physical lines itself: newlines inside
/// quoted fields and every record terminator (CRLF counted once).
public final class CSVReader {
    public let path: String
    public let displayName: String
    public var chunkSize = 1 << 20
    /// Called with bytes read so far, after each chunk (for progress bars).
    public var onProgress: ((Int) -> Void)?

    public init(path: String, displayName: String? = nil) {
        self.path = path
        self.displayName = displayName ?? path
    }

    /// Calls `header` with the column names, then `row` for each data record. Throws
    /// `FileReadError` for a file that cannot be read, or what `row` throws.
    public func read(header: ([String]) throws -> Void, row: (CSVRecord) throws -> Void) throws {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FileReadError(SourceLocation(file: displayName), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) == 0 else {
            throw FileReadError(SourceLocation(file: displayName), "out of memory starting the CSV parser")
        }
        defer { csv_free(&parser) }
        try withoutActuallyEscaping(header) { header in
            try withoutActuallyEscaping(row) { row in
                // The callbacks reach the state through a raw pointer: no reference counting
                // and no dynamic exclusivity checks on a path taken for every field.
                let state = UnsafeMutablePointer<CSVParseState>.allocate(capacity: 1)
                state.initialize(to: CSVParseState(file: displayName, header: header, row: row))
                defer {
                    state.pointee.bytes.free()
                    state.pointee.fieldEnds.free()
                    state.deinitialize(count: 1)
                    state.deallocate()
                }
                try parse(descriptor: descriptor, parser: &parser, state: state)
            }
        }
    }

    private func parse(descriptor: Int32, parser: inout csv_parser, state: UnsafeMutablePointer<CSVParseState>) throws {
        let context = UnsafeMutableRawPointer(state)
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        var total = 0
        var isFirstChunk = true
        while true {
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                throw FileReadError(SourceLocation(file: displayName), "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            total += count
            try chunk.withUnsafeBytes { buffer in
                guard var start = buffer.baseAddress else { return }
                var length = count
                if isFirstChunk, length >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF {
                    start += 3  // a UTF-8 byte-order mark, as spreadsheets write
                    length -= 3
                }
                let parsed = csv_parse(&parser, start, length, csvFieldCallback, csvRowCallback, context)
                try state.pointee.rethrow()
                if parsed != length { throw state.pointee.parseError(parser: &parser) }
            }
            isFirstChunk = false
            onProgress?(total)
        }
        if csv_fini(&parser, csvFieldCallback, csvRowCallback, context) != 0 {
            try state.pointee.rethrow()
            throw FileReadError(
                SourceLocation(file: displayName, line: state.pointee.recordLine),
                "the file ends inside a quoted field: a closing quote is missing (the file may be cut off)")
        }
        try state.pointee.rethrow()
        if !state.pointee.hasHeader {
            throw FileReadError(SourceLocation(file: displayName), "the file is empty: it has no header row")
        }
    }
}

// MARK: - libcsv callbacks

private let csvFieldCallback: @convention(c) (UnsafeMutableRawPointer?, Int, UnsafeMutableRawPointer?) -> Void = {
    field, length, context in
    context?.assumingMemoryBound(to: CSVParseState.self).pointee.appendField(field, length)
}

private let csvRowCallback: @convention(c) (Int32, UnsafeMutableRawPointer?) -> Void = { terminator, context in
    context?.assumingMemoryBound(to: CSVParseState.self).pointee.endRow(terminator)
}

/// What the callbacks share: the current record, line counting, the first error.
struct CSVParseState {
    let file: String
    let onHeader: ([String]) throws -> Void
    let onRow: (CSVRecord) throws -> Void
    var bytes = GrowableBuffer<UInt8>(capacity: 4096)
    var fieldEnds = GrowableBuffer<Int>(capacity: 64)
    var isASCII = true
    var currentLine = 1
    var recordLine = 1
    var recordNumber = 0
    var headerCount = 0
    var hasHeader = false
    var lastWasCarriageReturn = false
    var error: Error?

    init(file: String, header: @escaping ([String]) throws -> Void, row: @escaping (CSVRecord) throws -> Void) {
        self.file = file
        self.onHeader = header
        self.onRow = row
    }

    func rethrow() throws {
        if let error { throw error }
    }

    func parseError(parser: inout csv_parser) -> FileReadError {
        FileReadError(
            SourceLocation(file: file, line: fieldEnds.isEmpty ? currentLine : recordLine),
            "malformed CSV: a quote inside an unquoted field, or text after a closing quote (\(String(cString: csv_strerror(csv_error(&parser)))))")
    }

    mutating func appendField(_ field: UnsafeMutableRawPointer?, _ length: Int) {
        guard error == nil else { return }
        if fieldEnds.isEmpty { recordLine = currentLine }
        lastWasCarriageReturn = false
        if let field, length > 0 {
            let buffer = UnsafeRawBufferPointer(start: field, count: length)
            currentLine += Self.newlines(in: buffer)
            if isASCII, !Self.isASCII(buffer) { isASCII = false }
            bytes.append(buffer)
        }
        fieldEnds.append(bytes.count)
    }

    /// Newlines inside a (quoted) field; memchr skips fields without any at memory speed.
    static func newlines(in buffer: UnsafeRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var count = 0
        var start = base
        var remaining = buffer.count
        while remaining > 0, let found = memchr(start, 0x0A, remaining) {
            count += 1
            let next = UnsafeRawPointer(found) + 1
            remaining -= next - start
            start = next
        }
        return count
    }

    /// Whether every byte is below 0x80, eight bytes at a time.
    static func isASCII(_ buffer: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        var high: UInt64 = 0
        while index + 8 <= buffer.count {
            high |= buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            index += 8
        }
        while index < buffer.count {
            high |= UInt64(buffer[index])
            index += 1
        }
        return high & 0x8080_8080_8080_8080 == 0
    }

    mutating func endRow(_ terminator: Int32) {
        let isEmpty = fieldEnds.isEmpty
        if terminator == 0x0A {
            if !(isEmpty && lastWasCarriageReturn) { currentLine += 1 }
            lastWasCarriageReturn = false
        } else if terminator == 0x0D {
            currentLine += 1
            lastWasCarriageReturn = true
        }
        if error == nil, !isEmpty, !bytes.isEmpty {  // skip blank rows, and rows of empty fields only
            do {
                try deliver()
            } catch {
                self.error = error
            }
        }
        bytes.removeAll()
        fieldEnds.removeAll()
        isASCII = true
    }

    private mutating func deliver() throws {
        if !isASCII { try checkUTF8() }
        let record = CSVRecord(bytes: bytes.contents, fieldEnds: fieldEnds.contents, line: recordLine, record: recordNumber)
        if !hasHeader {
            hasHeader = true
            headerCount = fieldEnds.count
            try onHeader((0..<record.count).map { record.text($0) ?? "" })
        } else {
            guard fieldEnds.count == headerCount else {
                throw FileReadError(
                    SourceLocation(file: file, line: recordLine),
                    "this row has \(fieldEnds.count) fields but the header has \(headerCount): quote values that contain commas, and give every row the header's columns",
                    context: ["expected_fields": .integer(Int64(headerCount)), "found_fields": .integer(Int64(fieldEnds.count))])
            }
            try onRow(record)
        }
        recordNumber += 1
    }

    private func checkUTF8() throws {
        let record = CSVRecord(bytes: bytes.contents, fieldEnds: fieldEnds.contents, line: recordLine, record: recordNumber)
        for column in 0..<record.count where String(validating: record.bytes(column), as: UTF8.self) == nil {
            throw FileReadError(
                SourceLocation(file: file, line: recordLine, field: "column \(column + 1)"),
                "the file is not valid UTF-8: save it as UTF-8 (in a spreadsheet: CSV UTF-8)",
                input: String(decoding: record.bytes(column), as: UTF8.self))
        }
    }
}

/// A buffer of trivial values that grows by doubling and is reused record after record.
struct GrowableBuffer<Element: BitwiseCopyable> {
    private var storage: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int) {
        self.capacity = capacity
        storage = .allocate(capacity: capacity)
    }

    /// Frees the storage; the owner calls it once, when done.
    func free() { storage.deallocate() }

    var isEmpty: Bool { count == 0 }

    var contents: UnsafeBufferPointer<Element> { UnsafeBufferPointer(start: storage, count: count) }

    mutating func removeAll() { count = 0 }

    mutating func append(_ value: Element) {
        reserve(count + 1)
        storage[count] = value
        count += 1
    }

    mutating func append(_ raw: UnsafeRawBufferPointer) where Element == UInt8 {
        reserve(count + raw.count)
        if let base = raw.baseAddress { (storage + count).update(from: base.assumingMemoryBound(to: UInt8.self), count: raw.count) }
        count += raw.count
    }

    private mutating func reserve(_ needed: Int) {
        guard needed > capacity else { return }
        var newCapacity = capacity * 2
        while newCapacity < needed { newCapacity *= 2 }
        let bigger = UnsafeMutablePointer<Element>.allocate(capacity: newCapacity)
        bigger.update(from: storage, count: count)
        storage.deallocate()
        storage = bigger
        capacity = newCapacity
    }
}
