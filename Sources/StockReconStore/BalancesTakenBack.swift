/// A tenant's balances in key order, from which the movements after each cut of a posting are
/// taken back in place, the last segment first (`Store.keepCheckpoints`): 16 bytes a balance
/// whose key packs, and no second copy, beside the posting's own book of them.
struct BalancesTakenBack {
    private var packed: [(key: UInt64, onHand: Int64)] = []
    /// Balances whose key does not pack (see `StockKey.packed`): few or none.
    private var wide: [StockKey: Int64] = [:]

    /// Every balance `read` gives (variant, location, on-hand), sorted; `count`: how many it
    /// gives, where known (an array grown to them held half as many again).
    init(count: Int?, reading read: ((Int64, Int64, Int64) throws -> Void) throws -> Void) rethrows {
        if let count { packed.reserveCapacity(count) }
        try read { variant, location, onHand in
            let key = StockKey(variant: variant, location: location)
            if let word = key.packed { packed.append((word, onHand)) } else { wide[key] = onHand }
        }
        packed.sort { $0.key < $1.key }
    }

    /// Takes back the sums `read` gives (variant, location, sum), in any order: each found by
    /// binary search, so that a segment's sums need no sorted copy; a key with no balance yet
    /// gets one.
    mutating func subtract(_ read: ((Int64, Int64, Int64) throws -> Void) throws -> Void) rethrows {
        var added: [(key: UInt64, onHand: Int64)] = []
        try read { variant, location, sum in
            let key = StockKey(variant: variant, location: location)
            guard let word = key.packed else {
                wide[key, default: 0] -= sum
                return
            }
            if let index = index(of: word) { packed[index].onHand -= sum } else { added.append((word, -sum)) }
        }
        guard !added.isEmpty else { return }
        // A key summed twice (the sums of two segments given as one) is added up before it joins.
        added.sort { $0.key < $1.key }
        var joined: [(key: UInt64, onHand: Int64)] = []
        for balance in added {
            if joined.last?.key == balance.key { joined[joined.count - 1].onHand += balance.onHand } else { joined.append(balance) }
        }
        packed.append(contentsOf: joined)
        packed.sort { $0.key < $1.key }
    }

    private func index(of key: UInt64) -> Int? {
        packed.withUnsafeBufferPointer { $0.index(ofSorted: key, in: 0 ..< $0.count) { $0.key } }
    }

    /// How many are not zero.
    var nonZeroCount: Int { packed.count(where: { $0.onHand != 0 }) + wide.values.count(where: { $0 != 0 }) }

    /// Each balance: variant, location, on-hand.
    func forEach(_ body: (Int64, Int64, Int64) throws -> Void) rethrows {
        for balance in packed {
            let key = StockKey(packed: balance.key)
            try body(key.variant, key.location, balance.onHand)
        }
        for (key, onHand) in wide { try body(key.variant, key.location, onHand) }
    }
}

extension UnsafeBufferPointer {
    /// Where `key` is among `range` of elements sorted by `keyOf`, by binary search; nil where
    /// it is not.
    @inline(__always)
    func index(ofSorted key: UInt64, in range: Range<Int>, _ keyOf: (Element) -> UInt64) -> Int? {
        var (low, high) = (range.lowerBound, range.upperBound)
        while low < high {
            let middle = (low + high) / 2
            if keyOf(self[middle]) < key { low = middle + 1 } else { high = middle }
        }
        return low < range.upperBound && keyOf(self[low]) == key ? low : nil
    }
}
