import Testing
import TestSupport
@testable import StockReconStore

/// Balances from which a posting's segments are taken back in place: each balance ends as the
/// balance less every sum of its key, given in any order, for keys that pack and keys that do
/// not, and for keys that had no balance before (one of them given twice).
@Suite struct BalancesTakenBackTests {
    @Test func eachBalanceEndsLessTheSumsOfItsKey() throws {
        var random = SplitMix64(seed: 2_914)
        func key() -> StockKey {
            switch random.next() % 50 {
            case 0: StockKey(variant: -Int64(random.next() % 5) - 1, location: 1)  // does not pack
            case 1: StockKey(variant: 7, location: 1 << 20)  // does not pack
            default: StockKey(variant: Int64(random.next() % 40_000), location: Int64(random.next() % 4))
            }
        }
        var expected: [StockKey: Int64] = [:]
        for _ in 0..<50_000 { expected[key()] = Int64(random.next() % 1_000) - 500 }
        let stored = expected
        var balances = try BalancesTakenBack(count: stored.count) { body in
            for (key, onHand) in stored { try body(key.variant, key.location, onHand) }
        }
        for _ in 0..<3 {
            var sums: [StockKey: Int64] = [:]
            for _ in 0..<20_000 { sums[key(), default: 0] += Int64(random.next() % 20) - 10 }
            // Keys with no balance before: above and below every stored one, and between.
            sums[StockKey(variant: 50_000, location: 0), default: 0] += 3
            sums[StockKey(variant: 0, location: 9), default: 0] += 4
            sums[StockKey(variant: 20_000, location: 9), default: 0] += 5
            for (key, delta) in sums { expected[key, default: 0] -= delta }
            // In no order, and a key given twice (its sum split in two).
            let split = StockKey(variant: 50_000, location: 0)
            try balances.subtract { body in
                for (key, delta) in sums where key != split { try body(key.variant, key.location, delta) }
                try body(split.variant, split.location, 1)
                try body(split.variant, split.location, (sums[split] ?? 0) - 1)
            }
            var got: [StockKey: Int64] = [:]
            var previous: UInt64?
            balances.forEach { variant, location, onHand in
                let key = StockKey(variant: variant, location: location)
                #expect(got[key] == nil, "\(key) twice")
                got[key] = onHand
                if let word = key.packed {
                    #expect(previous.map { $0 < word } ?? true, "\(key) out of order")
                    previous = word
                }
            }
            #expect(got == expected)
            #expect(balances.nonZeroCount == expected.values.count(where: { $0 != 0 }))
        }
    }
}
