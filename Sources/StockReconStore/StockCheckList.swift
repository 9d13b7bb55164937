/// The stock checks a file's rows make, written at its end: each a key packed in a word and
/// the index of its date among the file's dates, 12 bytes, kept in blocks so that growing
/// copies none (1.5 million checks of 32 bytes, in an array that doubled, took 100 MB).
package struct StockCheckList {
    private static let blockSize = 1 << 16
    private var keys: [[UInt64]] = []
    private var dateIndexes: [[UInt32]] = []
    /// The file's distinct dates: a file has few (its run's, or a day's).
    private var dates: [String] = []
    private var indexOfDate: [String: UInt32] = [:]
    /// Checks whose key does not pack (see `StockKey.packed`).
    private var wide: [StockCheckRow] = []

    package init() {}

    package var isEmpty: Bool { keys.isEmpty && wide.isEmpty }

    package mutating func append(_ check: StockCheckRow) {
        guard let key = StockKey(variant: check.variant, location: check.location).packed, let date = number(of: check.at) else {
            return wide.append(check)
        }
        if keys.last.map({ $0.count == Self.blockSize }) ?? true {
            keys.append([])
            keys[keys.count - 1].reserveCapacity(Self.blockSize)
            dateIndexes.append([])
            dateIndexes[dateIndexes.count - 1].reserveCapacity(Self.blockSize)
        }
        keys[keys.count - 1].append(key)
        dateIndexes[dateIndexes.count - 1].append(date)
    }

    /// The date's number, nil past the numbers 32 bits hold (its check is kept wide).
    private mutating func number(of date: String) -> UInt32? {
        if let last = dates.last, last == date { return UInt32(exactly: dates.count - 1) }
        if let index = indexOfDate[date] { return index }
        guard let index = UInt32(exactly: dates.count) else { return nil }
        dates.append(date)
        indexOfDate[date] = index
        return index
    }

    /// Every check, those whose key packs first, each in the order appended.
    package func forEach(_ body: (StockCheckRow) throws -> Void) rethrows {
        for (block, indexes) in zip(keys, dateIndexes) {
            for (key, index) in zip(block, indexes) {
                let item = StockKey(packed: key)
                try body(StockCheckRow(variant: item.variant, location: item.location, at: dates[Int(index)]))
            }
        }
        for check in wide { try body(check) }
    }
}
