import Testing
import TestSupport
@testable import StockReconStore

/// A large posting's cuts: each holds, with those after it, the sums of the movements after
/// its last id, also once so many are held that every other cut was dropped.
@Suite struct SpanBookTests {
    @Test func eachCutWithThoseAfterItSumsTheMovementsAfterIt() {
        Store.$checkpointEvery.withValue(50_000) {
            var book = SpanBook()
            var rng = SplitMix64(seed: 29)
            var rows: [(id: Int64, key: StockKey, delta: Int64)] = []
            var id: Int64 = 0
            for _ in 0..<1_200 {
                let first = id + 1
                for _ in 0..<1_000 {
                    id += 1
                    let key = StockKey(variant: Int64.random(in: 1...100_000, using: &rng), location: Int64.random(in: 1...2, using: &rng))
                    let delta = Int64.random(in: -5...5, using: &rng)
                    book.note(date: "2026-01-01T00:00:00Z", variant: key.variant, location: key.location, delta: delta)
                    rows.append((id, key, delta))
                }
                book.noteIDs(first...id)
            }
            book.closeAll()
            // 18 spans of 65,536 movements, each cut at first: past 600,000 sums, every other dropped.
            #expect(book.cuts.count >= 2 && book.cuts.count < 17, "\(book.cuts.count) cuts")
            #expect(book.cuts.map(\.lastID) == book.cuts.map(\.lastID).sorted())
            var fromRows: [StockKey: Int64] = [:]
            var fromCuts: [StockKey: Int64] = [:]
            var next = rows.count
            for cut in book.cuts.reversed() {
                while next > 0, rows[next - 1].id > cut.lastID {
                    next -= 1
                    fromRows[rows[next].key, default: 0] += rows[next].delta
                }
                #expect(cut.after.map(\.key) == cut.after.map(\.key).sorted())
                for sum in cut.after { fromCuts[sum.key, default: 0] += sum.delta }
                let differing = Set(fromCuts.keys).union(fromRows.keys).filter { fromCuts[$0, default: 0] != fromRows[$0, default: 0] }
                #expect(differing.isEmpty, "after \(cut.lastID): \(differing.count) balances differ, as \(differing.prefix(3))")
            }
        }
    }
}
