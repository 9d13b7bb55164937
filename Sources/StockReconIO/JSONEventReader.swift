import CYAJL
import StockReconCore

#if canImport(Glibc)
import Glibc
#endif

/// One scalar of a JSON document, its bytes lent for the time of the callback. Numbers keep
/// their exact decimal text: money and quantities never pass through a binary float.
enum JSONScalar {
    case string(UnsafeBufferPointer<UInt8>)
    case number(UnsafeBufferPointer<UInt8>)
    case bool(Bool)
    case null

    var isNull: Bool {
        if case .null = self { return true }
        return false
    }

    var kindName: String {
        switch self {
        case .string: return "a string"
        case .number: return "a number"
        case .bool: return "a boolean"
        case .null: return "null"
        }
    }
}

/// What a JSON document's events go to. Each method returns false to stop, after setting
/// `failure`. Rows are emitted when an object ends.
protocol JSONEventSink: AnyObject {
    var failure: Error? { get }
    /// Rows emitted so far, with those skipped.
    var rowsEmitted: Int { get }
    /// After a record's rows: what decides how the bytes after it are read, or nil when
    /// reading may not resume here.
    var resumeState: JSONResumeState? { get }
    /// A resumed read left out this many rows: number the next ones after them.
    func skipRows(_ count: Int)
    func startObject() -> Bool
    func endObject() -> Bool
    func startArray() -> Bool
    func endArray() -> Bool
    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool
    func scalar(_ value: JSONScalar) -> Bool
}

/// Streams a JSON file through yajl (Debian's libyajl), a chunk at a time, in memory that
/// does not grow with the file. Strings are checked as UTF-8; a UTF-8 byte-order mark is
/// skipped. Several top-level values are read (for JSON lines); the sink decides which may follow.
struct JSONEventReader {
    let path: String
    let displayName: String
    var chunkSize = 1 << 20
    var onProgress: ((Int) -> Void)?

    init(path: String, displayName: String) {
        self.path = path
        self.displayName = displayName
    }

    /// A reader of an import's file, reporting bytes read to `progress`.
    init(_ file: InputFile, progress: ((Int) -> Void)?) {
        self.init(path: file.path, displayName: file.displayName)
        onProgress = progress
    }

    /// Reads the file into `sink`. With `resume` (from an earlier file whose bytes this one
    /// begins with, up to `resume.end`), the bytes between the first and the last record of
    /// that file are not read. Returns where a later file with this one's bytes may resume.
    @discardableResult
    func read(into sink: JSONEventSink, resumingAt resume: ResumePoint? = nil) throws -> ResumePoint? {
        let box = SinkBox(sink)
        let context = Unmanaged.passRetained(box).toOpaque()
        defer { Unmanaged<SinkBox>.fromOpaque(context).release() }
        guard let handle = withUnsafePointer(to: Self.callbacks, { yajl_alloc($0, nil, context) }) else {
            throw FileReadError(SourceLocation(file: displayName), "out of memory starting the JSON parser")
        }
        defer { yajl_free(handle) }
        box.handle = handle
        _ = yajl_config_allow_multiple_values(handle)
        let parse = { (chunk: UnsafeBufferPointer<UInt8>, offset: Int) throws in
            guard let start = chunk.baseAddress else { return }
            box.chunkStart = offset
            // yajl takes form feeds and vertical tabs for white space; JSON does not,
            // and inside a string they are unescaped control characters: never valid.
            let found = [memchr(start, 0x0C, chunk.count), memchr(start, 0x0B, chunk.count)]
                .compactMap { $0 }.map { UnsafeRawPointer($0) - UnsafeRawPointer(start) }
            if let invalid = found.min() {
                throw FileReadError(
                    SourceLocation(file: displayName, line: FileChunks.line(atOffset: offset + invalid, path: path)),
                    "malformed JSON on this line: a form feed or vertical tab, which JSON allows neither between values nor unescaped in strings")
            }
            if yajl_parse(handle, start, chunk.count) != yajl_status_ok {
                if let failure = sink.failure { throw failure }
                let consumed = min(Int(yajl_get_bytes_consumed(handle)), chunk.count)
                throw malformed(handle, start, chunk.count, line: FileChunks.line(atOffset: offset + consumed, path: path))
            }
        }
        var tail = 0 ..< Int.max
        if let resume {
            try FileChunks.read(
                path: path, displayName: displayName, chunkSize: chunkSize, range: 0 ..< resume.firstEnd, skippingByteOrderMark: true,
                parse)
            guard box.ends.rows == resume.firstRows, box.ends.lastEnd == resume.firstEnd else {
                throw FileReadError(
                    SourceLocation(file: displayName),
                    "stockrecon could not resume after the first record of the earlier file this one begins with: please report it; `import --no-resume` reads the whole file")
            }
            sink.skipRows(resume.skippedRows)
            box.ends.skipped(resume.skippedRows)
            tail = resume.end ..< Int.max
        }
        let total = try FileChunks.read(
            path: path, displayName: displayName, chunkSize: chunkSize, range: tail, skippingByteOrderMark: true,
            onProgress: onProgress, parse)
        if yajl_complete_parse(handle) != yajl_status_ok {
            if let failure = sink.failure { throw failure }
            throw FileReadError(
                SourceLocation(file: displayName, line: FileChunks.line(atOffset: total, path: path)),
                "malformed JSON: the file ends inside a value (it may be cut off)")
        }
        if total == 0 {
            throw FileReadError(SourceLocation(file: displayName), "the file is empty: expected a JSON object, an array of objects, or one object per line")
        }
        return box.ends.resumePoint
    }

