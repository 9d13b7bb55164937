import StockReconCore
import StockReconStore

/// Appends movements of one posting to a PostgreSQL ledger. Rows are written as COPY text
/// into a buffer, each beginning with a blank id of fixed width; at `bytesPerCopy`, and at
/// `finish`, the buffered rows take a block of consecutive ids from the ledger's sequence,
/// written into the blanks (zero-padded, which COPY reads as the number), and are streamed
/// into an open `COPY ledger … FROM STDIN`, which the next statement of the file's
/// transaction ends. Their ids go to `variant_movements`, as on SQLite.
final class LedgerCopier: MovementAppending {
    static let bytesPerCopy = 4 << 20
    /// The columns every backend appends a movement with, after the id taken here.
    /// The tenant is written, not left to the column's default: a default read a row costs a
    /// million rows a fifth of a second.
    private static let sql = "COPY ledger (id, tenant, \(BulkSQL.movementColumns)) FROM STDIN"
    /// Digits of the largest id, Int64.max.
    private static let idWidth = 19
    private let connection: PostgresStoreConnection
    /// One stored property, so that a row is one exclusive access to the copier, not one a field.
    private var held: HeldRows
    private var runs: VariantMovements.Runs
    /// A span per COPY buffer: its rows took consecutive ids.
    var spans: SpanBook { held.spans }
    /// The buffer's size that sends it: small at first, doubling to `bytesPerCopy`, so that the
    /// server starts storing rows while the first 4 MB are still being checked.
    private var bytesToSend = 128 << 10

    /// Rows held, each a blank id, a tab and its tenant and posting columns on, ending in a newline.
    private struct HeldRows {
        let posting: [UInt8]
        var rows: [UInt8] = []
        var starts: [Int] = []
        var variants: [Int64] = []
        var spans = SpanBook()

        mutating func append(_ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64) {
            starts.append(rows.count)
            rows.append(contentsOf: posting)
            CopyText.appendField(batch.variants[row], to: &rows)
            CopyText.appendField(batch.locations[row], to: &rows)
            CopyText.appendField(kind.code, to: &rows)
            CopyText.appendField(delta, to: &rows)
            CopyText.appendField(before, to: &rows)
            CopyText.appendField(batch.unitCosts[row], to: &rows)
            CopyText.appendField(Int64(batch.lines[row]), to: &rows)
            CopyText.appendField(Int64(batch.records[row]), to: &rows)
            for column in 0..<PostingBatch.TextColumn.count {
                rows.append(UInt8(ascii: "\t"))
                let range = batch.text(at: column, of: row)
                if range.count < 0 {
                    CopyText.appendNull(to: &rows)
                } else {
                    CopyText.appendEscaped(UnsafeBufferPointer(start: arena.map { $0 + Int(range.start) }, count: Int(range.count)), to: &rows)
                }
            }
            rows.append(UInt8(ascii: "\n"))
            variants.append(batch.variants[row])
            spans.note(date: batch.borrowed(.occurredAt, of: row, arena: arena)?.bytes, variant: batch.variants[row], location: batch.locations[row], delta: delta)
        }

        mutating func removeAll() {
            rows.removeAll(keepingCapacity: true)
            starts.removeAll(keepingCapacity: true)
            variants.removeAll(keepingCapacity: true)
        }
    }

    init(_ db: PostgresStoreConnection, posting: Int64, tenant: Int64) {
        connection = db
        held = HeldRows(posting: Array(repeating: UInt8(ascii: "0"), count: Self.idWidth) + Array("\t\(tenant)\t\(posting)".utf8))
        held.rows.reserveCapacity(Self.bytesPerCopy + 4096)
        runs = VariantMovements.Runs(db)
    }

    func append(_ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64) throws {
        held.append(batch, row: row, arena: arena, kind: kind, delta: delta, before: before)
        if held.rows.count >= bytesToSend { try flush() }
    }

    /// Gives the held rows their ids and streams them into the open COPY (opening it if
    /// another statement ended it).
    /// The rows are copied out of the batch's arena as they come: nothing waits on it.
    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {}

    /// The COPY the rows are streamed into ends at the next statement, which then reads them.
    func written(variant: Int64, _ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws -> [Int64] {
        try flush()
        return runs.heldIDs(variant: variant)
    }

    private func flush() throws {
        guard !held.variants.isEmpty else { return }
        bytesToSend = min(bytesToSend * 2, Self.bytesPerCopy)
        let first = try connection.takeLedgerIDs(held.variants.count) ?? 0
        let starts = held.starts
        held.rows.withUnsafeMutableBufferPointer { buffer in
            for (index, start) in starts.enumerated() {
                CopyText.write(first + Int64(index), width: Self.idWidth, into: buffer, at: start)
            }
        }
        for (index, variant) in held.variants.enumerated() { try runs.add(variant: variant, id: first + Int64(index)) }
        held.spans.noteIDs(first...(first + Int64(held.variants.count) - 1))
        held.spans.close()
        try connection.streamCopy(Self.sql, held.rows)
        held.removeAll()
    }

    /// Sends the rest, ends the COPY and writes the variants' runs; before the file's
    /// transaction commits.
    func finish() throws {
        try flush()
        try connection.endCopy()
        try runs.flush()
        held.spans.closeAll()
    }
}
