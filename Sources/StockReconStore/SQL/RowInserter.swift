/// Appends many rows to one table in the caller's transaction: on SQLite `rowsPerInsert` rows
/// a statement, bound through `FastStatement`; on PostgreSQL one `COPY … FROM STDIN` for them
/// all, streamed as they come, where a statement a row waited a round trip each. `finish`
/// writes what is held and ends it; another statement on the connection ends a COPY too.
struct RowInserter {
    static let rowsPerInsert = 32
    static let bytesPerSend = 1 << 20
    private let server: PostgresStoreConnection?
    private var single: FastStatement?
    private var multiple: FastStatement?
    private let width: Int
    /// SQLite: rows not yet inserted, `width` values each.
    private var held: [SQLValue] = []
    /// PostgreSQL: COPY text not yet sent.
    private var text: [UInt8] = []

    /// `columns` as SQL names (quoted where a name is a keyword, as for `"user"`).
    init(_ db: any SQLConnection, table: String, columns: [String]) throws {
        server = db.dialect == .postgres ? try db.server() : nil
        width = columns.count
        let names = columns.joined(separator: ", ")
        copySQL = "COPY \(table) (\(names)) FROM STDIN"
        guard server == nil else { return }
        let values = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        single = try FastStatement(db, sql: "INSERT INTO \(table) (\(names)) VALUES \(values)")
        multiple = try FastStatement(
            db, sql: "INSERT INTO \(table) (\(names)) VALUES " + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "))
        held.reserveCapacity(width * Self.rowsPerInsert)
    }

    private let copySQL: String

    mutating func append(_ row: SQLArguments) throws {
        try append(values: row.values)
    }

    /// A row of values as they are (no boxing on the way: for the hottest callers).
    mutating func append(values row: [SQLValue]) throws {
        precondition(row.count == width, "a row of \(row.count) values for \(width) columns")
        guard let server else {
            held += row
            if held.count == width * Self.rowsPerInsert { try insertHeld() }
            return
        }
        // Each value in the text form a statement's parameter takes, escaped for COPY.
        for (index, value) in PostgresStoreConnection.parameters(SQLArguments(row)).enumerated() {
            if index > 0 { text.append(UInt8(ascii: "\t")) }
            guard var value else {
                CopyText.appendNull(to: &text)
                continue
            }
            value.withUTF8 { CopyText.appendEscaped($0, to: &text) }
        }
        text.append(UInt8(ascii: "\n"))
        if text.count >= Self.bytesPerSend { try send(server) }
    }

    /// Writes what is held and ends the COPY, so that every row is in the table.
    mutating func finish() throws {
        guard let server else { return try insertHeld() }
        try send(server)
        try server.endCopy()
    }

    /// Inserts the held rows: a full batch by one statement, fewer one a row.
    private mutating func insertHeld() throws {
        defer { held.removeAll(keepingCapacity: true) }
        guard !held.isEmpty else { return }
        if held.count == width * Self.rowsPerInsert {
            multiple?.reset()
            for (offset, value) in held.enumerated() { multiple?.bind(value, at: Int32(offset + 1)) }
            try multiple?.step()
            return
        }
        for start in stride(from: 0, to: held.count, by: width) {
            single?.reset()
            for offset in 0..<width { single?.bind(held[start + offset], at: Int32(offset + 1)) }
            try single?.step()
        }
    }

    private mutating func send(_ server: PostgresStoreConnection) throws {
        guard !text.isEmpty else { return }
        try server.streamCopy(copySQL, text)
        text.removeAll(keepingCapacity: true)
    }
}
