import Testing
import TestSupport
@testable import StockReconStore

/// The stored balances a late scan keeps apart: each key found by its bucket of variants and
/// taken once, the rest given back, whether the scan came in key order (SQLite) or not
/// (PostgreSQL), with variants dense or sparse, and keys too large to pack.
@Suite struct StoredBalancesTests {
    @Test(arguments: [(true, 1 as Int64), (false, 1), (true, 997), (false, 1 << 30)])
    func takesEachKeyOnceAndGivesBackTheRest(inKeyOrder: Bool, variantStep: Int64) throws {
        var random = SplitMix64(seed: UInt64(variantStep) &+ (inKeyOrder ? 1 : 2))
        var balances: [(StockKey, Int64)] = []
        for variant in 0 ..< 3_000 {
            for location in [1, 2, 5, 17] where random.next() % 3 != 0 {
                balances.append((StockKey(variant: 5 + Int64(variant) * variantStep, location: Int64(location)), Int64(random.next() % 1000) - 500))
            }
        }
        balances.append((StockKey(variant: 1 << 50, location: 3), 42))  // does not pack
        balances.append((StockKey(variant: 7, location: 1 << 21), -3))  // nor this
        let held = Set(balances.indices.filter { $0 % 11 == 0 }.map { balances[$0].0 })
        let given = inKeyOrder ? balances.sorted { $0.0 < $1.0 } : balances.shuffled(using: &random)
        var stored = try StoredBalances(
            count: balances.count, reading: { body in for (key, onHand) in given { try body(key.variant, key.location, onHand) } },
            isHeld: { held.contains(StockKey(variant: $0, location: $1)) })
        var expected = Dictionary(uniqueKeysWithValues: balances.filter { !held.contains($0.0) })
        #expect(stored.count == expected.count)
        // Take a third of them, held keys and keys never stored asked as well.
        for (key, onHand) in balances.shuffled(using: &random).prefix(balances.count / 3) {
            let taken = stored.take(variant: key.variant, location: key.location)
            #expect(taken == (held.contains(key) ? nil : onHand))
            #expect(stored.take(variant: key.variant, location: key.location) == nil, "taken twice")
            expected[key] = nil
        }
        let keys = Set(balances.map(\.0))
        let missing = [StockKey(variant: 0, location: 1), StockKey(variant: 5, location: 3), StockKey(variant: 5 + 3_000 * variantStep, location: 1),
                       StockKey(variant: 1 << 40, location: 1)] + (0 ..< 200).map { _ in StockKey(variant: 5 + Int64(random.next() % 3_000) * variantStep, location: 2) }
        for key in missing where !keys.contains(key) {
            #expect(stored.take(variant: key.variant, location: key.location) == nil)
        }
        var left: [StockKey: Int64] = [:]
        stored.forEach { left[StockKey(variant: $0, location: $1)] = $2 }
        #expect(stored.count == expected.count)
        #expect(left == expected)
    }
}
