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

/// What a purchase order line asks for; what was received is kept apart (`Columns.received`).
struct OrderLineRow: Codable, PersistableRecord, FetchableRecord {
    static let databaseTableName = "order_lines"
    var tenant: Int64
    var poNumber: String
    var variant: Int64
    var location: Int64
    var quantityOrdered: Int64
    var unitCostMinor: Int64?

    enum CodingKeys: String, CodingKey {
        case tenant, variant, location
        case poNumber = "po_number", quantityOrdered = "quantity_ordered", unitCostMinor = "unit_cost_minor"
    }

    enum Columns {
        static let id = Column("id")
        static let received = Column("quantity_received")
    }
}
