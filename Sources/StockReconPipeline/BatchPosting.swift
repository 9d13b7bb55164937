import StockReconCore
import StockReconStore

/// The posting loop of a file's batches: each row ends posted, pending, rejected, unchanged
/// or duplicate, counted once, its fate decided by the `Reconciler` from what the store holds
/// for it; the store appends, holds, rejects and reads.
struct BatchPosting {
    let posting: FilePosting
    let reconciler: Reconciler

    /// Posts a batch in order; `rejected` sees each rejected row's diagnostics.
    func post(_ batch: PostingBatch, into counts: inout OutcomeCounts, rejected: ([Diagnostic]) -> Void) throws {
        try posting.withBatch(batch) { writer, arena in
            let rows = batch.validRows
            for entry in batch.entries {
                switch entry {
                case .settled:
                    counts.count(.duplicate)
                case .noChange(let record):
                    posting.settle(record)
                    counts.count(.unchanged)
                case .invalid(let record, let diagnostics):
                    try reject(record, diagnostics, into: &counts, rejected: rejected)
                case .valid(let row):
                    let ahead = row + FilePosting.prefetchDistance
                    if ahead < rows { writer.prefetch(row: ahead, of: batch) }
                    let state = try posting.state(of: row, in: batch, arena: arena, writer: &writer)
                    // A row dated before later movements is decided against on-hand then.
                    var fate = reconciler.decide(
                        state.change, onHand: state.onHandThen, unitCostMinor: state.unitCostMinor, adjustmentType: state.adjustmentType,
                        earlier: state.earlier, digest: state.digest, order: state.order)
                    if case .reject(.negativeStock(let onHand, let delta)) = fate, let day = state.lowestDay {
                        fate = .reject(.negativeStockThen(day: day, onHand: onHand, delta: delta))
                    }
                    switch fate {
                    case .reject(let rejection):
                        let place = batch.location(of: row)
                        let at = SourceLocation(file: posting.displayPath, line: place.line, field: place.quantityColumn)
                        try reject(state.record, [Reconciler.diagnostic(rejection, at: at, key: place.key)], into: &counts, rejected: rejected)
                        continue
                    case .duplicate, .unchanged:
                        break
                    case .hold(let delta):
                        try posting.hold(state, delta: delta, of: batch, arena: arena, writer: &writer)
                    case .post(let kind, let delta):
                        try posting.append(state, kind: kind, delta: delta, of: batch, arena: arena, writer: &writer)
                    }
                    if case .set = state.change, fate == .unchanged || fate.outcome == .posted {
                        posting.noteCheck(state, of: batch, writer: &writer)
                    }
                    posting.settle(state.record)
                    // The key remembers how its row ended, so that the same row again is a duplicate.
                    if fate != .duplicate { posting.remember(state, outcome: fate.outcome, writer: &writer) }
                    counts.count(fate.outcome)
                }
            }
        }
    }

    private func reject(_ record: Int, _ diagnostics: [Diagnostic], into counts: inout OutcomeCounts, rejected: ([Diagnostic]) -> Void) throws {
        try posting.reject(record: record, diagnostics)
        counts.count(.rejected)
        rejected(diagnostics)
    }
}
