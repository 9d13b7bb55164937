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
                #expect(RadixSort.order(of: items.map(\.key)) == expected.map(\.position), "\(name), \(count) keys")
            }
        }
    }
}
