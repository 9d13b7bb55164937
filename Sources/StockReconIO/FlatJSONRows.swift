import StockReconCore

/// Turns a stream of JSON events into rows: an object is a row, an array of objects is
/// rows, an object wrapping its rows in an array under one of `rowKeys` is rows, and so are
/// objects one per line. A row's scalar members fill the columns of `header` (keys matched
/// like CSV headers); nested members are skipped. Memory holds one row.
final class FlatJSONRows: JSONEventSink {
    private let file: String
    private let header: [String]
    private let rowKeys: Set<String>
    /// Called before the first row with the keys it has (to check the required ones).
    private let onFirstRow: (Set<String>) throws -> Void
    private let onRow: (SourceRow) throws -> Void
    private(set) var failure: Error?

    private var shape = JSONShape()
    /// Column of each raw key seen so far (-1: not a column); keys repeat row after row.
    private var keyColumns = TextIndex()
    private let columnOfName: [String: Int]
    /// Depth of the array whose items are rows, and of the row object being read.
    private var rowsArrayDepth: Int?
    private var rowDepth: Int?
    /// Inside a nested value of a row, down to this depth: skipped.
    private var skipDepth: Int?
    private var isTopLevelRow = false
    private var pendingKey: (column: Int, isRowKey: Bool, name: String) = (-1, false, "")
    private var rowCount = 0
    private var presentInFirstRow = Set<String>()
    /// The row's values in arrival order, then laid out in column order for the callback.
    private var arena: [UInt8] = []
    private var spans: [(start: Int, count: Int)]
    private var record = RecordBuffer()

    init(file: String, header: [String], rowKeys: [String], firstRow: @escaping (Set<String>) throws -> Void, row: @escaping (SourceRow) throws -> Void) {
        self.file = file
        self.header = header
        self.rowKeys = Set(rowKeys)
        onFirstRow = firstRow
        onRow = row
        var columnOfName: [String: Int] = [:]
        for (index, name) in header.enumerated() where columnOfName[Columns.normalize(name)] == nil {
            columnOfName[Columns.normalize(name)] = index
        }
        self.columnOfName = columnOfName
        spans = Array(repeating: (0, -1), count: header.count)
        arena.reserveCapacity(1024)
    }

    private func fail(_ message: String, line: Int? = nil) -> Bool {
        failure = FileReadError(SourceLocation(file: file, line: line), message)
        return false
    }

    private func beginRow(depth: Int) {
        rowDepth = depth
        arena.removeAll(keepingCapacity: true)
        for index in spans.indices { spans[index] = (0, -1) }
    }

    func startObject() -> Bool {
        if let message = shape.begin(isObject: true, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return true }
        if depth == 1 {
            isTopLevelRow = true
            beginRow(depth: 1)
        } else if let rowsArrayDepth, depth == rowsArrayDepth + 1 {
            beginRow(depth: depth)
        } else if rowDepth != nil {
            if pendingKey.isRowKey, depth == 2 {
                return fail("expected an array of rows under \"\(pendingKey.name)\", found an object")
            }
            skipDepth = depth
        }
        return true
    }

    func endObject() -> Bool {
        defer { shape.end() }
        let depth = shape.depth
        if skipDepth == depth {
            skipDepth = nil
            return true
        }
        if skipDepth != nil { return true }
        if depth == rowDepth {
            rowDepth = nil
            if depth == 1, !isTopLevelRow { return true }  // a wrapper, not a row
            return emitRow()
        }
        return true
    }

    func startArray() -> Bool {
        if let message = shape.begin(isObject: false, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return true }
        if depth == 1 {
            rowsArrayDepth = 1
        } else if depth == 2, isTopLevelRow, pendingKey.isRowKey {
            isTopLevelRow = false  // the top-level object wraps its rows
            rowDepth = nil
            rowsArrayDepth = 2
        } else if let rowsArrayDepth, depth == rowsArrayDepth + 1 {
            return fail("expected an object for each row, found an array", line: rowCount + 1)
        } else if rowDepth != nil {
            skipDepth = depth
        }
        return true
    }

    func endArray() -> Bool {
        defer { shape.end() }
        let depth = shape.depth
        if skipDepth == depth { skipDepth = nil; return true }
        if skipDepth != nil { return true }
        if depth == rowsArrayDepth { rowsArrayDepth = nil }
        return true
    }

    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard skipDepth == nil, shape.depth == rowDepth else { return true }
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
        return true
    }

    func scalar(_ value: JSONScalar) -> Bool {
        if let message = shape.begin(isObject: false, isContainer: false) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if skipDepth != nil { return true }
        if depth == 0 { return fail("expected an object or an array of objects, found \(value.kindName)") }
        if depth == rowsArrayDepth { return fail("expected an object for each row, found \(value.kindName)", line: rowCount + 1) }
        guard depth == rowDepth else { return true }
        if pendingKey.isRowKey { return fail("expected an array of rows under \"\(pendingKey.name)\", found \(value.kindName)") }
        let column = pendingKey.column
        guard column >= 0 else { return true }
        let start = arena.count
        switch value {
        case .string(let bytes), .number(let bytes): arena.append(contentsOf: bytes)
        case .bool(let flag): arena.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: return true
        }
        spans[column] = (start, arena.count - start)
        return true
    }

    private func emitRow() -> Bool {
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
            failure = error
            return false
        }
        return true
    }
}
