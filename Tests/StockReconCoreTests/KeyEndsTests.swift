import Testing
import StockReconCore

/// Ends are kept four bytes a key, modulo 4 GiB: an arena past 4 GiB (a file of that many
/// bytes of distinct keys) still gives each key's own end, however many times it wraps.
@Suite struct KeyEndsTests {
    @Test func endsPastFourGiBComeBackWhole() {
        let ends = [0, 7, 4_294_967_295, 4_294_967_296, 4_294_967_300, 12_884_901_890, 12_884_901_890, 12_884_901_900]
        var kept = KeyEnds()
        for end in ends { kept.append(end) }
        #expect(kept.count == ends.count)
        #expect((0 ..< ends.count).map { kept[$0] } == ends)
        #expect(kept.range(of: 0) == 0 ..< 0)
        #expect(kept.range(of: 3) == 4_294_967_295 ..< 4_294_967_296)
        #expect(kept.range(of: 5) == 4_294_967_300 ..< 12_884_901_890)
        #expect(kept.range(of: 6).isEmpty)
    }

    @Test func endsBelowFourGiBAreAsGiven() {
        var kept = KeyEnds()
        let ends = (0 ..< 1000).map { $0 * 4_000_000 }
        for end in ends { kept.append(end) }
        #expect((0 ..< ends.count).map { kept[$0] } == ends)
    }
}
