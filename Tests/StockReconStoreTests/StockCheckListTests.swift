import Testing
import TestSupport
@testable import StockReconStore

/// A file's stock checks, kept packed and in blocks, come back as appended: keys that pack and
/// keys that do not (kept apart, after), dates repeated, alternating and each new: a block
/// of one date throughout, one whose dates differ only after many checks, one of dates mixed;
/// and in key order, each with its date.
@Suite struct StockCheckListTests {
    @Test func everyCheckComesBackAsAppended() {
        var random = SplitMix64(seed: 2_913)
        let variants: [Int64] = [0, 1, 7, (1 << 41) - 1, 1 << 41, Int64.max, -1]
        let locations: [Int64] = [0, 1, (1 << 20) - 1, 1 << 20, Int64.max, -3]
        let dates = ["2026-08-01T00:00:00Z", "2026-08-02T09:30:00Z", "2026-12-07T01:00:00.123456Z"]
        var list = StockCheckList()
        #expect(list.isEmpty)
        var packed: [StockCheckRow] = [], wide: [StockCheckRow] = []
        // Three blocks and part of a fourth.
        for index in 0..<(3 * 65_536 + 11) {
            let variant = index % 97 == 0 ? variants[Int(random.next() % 7)] : Int64(random.next() % 5_000_000)
            let location = index % 89 == 0 ? locations[Int(random.next() % 6)] : Int64(random.next() % 20)
            let at: String
            switch index {
            case ..<65_536: at = dates[0]
            case ..<(65_536 + 40_000): at = dates[1]
            case ..<(3 * 65_536): at = index % 1_000 == 0 ? "2026-09-\(index / 1_000)" : dates[Int(random.next() % 3)]
            default: at = dates[2]
            }
            let check = StockCheckRow(variant: variant, location: location, at: at)
            list.append(check)
            let fits = variant >= 0 && variant < 1 << 41 && location >= 0 && location < 1 << 20
            if fits { packed.append(check) } else { wide.append(check) }
        }
        #expect(!list.isEmpty && !wide.isEmpty)
        var got: [StockCheckRow] = []
        list.forEach { got.append($0) }
        let expected = packed + wide
        #expect(got.count == expected.count)
        #expect(zip(got, expected).allSatisfy { $0.variant == $1.variant && $0.location == $1.location && $0.at == $1.at })

        // In key order: the same checks, those whose key packs sorted by it, each with its date.
        var sorted: [StockCheckRow] = []
        list.forEachInKeyOrder { sorted.append($0) }
        func described(_ check: StockCheckRow) -> String { "\(check.variant) \(check.location) \(check.at)" }
        #expect(sorted.count == expected.count)
        // Compared whole, not element by element: a failure's diff of 200,000 lines takes minutes.
        let same = sorted.map(described).sorted() == expected.map(described).sorted()
        #expect(same, "the checks in key order are the checks appended")
        let packedKeys = sorted.prefix(packed.count).map { StockKey(variant: $0.variant, location: $0.location) }
        #expect(zip(packedKeys, packedKeys.dropFirst()).allSatisfy { !($1 < $0) }, "the packed keys in order")
        let wideInOrder = sorted.suffix(wide.count).map(described) == wide.map(described)
        #expect(wideInOrder, "the checks kept wide come last, in the order appended")
    }
}
