import GRDB
import StockReconCore

/// What kind of movement a ledger row is; the `movements` view spells these out.
enum MovementKind: Int64 {
    case adjustment = 1, set, receipt, count, reversal
}

/// Appends movements of one posting (a file of a run) with one prepared statement.
struct LedgerAppender {
    private var statement: FastStatement

    init(_ db: Database, posting: Int64) throws {
        statement = try FastStatement(db, sql: """
            INSERT INTO ledger (posting, variant, location, kind, quantity_delta, quantity_before,
                unit_cost_minor, source_line, record, reference_id, notes, reason_code,
                reason_description, adjustment_type, occurred_at, idempotency_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
        statement.reset()
        statement.bind(posting, at: 1)  // bindings outlive resets: bound once per file
    }

    /// Appends row `row` of a batch whose arena starts at `arena`.
    mutating func append(
        _ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64
    ) throws {
        statement.reset()
        statement.bind(batch.variants[row], at: 2)
        statement.bind(batch.locations[row], at: 3)
        statement.bind(kind.rawValue, at: 4)
        statement.bind(delta, at: 5)
        statement.bind(before, at: 6)
        statement.bind(batch.unitCosts[row], at: 7)
        statement.bind(Int64(batch.lines[row]), at: 8)
        statement.bind(Int64(batch.records[row]), at: 9)
        for column in 0..<PostingBatch.TextColumn.count {
            let range = batch.text(at: column, of: row)
            let index = Int32(10 + column)
            if range.count < 0 {
                statement.bindNull(at: index)
            } else {
                statement.bindStatic(arena.map { $0 + Int(range.start) }, count: range.count, at: index)
            }
        }
        try statement.step()
    }
}
