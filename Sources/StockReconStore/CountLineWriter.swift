import StockReconCore

/// Writes a count sheet's lines as they are read, in the caller's transaction: a sheet of a
/// million lines is never held. `finish` records the sheet's rows.
public struct CountLineWriter {
    public let sheet: Int64
    private let db: any SQLConnection
    private let lines: any CountLineAppending

    init(_ db: any SQLConnection, count: Int64, sheet: Int64, user: Int64, tenant: Int64) throws {
        self.db = db
        self.sheet = sheet
        lines = try db.countLineAppender(count: count, sheet: sheet, user: user, tenant: tenant)
    }

    public func append(_ line: CountedLine) throws {
        try lines.append(line)
    }

    public func finish(rows: Int) throws {
        try lines.finish()
        try db.execute(sql: "UPDATE count_sheets SET rows = ? WHERE id = ?", arguments: [rows, sheet])
        try db.refreshStatistics(of: "count_lines")
    }
}
