/// Appends many rows to one table in the caller's transaction: on SQLite an INSERT a row (in
/// process: microseconds each); on PostgreSQL one `COPY … FROM STDIN` for them all, streamed
/// as they come, where a statement a row waited a round trip each (a 100,000-line count
/// sheet took 19 s). `finish` ends it; another statement on the connection also would.
struct RowInserter {
    private let db: any SQLConnection
    private let server: PostgresStoreConnection?
    private let insertSQL: String
    private let copySQL: String
    private let width: Int
    private var text: [UInt8] = []
    static let bytesPerSend = 1 << 20

    /// `columns` as SQL names (quoted where a name is a keyword, as for `"user"`).
    init(_ db: any SQLConnection, table: String, columns: [String]) throws {
        self.db = db
        server = db.dialect == .postgres ? try db.server() : nil
        let names = columns.joined(separator: ", ")
        insertSQL = "INSERT INTO \(table) (\(names)) VALUES (\(Array(repeating: "?", count: columns.count).joined(separator: ", ")))"
        copySQL = "COPY \(table) (\(names)) FROM STDIN"
        width = columns.count
    }

    mutating func append(_ row: SQLArguments) throws {
        precondition(row.values.count == width, "a row of \(row.values.count) values for \(width) columns")
        guard let server else { return try db.execute(sql: insertSQL, arguments: row) }
        // Each value in the text form a statement's parameter takes, escaped for COPY.
        for (index, value) in PostgresStoreConnection.parameters(row).enumerated() {
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

    /// Sends what is held and ends the COPY, so that its rows are in the table.
    mutating func finish() throws {
        guard let server else { return }
        try send(server)
        try server.endCopy()
    }

    private mutating func send(_ server: PostgresStoreConnection) throws {
        guard !text.isEmpty else { return }
        try server.streamCopy(copySQL, text)
        text.removeAll(keepingCapacity: true)
    }
}
