import GRDB

/// The rows SQLite's own operations write through GRDB's records (`SQLiteOperations`); the
/// statements the two backends share stay SQL in the store, and the hot paths bind through
/// SQLite's C API (`FastStatement`).

/// A file's record still waiting on a fix.
struct OutstandingRecordRow: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "outstanding_records"
    var file: Int64
    var record: Int64

    enum Columns {
        static let file = Column(CodingKeys.file)
        static let record = Column(CodingKeys.record)
    }
}
