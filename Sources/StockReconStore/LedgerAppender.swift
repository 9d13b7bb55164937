import GRDB
import StockReconCore

/// What kind of movement a ledger row is; the `movements` view spells these out.
enum MovementKind: Int64 {
    case adjustment = 1, set, receipt, count, reversal
}

/// Appends movements of one posting (a file of a run) with one prepared statement.
final class LedgerAppender {
    private var statement: FastStatement
    private let posting: Int64
    private let db: Database

    init(_ db: Database, posting: Int64) throws {
        self.db = db
        self.posting = posting
        statement = try FastStatement(db, sql: """
            INSERT INTO ledger (posting, variant, location, kind, quantity_delta, quantity_before,
                unit_cost_minor, source_line, record, reference_id, notes, reason_code,
                reason_description, adjustment_type, occurred_at, idempotency_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.reset()
        statement.bind(posting, at: 1)  // bindings outlive resets: bound once per file
    }

    /// Appends one movement and returns its id.
    func append(_ adjustment: ValidAdjustment, kind: MovementKind, delta: Int64, before: Int64) throws -> Int64 {
        statement.reset()
        statement.bind(adjustment.variantKey, at: 2)
        statement.bind(adjustment.locationID, at: 3)
        statement.bind(kind.rawValue, at: 4)
        statement.bind(delta, at: 5)
        statement.bind(before, at: 6)
        statement.bind(adjustment.unitCostMinor, at: 7)
        statement.bind(Int64(adjustment.line), at: 8)
        statement.bind(Int64(adjustment.record), at: 9)
        statement.bind(adjustment.reference, at: 10)
        statement.bind(adjustment.notes, at: 11)
        statement.bind(adjustment.reasonCode, at: 12)
        statement.bind(adjustment.reasonDescription, at: 13)
        statement.bind(adjustment.adjustmentType, at: 14)
        statement.bind(adjustment.occurredAt, at: 15)
        statement.bind(adjustment.naturalKey, at: 16)
        try statement.step()
        return db.lastInsertedRowID
    }
}
