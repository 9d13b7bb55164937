import StockReconCore
import StockReconStore

/// Appends movements of one posting (a file of a run). Rows are held back and inserted
/// `rowsPerInsert` at a time by one multi-row INSERT, less work a row than a statement a
/// row; `endBatch` writes what is held.
final class SQLiteMovementAppender: MovementAppending {
    static let rowsPerInsert = 32
    private static let columns = BulkSQL.movementColumns
    private static let columnCount: Int32 = 16
    private var single: FastStatement
    private var multiple: FastStatement
    private var held: [(row: Int, kind: MovementKind, delta: Int64, before: Int64)] = []
    private var runs: VariantMovements.Runs
    private(set) var spans = SpanBook()

    init(_ db: SQLiteConnection, posting: Int64) throws {
        try db.liftLedgerReplaceGuard()
        // OR FAIL: a statement that may stop half-way needs no statement journal, which
        // copies every page an insert touches. A failure rolls back the file's transaction anyway.
        let insert = "INSERT OR FAIL INTO ledger (\(Self.columns)) VALUES "
        single = try FastStatement(db, sql: insert + valuesList(columns: Int(Self.columnCount), rows: 1))
        multiple = try FastStatement(db, sql: insert + valuesList(columns: Int(Self.columnCount), rows: Self.rowsPerInsert))
        // Bindings outlive resets: the posting is bound once per file.
        single.reset()
        single.bind(posting, at: 1)
        multiple.reset()
        for slot in 0..<Int32(Self.rowsPerInsert) { multiple.bind(posting, at: slot * Self.columnCount + 1) }
        held.reserveCapacity(Self.rowsPerInsert)
        runs = VariantMovements.Runs(db)
    }

    /// Holds row `row` of a batch for insertion; call `flush` before the batch's arena goes.
    func append(_ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64) throws {
        held.append((row, kind, delta, before))
        if held.count == Self.rowsPerInsert { try endBatch(batch, arena: arena) }
    }

    /// Inserts the rows held, in order.
    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        defer { held.removeAll(keepingCapacity: true) }
        if held.count == Self.rowsPerInsert {
            multiple.reset()
            for (slot, item) in held.enumerated() {
                Self.bind(batch, row: item.row, arena: arena, kind: item.kind, delta: item.delta, before: item.before,
                          to: &multiple, offset: Int32(slot) * Self.columnCount)
            }
            try multiple.step()
            // One writer holds the database: the rows took consecutive ids.
            let first = multiple.lastInsertedRowID - Int64(held.count) + 1
            for (slot, item) in held.enumerated() {
                try runs.add(variant: batch.variants[item.row], id: first + Int64(slot))
                spans.note(
                    date: batch.borrowed(.occurredAt, of: item.row, arena: arena)?.bytes, variant: batch.variants[item.row],
                    location: batch.locations[item.row], delta: item.delta)
            }
            spans.noteIDs(first...(first + Int64(held.count) - 1))
            return
        }
        for item in held {
            single.reset()
            Self.bind(batch, row: item.row, arena: arena, kind: item.kind, delta: item.delta, before: item.before, to: &single, offset: 0)
            try single.step()
            try runs.add(variant: batch.variants[item.row], id: single.lastInsertedRowID)
            spans.note(
                date: batch.borrowed(.occurredAt, of: item.row, arena: arena)?.bytes, variant: batch.variants[item.row],
                location: batch.locations[item.row], delta: item.delta)
            spans.noteIDs(single.lastInsertedRowID...single.lastInsertedRowID)
        }
    }

    func written(variant: Int64, _ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws -> [Int64] {
        try endBatch(batch, arena: arena)
        return runs.heldIDs(variant: variant)
    }

    /// Writes the variants' runs of the movements appended; before the file's transaction commits.
    func finish() throws {
        try runs.flush()
        spans.closeAll()
    }

    private static func bind(
        _ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64,
        to statement: inout FastStatement, offset: Int32
    ) {
        statement.bind(batch.variants[row], at: offset + 2)
        statement.bind(batch.locations[row], at: offset + 3)
        statement.bind(kind.code, at: offset + 4)
        statement.bind(delta, at: offset + 5)
        statement.bind(before, at: offset + 6)
        statement.bind(batch.unitCosts[row], at: offset + 7)
        statement.bind(Int64(batch.lines[row]), at: offset + 8)
        statement.bind(Int64(batch.records[row]), at: offset + 9)
        statement.bindTexts(of: batch, row: row, arena: arena, from: offset + 10)
    }
}

extension FastStatement {
    /// Binds a batch row's texts, in `PostingBatch.TextColumn` order from parameter `first`,
    /// where they lie in the batch's arena: the statement must step before the arena goes.
    mutating func bindTexts(of batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, from first: Int32) {
        for column in 0..<PostingBatch.TextColumn.count {
            let range = batch.text(at: column, of: row)
            let index = first + Int32(column)
            if range.count < 0 {
                bindNull(at: index)
            } else {
                bindStatic(arena.map { $0 + Int(range.start) }, count: range.count, at: index)
            }
        }
    }
}
