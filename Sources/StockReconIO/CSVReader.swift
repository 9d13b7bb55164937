import CLibCSV
import StockReconCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads CSV through libcsv in strict mode, a chunk at a time, in constant memory. Fields
/// are kept as written (libcsv trims no spaces: free text is exact; ids are trimmed where
/// they are matched). libcsv reports no positions, so the reader counts physical lines
/// itself: newlines inside quoted fields and every record terminator (CRLF counted once).
public final class CSVReader {
    public let path: String
    public let displayName: String
    /// The field separator: `,`, `;` or a tab.
    public let separator: UInt8
    public var chunkSize = 1 << 20
    /// Called with bytes read so far, after each chunk (for progress bars).
    public var onProgress: ((Int) -> Void)?
    /// Asked once the header is read: the only columns rows need (nil: all). The others are
    /// still checked (UTF-8, line count) but left empty, not copied.
    public var columnsRead: (() -> Set<Int>?)?

    public init(path: String, displayName: String? = nil, separator: UInt8 = UInt8(ascii: ",")) {
        self.path = path
        self.displayName = displayName ?? path
        self.separator = separator
    }

    /// The separator of a file's header line: the most frequent of `,`, `;` and tab outside
    /// quotes (a comma when there is none).
    public static func sniffSeparator(path: String) -> UInt8 {
        guard InputFile.irregularity(of: path, displayName: path) == nil else { return UInt8(ascii: ",") }
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else { return UInt8(ascii: ",") }
        defer { Glibc.close(descriptor) }
        var head = [UInt8](repeating: 0, count: 64 * 1024)
        let count = head.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
        var counts: [UInt8: Int] = [UInt8(ascii: ","): 0, UInt8(ascii: ";"): 0, 0x09: 0]
        var isQuoted = false
        for byte in head.prefix(max(0, count)) {
            if byte == UInt8(ascii: "\"") { isQuoted.toggle() }
            if isQuoted { continue }
            if byte == 0x0A || byte == 0x0D { break }
            if counts[byte] != nil { counts[byte, default: 0] += 1 }
        }
        let best = counts.max { ($0.value, $0.key == UInt8(ascii: ",") ? 1 : 0) < ($1.value, $1.key == UInt8(ascii: ",") ? 1 : 0) }
        return (best?.value ?? 0) > 0 ? best?.key ?? UInt8(ascii: ",") : UInt8(ascii: ",")
    }

    /// Calls `header` with the column names, then `row` for each data record. Throws
    /// `FileReadError` for a file that cannot be read, or what `row` throws. With `resume`
    /// (from an earlier file whose bytes this one begins with, up to `resume.end`), only the
    /// header and the bytes after `resume.end` are read. Returns where a later file with this
    /// one's bytes may resume: after its last row, when it ends with a newline.
    @discardableResult
    public func read(
        header: ([String]) throws -> Void, row: (SourceRow) throws -> Void, resumingAt resume: ResumePoint? = nil
    ) throws -> ResumePoint? {
        try withoutActuallyEscaping(header) { header in
            try withoutActuallyEscaping(row) { row in
                // The callbacks reach the state through a raw pointer: no reference counting
                // and no dynamic exclusivity checks on a path taken for every field.
                let state = UnsafeMutablePointer<CSVParseState>.allocate(capacity: 1)
                state.initialize(to: CSVParseState(file: displayName, header: header, row: row, columnsRead: columnsRead))
                defer {
                    state.deinitialize(count: 1)
                    state.deallocate()
                }
                var from = 0
                if let resume {
                    state.pointee.stopsAfterHeader = true
                    do {
                        _ = try parse(state, from: 0, chunkSize: 64 << 10, progress: nil)
                    } catch is CSVParseState.HeaderRead {
                        state.pointee.resume(at: resume)
                    }
                    from = resume.end
                }
                let (end, lastByte) = try parse(state, from: from, chunkSize: chunkSize, progress: onProgress)
                guard lastByte == 0x0A, state.pointee.recordNumber > 1 else { return nil }
                return ResumePoint(
                    firstEnd: 0, firstRows: 0, end: end, rows: state.pointee.recordNumber - 1, nextLine: state.pointee.currentLine)
            }
        }
    }

