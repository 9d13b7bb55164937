/// A file's records still rejected (`outstanding_records`), so that a rerun redoes only
/// those. On PostgreSQL each list goes in one statement, the records as an array: a
/// statement a record waited a round trip each.
enum OutstandingRecords {
    /// Records that ended this time: no longer outstanding.
    static func resolve(_ records: [Int], file: Int64, in db: any SQLConnection) throws {
        try apply(
            records, file: file, in: db,
            eachSQL: "DELETE FROM outstanding_records WHERE file = ? AND record = ?",
            allSQL: "DELETE FROM outstanding_records WHERE file = ? AND record = ANY(CAST(? AS BIGINT[]))")
    }

    /// Records rejected this time: outstanding (again, or for the first time).
    static func keep(_ records: [Int], file: Int64, in db: any SQLConnection) throws {
        try apply(
            records, file: file, in: db,
            eachSQL: "INSERT INTO outstanding_records (file, record) VALUES (?, ?) ON CONFLICT DO NOTHING",
            allSQL: "INSERT INTO outstanding_records (file, record) SELECT ?, unnest(CAST(? AS BIGINT[])) ON CONFLICT DO NOTHING")
    }

    /// `eachSQL` once a record on SQLite (in process); `allSQL` once on PostgreSQL, the
    /// records as an array. Both take the file, then the record(s).
    private static func apply(_ records: [Int], file: Int64, in db: any SQLConnection, eachSQL: String, allSQL: String) throws {
        guard !records.isEmpty else { return }
        guard db.dialect == .postgres else {
            for record in records { try db.execute(sql: eachSQL, arguments: [file, record]) }
            return
        }
        try db.execute(sql: allSQL, arguments: [file, records.postgresArray])
    }
}