    private func malformed(_ handle: yajl_handle, _ start: UnsafePointer<UInt8>, _ length: Int, line: Int) -> FileReadError {
        var reason = "invalid JSON"
        if let message = yajl_get_error(handle, 0, start, length) {
            reason = String(cString: message).trimmingCharacters(in: " \n")
            yajl_free_error(handle, message)
        }
        return FileReadError(
            SourceLocation(file: displayName, line: line),
            "malformed JSON on this line (\(reason)): a JSON file holds one object, an array of objects, or one object per line")
    }

    /// What the callbacks reach: the sink, and where in the file the parser is.
    private final class SinkBox {
        /// Unowned: `read(into:)` holds the sink for as long as the parser runs, and a strong
        /// reference was retained and released on every event.
        unowned(unsafe) let sink: JSONEventSink
        var handle: yajl_handle?
        var chunkStart = 0
        var ends = RecordEnds()
        init(_ sink: JSONEventSink) { self.sink = sink }

        /// An object ended: if it emitted rows, a record ended after its closing brace.
        func objectEnded() {
            let rows = sink.rowsEmitted
            guard rows != ends.rows, let handle else { return }
            ends.recordEnded(at: chunkStart + Int(yajl_get_bytes_consumed(handle)), rows: rows, state: sink.resumeState)
        }
    }

    private static func box(_ context: UnsafeMutableRawPointer?) -> SinkBox? {
        context.map { Unmanaged<SinkBox>.fromOpaque($0).takeUnretainedValue() }
    }

    private static func sink(_ context: UnsafeMutableRawPointer?) -> JSONEventSink? { box(context)?.sink }

    private static func result(_ flag: Bool?) -> Int32 { flag == true ? 1 : 0 }

    private static let callbacks = yajl_callbacks(
        yajl_null: { result(sink($0)?.scalar(.null)) },
        yajl_boolean: { result(sink($0)?.scalar(.bool($1 != 0))) },
        yajl_integer: nil,
        yajl_double: nil,
        yajl_number: { context, text, length in
            let bytes = UnsafeRawPointer(text).map { UnsafeBufferPointer(start: $0.assumingMemoryBound(to: UInt8.self), count: length) }
            return result(sink(context)?.scalar(.number(bytes ?? UnsafeBufferPointer(start: nil, count: 0))))
        },
        yajl_string: { context, text, length in
            result(sink(context)?.scalar(.string(UnsafeBufferPointer(start: text, count: length))))
        },
        yajl_start_map: { result(sink($0)?.startObject()) },
        yajl_map_key: { context, text, length in
            result(sink(context)?.key(UnsafeBufferPointer(start: text, count: length)))
        },
        yajl_end_map: { context in
            guard let box = box(context) else { return 0 }
            let ok = box.sink.endObject()
            box.objectEnded()
            return result(ok)
        },
        yajl_start_array: { result(sink($0)?.startArray()) },
        yajl_end_array: { result(sink($0)?.endArray()) })
}