    /// Parses the file from `offset` to its end; returns the offset of its end and its last byte.
    private func parse(
        _ state: UnsafeMutablePointer<CSVParseState>, from offset: Int, chunkSize: Int, progress: ((Int) -> Void)?
    ) throws -> (end: Int, lastByte: UInt8?) {
        var parser = csv_parser()
        guard csv_init(&parser, UInt8(CSV_STRICT | CSV_STRICT_FINI | CSV_REPALL_NL)) == 0 else {
            throw FileReadError(SourceLocation(file: displayName), "out of memory starting the CSV parser")
        }
        defer { csv_free(&parser) }
        csv_set_delim(&parser, separator)
        csv_set_space_func(&parser, { _ in 0 })  // no byte is a space to trim: fields stay exact
        let context = UnsafeMutableRawPointer(state)
        var lastByte: UInt8?
        let end = try FileChunks.read(
            path: path, displayName: displayName, chunkSize: chunkSize, range: offset ..< Int.max, skippingByteOrderMark: true,
            onProgress: progress
        ) { chunk, _ in
            let parsed = csv_parse(&parser, chunk.baseAddress, chunk.count, csvFieldCallback, csvRowCallback, context)
            try state.pointee.rethrow()
            if parsed != chunk.count { throw state.pointee.parseError(parser: &parser) }
            lastByte = chunk.last ?? lastByte
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
        return (end, lastByte)
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
struct CSVParseState: ~Copyable {
    let file: String
    let onHeader: ([String]) throws -> Void
    let onRow: (SourceRow) throws -> Void
    let columnsRead: (() -> Set<Int>?)?
    /// Per column after the header: whether rows leave it out (a buffer: no reference
    /// counting on a path taken for every field).
    var isSkipped = UnsafeMutableBufferPointer<Bool>(start: nil, count: 0)
    var record = RecordBuffer()
    var isASCII = true
    /// Some field of the record has a byte other than a space or a tab.
    var hasContent = false
    var currentLine = 1
    var recordLine = 1
    var recordNumber = 0
    var headerCount = 0
    var hasHeader = false
    var lastWasCarriageReturn = false
    var error: Error?
    /// Reading only the header, to resume after an earlier file's rows: `HeaderRead` stops it.
    var stopsAfterHeader = false

    struct HeaderRead: Error {}

    init(
        file: String, header: @escaping ([String]) throws -> Void, row: @escaping (SourceRow) throws -> Void,
        columnsRead: (() -> Set<Int>?)? = nil
    ) {
        self.file = file
        self.onHeader = header
        self.onRow = row
        self.columnsRead = columnsRead
    }

    deinit { isSkipped.deallocate() }

    func rethrow() throws {
        if let error { throw error }
    }

    /// After the header alone: go on as after an earlier file's `resume.rows` rows.
    mutating func resume(at point: ResumePoint) {
        error = nil
        stopsAfterHeader = false
        record.removeAll()
        isASCII = true
        hasContent = false
        lastWasCarriageReturn = false
        currentLine = point.nextLine
        recordNumber = point.rows + 1
    }

    func parseError(parser: inout csv_parser) -> FileReadError {
        FileReadError(
            SourceLocation(file: file, line: record.isEmpty ? currentLine : recordLine),
            "malformed CSV: a quote inside an unquoted field, or text after a closing quote (\(String(cString: csv_strerror(csv_error(&parser)))))")
    }

    mutating func appendField(_ field: UnsafeMutableRawPointer?, _ length: Int) {
        guard error == nil else { return }
        if record.isEmpty { recordLine = currentLine }
        lastWasCarriageReturn = false
        guard let field, length > 0 else {
            record.appendEmpty()
            return
        }
        let buffer = UnsafeRawBufferPointer(start: field, count: length)
        let scan = Self.scan(buffer, knowingContent: hasContent)
        currentLine += scan.newlines
        if scan.hasContent { hasContent = true }
        let column = record.count
        if column < isSkipped.count, isSkipped[column] {
            if !scan.isASCII, String(validating: buffer, as: UTF8.self) == nil {
                error = Self.notUTF8(file: file, line: recordLine, column: column, bytes: buffer)
            }
            record.appendEmpty()
            return
        }
        if !scan.isASCII { isASCII = false }
        record.append(buffer)
    }

    /// A field's newlines, whether it is ASCII and whether it has a byte other than a space or
    /// a tab: eight bytes at a time, the newlines counted exactly by a zero-byte test.
    @inline(__always)
    static func scan(_ buffer: UnsafeRawBufferPointer, knowingContent: Bool = false) -> (newlines: Int, isASCII: Bool, hasContent: Bool) {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let low7: UInt64 = 0x7F7F_7F7F_7F7F_7F7F
        var newlines = 0
        var high: UInt64 = 0
        var index = 0
        while index + 8 <= buffer.count {
            let word = buffer.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            high |= word
            let x = word ^ (ones &* 0x0A)
            // A byte of x is zero exactly where the word has a newline: its top bit set here.
            let zeros = ~(((x & low7) &+ low7) | x | low7)
            newlines += zeros.nonzeroBitCount
            index += 8
        }
        while index < buffer.count {
            let byte = buffer.load(fromByteOffset: index, as: UInt8.self)
            high |= UInt64(byte)
            newlines &+= byte == 0x0A ? 1 : 0
            index += 1
        }
        let hasContent = knowingContent || buffer.contains { $0 != 0x20 && $0 != 0x09 }
        return (newlines, high & 0x8080_8080_8080_8080 == 0, hasContent)
    }

    static func notUTF8(file: String, line: Int, column: Int, bytes: UnsafeRawBufferPointer) -> FileReadError {
        FileReadError(
            SourceLocation(file: file, line: line, field: "column \(column + 1)"),
            "the file is not valid UTF-8: save it as UTF-8 (in a spreadsheet: CSV UTF-8)",
            input: String(decoding: bytes, as: UTF8.self))
    }

    mutating func endRow(_ terminator: Int32) {
        let isEmpty = record.isEmpty
        if terminator == 0x0A {
            if !(isEmpty && lastWasCarriageReturn) { currentLine += 1 }
            lastWasCarriageReturn = false
        } else if terminator == 0x0D {
            currentLine += 1
            lastWasCarriageReturn = true
        }
        if error == nil, !isEmpty, hasContent {  // skip blank rows, and rows of blank fields only
            do {
                try deliver()
            } catch {
                self.error = error
            }
        }
        record.removeAll()
        isASCII = true
        hasContent = false
    }

    private mutating func deliver() throws {
        let row = record.row(line: recordLine, record: recordNumber)
        if !isASCII { try checkUTF8(row) }
        if !hasHeader {
            hasHeader = true
            headerCount = row.count
            try onHeader((0..<row.count).map { row.text($0) ?? "" })
            if let read = columnsRead?(), isSkipped.isEmpty {
                isSkipped = .allocate(capacity: row.count)
                for column in 0 ..< row.count { isSkipped[column] = !read.contains(column) }
            }
            if stopsAfterHeader { throw HeaderRead() }
        } else {
            guard row.count == headerCount else {
                throw FileReadError(
                    SourceLocation(file: file, line: recordLine),
                    "this row has \(row.count) fields but the header has \(headerCount): quote values that contain the separator, and give every row the header's columns",
                    context: ["expected_fields": .integer(Int64(headerCount)), "found_fields": .integer(Int64(row.count))])
            }
            try onRow(row)
        }
        recordNumber += 1
    }

    private func checkUTF8(_ row: SourceRow) throws {
        for column in 0..<row.count where String(validating: row.bytes(column), as: UTF8.self) == nil {
            throw Self.notUTF8(file: file, line: recordLine, column: column, bytes: UnsafeRawBufferPointer(row.bytes(column)))
        }
    }
}
