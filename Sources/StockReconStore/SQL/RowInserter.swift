/// Appends many rows to one table in the caller's transaction, each backend its fastest way
/// (`BulkOperations.rowAppender`). `finish` writes what is held; until then a row may not be
/// in the table.
struct RowInserter {
    private let rows: any RowAppending
    private let width: Int

    /// `columns` as SQL names (quoted where a name is a keyword, as for `"user"`); `binary`:
    /// every value of its column's type (`BulkOperations.binaryRowAppender`).
    init(_ db: any SQLConnection, table: String, columns: [String], binary: Bool = false) throws {
        rows = try binary ? db.binaryRowAppender(table: table, columns: columns) : db.rowAppender(table: table, columns: columns)
        width = columns.count
    }

    func append(_ row: SQLArguments) throws {
        try append(values: row.values)
    }

    /// A row of values as they are (no boxing on the way: for the hottest callers).
    func append(values row: [SQLValue]) throws {
        precondition(row.count == width, "a row of \(row.count) values for \(width) columns")
        try rows.append(values: row)
    }

    func finish() throws {
        try rows.finish()
    }
}
