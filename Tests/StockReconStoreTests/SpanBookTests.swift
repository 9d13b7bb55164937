import Testing
import TestSupport
@testable import StockReconStore

/// A large posting's cuts: each holds, with those after it, the sums of the movements after
/// its last id, also once so many are held that every other cut was dropped.
@Suite struct SpanBookTests {
    @Test func eachCutWithThoseAfterItSumsTheMovementsAfterIt() throws {
        try Store.$checkpointEvery.withValue(50_000) {
            var book = SpanBook()
            var rng = SplitMix64(seed: 29)
            let rows = note(blocks: 1_200, into: &book, using: &rng, deltas: -5...5) { _, rng in
                StockKey(variant: Int64.random(in: 1...100_000, using: &rng), location: Int64.random(in: 1...2, using: &rng))
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
                let after = try #require(cut.after, "after \(cut.lastID): its sums are held")
                #expect(after.map(\.key) == after.map(\.key).sorted())
                for sum in after { fromCuts[sum.key, default: 0] += sum.delta }
                let differing = Set(fromCuts.keys).union(fromRows.keys).filter { fromCuts[$0, default: 0] != fromRows[$0, default: 0] }
                #expect(differing.isEmpty, "after \(cut.lastID): \(differing.count) balances differ, as \(differing.prefix(3))")
            }
        }
    }

    /// A segment of more keys than are held has no sums (they are read back if a checkpoint
    /// falls due); the segments around it keep theirs.
    @Test func aSegmentOfTooManyKeysIsNotHeld() {
        Store.$checkpointEvery.withValue(50_000) {
            SpanBook.$segmentKeysHeld.withValue(20_000) {
                var book = SpanBook()
                var rng = SplitMix64(seed: 2_929)
                // A span closes past 65,536 movements (66 blocks), each a segment: over 500 keys,
                // then over 1,000,000.
                let rows = note(blocks: 700, into: &book, using: &rng, deltas: 1...5) { block, rng in
                    StockKey(variant: Int64.random(in: 1...((block / 66) % 2 == 0 ? 500 : 1_000_000), using: &rng), location: 1)
                }
                book.closeAll()
                #expect(book.cuts.count >= 8, "\(book.cuts.count) cuts")
                var held = 0, dropped = 0
                for (index, cut) in book.cuts.enumerated() {
                    let end = book.cuts.indices.contains(index + 1) ? book.cuts[index + 1].lastID : Int64.max
                    var sums: [StockKey: Int64] = [:]
                    for row in rows where row.id > cut.lastID && row.id <= end { sums[row.key, default: 0] += row.delta }
                    if let after = cut.after {
                        held += 1
                        #expect(sums.count <= 20_000, "after \(cut.lastID): \(sums.count) keys held")
                        #expect(after.map(\.key) == sums.keys.sorted() && after.allSatisfy { sums[$0.key] == $0.delta }, "after \(cut.lastID)")
                    } else {
                        dropped += 1
                        #expect(sums.count > 20_000, "after \(cut.lastID): \(sums.count) keys dropped")
                    }
                }
                #expect(held >= 3 && dropped >= 3, "\(held) held, \(dropped) dropped")
            }
        }
    }

    /// Notes `blocks` blocks of 1,000 movements, their ids taken a block at a time, each
    /// movement's key from `key` (given its block) and its delta in `deltas`; the movements noted.
    private func note(
        blocks: Int, into book: inout SpanBook, using rng: inout SplitMix64, deltas: ClosedRange<Int64>,
        key: (Int, inout SplitMix64) -> StockKey
    ) -> [(id: Int64, key: StockKey, delta: Int64)] {
        var rows: [(id: Int64, key: StockKey, delta: Int64)] = []
        var id: Int64 = 0
        for block in 0..<blocks {
            let first = id + 1
            for _ in 0..<1_000 {
                id += 1
                let key = key(block, &rng)
                let delta = Int64.random(in: deltas, using: &rng)
                book.note(date: "2026-01-01T00:00:00Z", variant: key.variant, location: key.location, delta: delta)
                rows.append((id, key, delta))
            }
            book.noteIDs(first...id)
        }
        return rows
    }
}
