import StockReconCore

/// Turns a stream of JSON events into rows: an object is a row, an array of objects is
/// rows, an object wrapping its rows in an array under one of `rowKeys` is rows, and so are
/// objects one per line. A row's scalar members fill the columns of `header` (keys matched
/// like CSV headers); nested members are skipped. Memory holds one row.
final class FlatJSONRows: JSONEventSink {
    private let file: String
    /// Called before the first row with the keys it has (to check the required ones).
    private let onFirstRow: (Set<String>) throws -> Void
    private let onRow: (SourceRow) throws -> Void
    private(set) var failure: Error?
    /// Everything that changes event by event, in one value: each event costs one
    /// exclusivity check, not one per property (they were a tenth of a JSON import).
    /// Accessed only from yajl's callbacks, one at a time on the reading thread: unchecked,
    /// since the dynamic exclusivity check (and its thread-local access set) cost a tenth of
    /// the reader.
    @exclusivity(unchecked) private var state: FlatRowsState

    init(file: String, header: [String], rowKeys: [String], firstRow: @escaping (Set<String>) throws -> Void, row: @escaping (SourceRow) throws -> Void) {
        self.file = file
        onFirstRow = firstRow
        onRow = row
        state = FlatRowsState(header: header, rowKeys: rowKeys)
    }

    private func check(_ problem: FlatRowsState.Problem?) -> Bool {
        guard let problem else { return true }
        failure = problem.error ?? FileReadError(SourceLocation(file: file, line: problem.line), problem.message)
        return false
    }

    func startObject() -> Bool { check(state.startObject()) }
    func endObject() -> Bool { check(state.endObject(onFirstRow: onFirstRow, onRow: onRow)) }
    func startArray() -> Bool { check(state.startArray()) }
    func endArray() -> Bool { state.endArray(); return true }
    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { state.key(bytes); return true }
    func scalar(_ value: JSONScalar) -> Bool { check(state.scalar(value)) }
    var rowsEmitted: Int { state.rowCount }
    var resumeState: JSONResumeState? { state.resumeState }
    func skipRows(_ count: Int) { state.rowCount += count }
}

private struct FlatRowsState: ~Copyable {
    /// Why reading stopped: a message at a line, or the error a callback threw.
    struct Problem {
        var message = ""
        var line: Int?
        var error: Error?
    }

    private let rowKeys: Set<String>
    /// The columns' names, for messages.
    private let header: [String]
    private let columnOfName: [String: Int]
    private var shape = JSONShape()
    /// Column of each raw key seen so far (-1: not a column); keys repeat row after row.
    private var keyColumns = TextIndex()
    /// Depth of the array whose items are rows, and of the row object being read.
    private var rowsArrayDepth: Int?
    private var rowDepth: Int?
    /// Inside a nested value of a row, down to this depth: skipped.
    private var skipDepth: Int?
    private var isTopLevelRow = false
    private var pendingKey: (column: Int, isRowKey: Bool, name: String) = (-1, false, "")
    var rowCount = 0
    private var presentInFirstRow = Set<String>()
    /// The row's values in arrival order, then laid out in column order for the callback.
    private var arena: [UInt8] = []
    private var spans: [(start: Int, count: Int)]
    private var record = RecordBuffer()

    init(header: [String], rowKeys: [String]) {
        self.rowKeys = Set(rowKeys)
        self.header = header
        var columnOfName: [String: Int] = [:]
        for (index, name) in header.enumerated() where columnOfName[Columns.normalize(name)] == nil {
            columnOfName[Columns.normalize(name)] = index
        }
        self.columnOfName = columnOfName
        spans = Array(repeating: (0, -1), count: header.count)
        arena.reserveCapacity(1024)
    }

    private func fail(_ message: String, line: Int? = nil) -> Problem? {
        Problem(message: message, line: line)
    }

    private mutating func beginRow(depth: Int) {
        rowDepth = depth
        arena.removeAll(keepingCapacity: true)
        for index in spans.indices { spans[index] = (0, -1) }
    }

    mutating func startObject() -> Problem? {
        if let message = shape.begin(isObject: true, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return nil }
        if depth == 1 {
            isTopLevelRow = true
            beginRow(depth: 1)
        } else if let rowsArrayDepth, depth == rowsArrayDepth + 1 {
            beginRow(depth: depth)
        } else if rowDepth != nil {
            if pendingKey.isRowKey, depth == 2 {
                return fail("expected an array of rows under \"\(pendingKey.name)\", found an object")
            }
            if let problem = nestedValueProblem(depth: depth, kind: "an object") { return problem }
            skipDepth = depth
        }
        return nil
    }

