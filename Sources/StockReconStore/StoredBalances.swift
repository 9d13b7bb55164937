import StockReconCore

/// The stored balances a file's late scan read (`BalanceCache`), in key order, 16 bytes each
/// and no table's slack: a key the file touches is taken from here into the book, and the
/// rest stay here. As entries of the book, 1.9 million took 48-69 MB as the book grew to them.
struct StoredBalances {
    private struct Balance: BitwiseCopyable {
        var key: UInt64
        var onHand: Int64
    }

    private var packed: [Balance] = []
    /// Whether each of `packed` was taken into the book, a bit each.
    private var taken: [UInt64] = []
    /// Balances whose key does not pack (see `StockKey.packed`): few or none.
    private var wide: [StockKey: Int64] = [:]
    /// How many have been taken.
    private var takenCount = 0
    /// Where each bucket of variants starts in `packed` (the variants `firstVariant + b << shift`
    /// on), and where the last ends: a key is looked for among the few of its bucket, a cache
    /// line or two, where a binary search of two million missed the cache a step each.
    private var starts: [UInt32] = []
    private var firstVariant: Int64 = 0
    private var shift: Int64 = 0

    /// The balances `read` gives (variant, location, on-hand), but for the keys `isHeld` says the
    /// book has already. `count`: how many it gives, where known.
    init(count: Int, reading read: ((Int64, Int64, Int64) throws -> Void) throws -> Void, isHeld: (Int64, Int64) -> Bool) rethrows {
        packed.reserveCapacity(count)
        var isSorted = true
        // Not escaping: the scan calls it only while it runs.
        try withoutActuallyEscaping(isHeld) { isHeld in
            try read { variant, location, onHand in
                guard !isHeld(variant, location) else { return }
                let key = StockKey(variant: variant, location: location)
                guard let word = key.packed else {
                    wide[key] = onHand
                    return
                }
                if let last = packed.last, last.key >= word { isSorted = false }
                packed.append(Balance(key: word, onHand: onHand))
            }
        }
        // SQLite's scan gives them in key order; PostgreSQL's in the table's.
        if !isSorted { packed.withUnsafeMutableBufferPointer { RadixSort.sort($0) { $0.key } } }
        taken = Array(repeating: 0, count: (packed.count + 63) / 64)
        indexBuckets()
    }

    private static func variant(of word: UInt64) -> Int64 { Int64(word >> UInt64(StockKey.locationBits)) }

    /// Buckets of variants, at most one for every four balances.
    private mutating func indexBuckets() {
        guard let first = packed.first, let last = packed.last, packed.count < UInt32.max else { return }
        firstVariant = Self.variant(of: first.key)
        let span = Self.variant(of: last.key) - firstVariant + 1
        while span >> shift > Int64(packed.count / 4 + 1) { shift += 1 }
        let buckets = Int(span >> shift) + 1
        starts = Array(repeating: 0, count: buckets + 1)
        var bucket = 0
        for (index, balance) in packed.enumerated() {
            let its = Int((Self.variant(of: balance.key) - firstVariant) >> shift)
            while bucket < its {
                bucket += 1
                starts[bucket] = UInt32(index)
            }
        }
        while bucket < buckets {
            bucket += 1
            starts[bucket] = UInt32(packed.count)
        }
    }

    /// A variant's bucket, nil outside them all.
    private func bucket(ofVariant variant: Int64) -> Int? {
        guard variant >= firstVariant else { return nil }
        let bucket = Int((variant - firstVariant) >> shift)
        return bucket + 1 < starts.count ? bucket : nil
    }

    /// The range of `packed` that a key's bucket covers.
    private func bucket(of word: UInt64) -> Range<Int>? {
        bucket(ofVariant: Self.variant(of: word)).map { Int(starts[$0]) ..< Int(starts[$0 + 1]) }
    }

    /// Asks for a key's bucket ahead of its lookup.
    func prefetch(variant: Int64, location: Int64) {
        guard StockKey(variant: variant, location: location).packed != nil, let bucket = bucket(ofVariant: variant) else { return }
        starts.withUnsafeBufferPointer { starts in
            if let base = starts.baseAddress { prefetchCacheLine(base + bucket) }
        }
    }

    private func isTaken(_ index: Int) -> Bool { taken[index >> 6] & (1 << UInt64(index & 63)) != 0 }

    /// The on-hand stored for a key not taken yet, taking it (it is the book's after).
    mutating func take(variant: Int64, location: Int64) -> Int64? {
        let key = StockKey(variant: variant, location: location)
        guard let word = key.packed else { return wide.removeValue(forKey: key) }
        guard let index = index(of: word), !isTaken(index) else { return nil }
        taken[index >> 6] |= 1 << UInt64(index & 63)
        takenCount += 1
        return packed[index].onHand
    }

    /// Where a key is: by binary search in its bucket.
    private func index(of key: UInt64) -> Int? {
        guard let range = starts.isEmpty ? 0 ..< packed.count : bucket(of: key) else { return nil }
        return packed.withUnsafeBufferPointer { $0.index(ofSorted: key, in: range) { $0.key } }
    }

    /// How many are left.
    var count: Int { packed.count - takenCount + wide.count }

    /// Each balance left: variant, location, on-hand.
    func forEach(_ body: (Int64, Int64, Int64) throws -> Void) rethrows {
        for (index, balance) in packed.enumerated() where !isTaken(index) {
            let key = StockKey(packed: balance.key)
            try body(key.variant, key.location, balance.onHand)
        }
        for (key, onHand) in wide { try body(key.variant, key.location, onHand) }
    }
}
