/// A file's records still rejected (`outstanding_records`), so that a rerun redoes only
/// those. On PostgreSQL each list goes in one statement, the records as an array: a
/// statement a record waited a round trip each.
enum OutstandingRecords {
    /// Records that ended this time: no longer outstanding.
    static func resolve(_ records: [Int], file: Int64, in db: any SQLConnection) throws {
        guard !records.isEmpty else { return }
        guard db.dialect == .postgres else {
            for record in records {
                try db.execute(sql: "DELETE FROM outstanding_records WHERE file = ? AND record = ?", arguments: [file, record])
            }
            return
        }
        try db.execute(
            sql: "DELETE FROM outstanding_records WHERE file = ? AND record = ANY(CAST(? AS BIGINT[]))",
            arguments: [file, records.postgresArray])
    }

    /// Records rejected this time: outstanding (again, or for the first time).
    static func keep(_ records: [Int], file: Int64, in db: any SQLConnection) throws {
        guard !records.isEmpty else { return }
        guard db.dialect == .postgres else {
            for record in records {
                try db.execute(sql: "INSERT INTO outstanding_records (file, record) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [file, record])
            }
            return
        }
        try db.execute(sql: """
            INSERT INTO outstanding_records (file, record) SELECT ?, unnest(CAST(? AS BIGINT[])) ON CONFLICT DO NOTHING
            """, arguments: [file, records.postgresArray])
    }
}