    /// A member the format reads holding an object or an array: read as empty, it was told
    /// "the quantity is empty".
    private func nestedValueProblem(depth: Int, kind: String) -> Problem? {
        guard depth == (rowDepth ?? -1) + 1, pendingKey.column >= 0 else { return nil }
        return fail("\(header[pendingKey.column]) holds \(kind), where the format reads a value", line: rowCount + 1)
    }

    mutating func endObject(onFirstRow: (Set<String>) throws -> Void, onRow: (SourceRow) throws -> Void) -> Problem? {
        defer { shape.end() }
        let depth = shape.depth
        if skipDepth == depth {
            skipDepth = nil
            return nil
        }
        if skipDepth != nil { return nil }
        if depth == rowDepth {
            rowDepth = nil
            if depth == 1, !isTopLevelRow { return nil }  // a wrapper, not a row
            return emitRow(onFirstRow: onFirstRow, onRow: onRow)
        }
        return nil
    }

    mutating func startArray() -> Problem? {
        if let message = shape.begin(isObject: false, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return nil }
        if depth == 1 {
            rowsArrayDepth = 1
        } else if depth == 2, isTopLevelRow, pendingKey.isRowKey {
            isTopLevelRow = false  // the top-level object wraps its rows
            rowDepth = nil
            rowsArrayDepth = 2
        } else if let rowsArrayDepth, depth == rowsArrayDepth + 1 {
            return fail("expected an object for each row, found an array", line: rowCount + 1)
        } else if rowDepth != nil {
            if let problem = nestedValueProblem(depth: depth, kind: "an array") { return problem }
            skipDepth = depth
        }
        return nil
    }

    mutating func endArray() {
        defer { shape.end() }
        let depth = shape.depth
        if skipDepth == depth { skipDepth = nil; return }
        if skipDepth != nil { return }
        if depth == rowsArrayDepth { rowsArrayDepth = nil }
    }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        guard skipDepth == nil, shape.depth == rowDepth else { return }
        let key = BorrowedText(bytes)
        let column: Int
        if let known = keyColumns.value(for: key) {
            column = known
        } else {
            column = columnOfName[Columns.normalize(key.string)] ?? -1
            keyColumns[key.string] = column
        }
        let isRowKey = column < 0 && shape.depth == 1 && isTopLevelRow && rowKeys.contains(key.string)
        pendingKey = (column, isRowKey, isRowKey ? key.string : "")
        if rowCount == 0 { presentInFirstRow.insert(key.string) }
    }

    mutating func scalar(_ value: JSONScalar) -> Problem? {
        if let message = shape.begin(isObject: false, isContainer: false) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return nil }
        if depth == 0 { return fail("expected an object or an array of objects, found \(value.kindName)") }
        if depth == rowsArrayDepth { return fail("expected an object for each row, found \(value.kindName)", line: rowCount + 1) }
        guard depth == rowDepth else { return nil }
        if pendingKey.isRowKey { return fail("expected an array of rows under \"\(pendingKey.name)\", found \(value.kindName)") }
        let column = pendingKey.column
        guard column >= 0 else { return nil }
        if spans[column].count >= 0 {
            // Which of the two values holds is not clear (the last was read, silently).
            return fail("\(header[column]) is given twice in one object: keep one", line: rowCount + 1)
        }
        let start = arena.count
        switch value {
        case .string(let bytes), .number(let bytes): arena.append(contentsOf: bytes)
        case .bool(let flag): arena.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: return nil
        }
        spans[column] = (start, arena.count - start)
        return nil
    }

    /// Between rows: where rows lie decides how the rest is read.
    var resumeState: JSONResumeState? {
        guard skipDepth == nil, rowDepth == nil else { return nil }
        return shape.resumeState(SIMD4(rowsArrayDepth ?? -1, isTopLevelRow ? 1 : 0, 0, 0))
    }

    private mutating func emitRow(onFirstRow: (Set<String>) throws -> Void, onRow: (SourceRow) throws -> Void) -> Problem? {
        rowCount += 1
        do {
            if rowCount == 1 { try onFirstRow(presentInFirstRow) }
            record.removeAll()
            arena.withUnsafeBytes { bytes in
                for span in spans {
                    if span.count > 0, let base = bytes.baseAddress {
                        record.append(UnsafeRawBufferPointer(start: base + span.start, count: span.count))
                    } else {
                        record.appendEmpty()
                    }
                }
            }
            try onRow(record.row(line: rowCount, record: rowCount))
        } catch {
            return Problem(error: error)
        }
        return nil
    }
}
