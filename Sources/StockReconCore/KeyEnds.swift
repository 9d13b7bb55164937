/// Where each key of a byte arena ends, the keys one after another: four bytes a key, each
/// end modulo 4 GiB, and the first key of each further 4 GiB (none in an arena below it).
/// A million keys held twice (a tenant's and a file's) took 16 MB as `[Int]`.
public struct KeyEnds: Sendable {
    private var low: [UInt32] = []
    /// The first key whose end passed each further 4 GiB, in order.
    private var wraps: [Int] = []

    public init() {}

    public var count: Int { low.count }

    public mutating func reserveCapacity(_ count: Int) { low.reserveCapacity(count) }

    /// Appends the end of the next key (at least the last one's).
    public mutating func append(_ end: Int) {
        while end >> 32 > wraps.count { wraps.append(low.count) }
        low.append(UInt32(truncatingIfNeeded: end))
    }

    /// Where key `index` ends.
    public subscript(index: Int) -> Int {
        let end = Int(low[index])
        guard !wraps.isEmpty else { return end }
        return end | wraps.reduce(0) { $0 + ($1 <= index ? 1 : 0) } << 32
    }

    /// The arena's range of key `index`.
    public func range(of index: Int) -> Range<Int> { (index == 0 ? 0 : self[index - 1]) ..< self[index] }
}
