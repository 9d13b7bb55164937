import Testing
import TestSupport
@testable import StockReconCore

/// The radix sort gives what a stable comparison sort gives, whatever bytes the keys share.
@Suite struct RadixSortTests {
    struct Item: Equatable {
        var key: UInt64
        var position: Int
    }

    /// Keys of each width: all equal, one byte, a few bytes with the high ones shared, any 64 bits.
    static let keyMakers: [(String, @Sendable (inout SplitMix64) -> UInt64)] = [
        ("equal", { _ in 42 }),
        ("one byte", { UInt64.random(in: 0 ... 255, using: &$0) }),
        ("shared high bytes", { 0xAB00_0000_0000_0000 | UInt64.random(in: 0 ... 0xFFFFF, using: &$0) }),
        ("middle bytes", { UInt64.random(in: 0 ... 0xFF, using: &$0) << 24 | 7 }),
        ("any", { $0.next() }),
    ]

    @Test func sortsAsAStableComparisonSortDoes() {
        var random = SplitMix64(seed: 29)
        for (name, makeKey) in Self.keyMakers {
            for count in [0, 1, 2, 3, 255, 256, 1_000, 20_000] {
                let items = (0 ..< count).map { Item(key: makeKey(&random), position: $0) }
                var sorted = items
                sorted.withUnsafeMutableBufferPointer { RadixSort.sort($0) { $0.key } }
                let expected = items.enumerated().sorted { ($0.element.key, $0.offset) < ($1.element.key, $1.offset) }.map(\.element)
                #expect(sorted == expected, "\(name), \(count) keys")
            }
        }
    }
}

/// The rough order is a stable order by the keys' top bits below the limit, the keys past it last.
@Suite struct RoughOrderTests {
    @Test func groupsKeysByTheirTopBitsKeepingPositionsWithinAGroup() {
        var random = SplitMix64(seed: 30)
        for limit: UInt64 in [0, 1, 100, 4096, 4097, 1 << 21, 300_000_000, UInt64.max] {
            for buckets in [1, 7, 4096] {
                for count in [0, 1, 2, 1_000, 20_000] {
                    // Mostly below the limit, some at it and past it.
                    let keys = (0 ..< count).map { _ -> UInt64 in
                        switch random.next() % 16 {
                        case 0: return limit
                        case 1: return limit &+ random.next() % 1000
                        default: return limit == 0 ? 0 : random.next() % limit
                        }
                    }
                    var shift: UInt64 = 0
                    while (limit == 0 ? 0 : limit - 1) >> shift >= UInt64(buckets) { shift += 1 }
                    let group = { (key: UInt64) -> UInt64 in key < limit ? key >> shift : .max }
                    let expected = keys.indices.sorted { (group(keys[$0]), $0) < (group(keys[$1]), $1) }
                    #expect(RadixSort.roughOrder(of: keys, below: limit, buckets: buckets) == expected,
                            "limit \(limit), \(buckets) buckets, \(count) keys")
                }
            }
        }
    }

    @Test func groupsAreNarrowEnoughForPages() {
        // A table of 2^21 slots in 4,096 groups: 512 slots (one 4 KB page of words) a group.
        let keys: [UInt64] = [1_048_575, 512, 511, 0, 1_048_576, 513]
        #expect(RadixSort.roughOrder(of: keys, below: 1 << 21) == [2, 3, 1, 5, 0, 4])
    }
}
