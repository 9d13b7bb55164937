/// The stock checks a file's rows make, written at its end: each a key packed in a word and
/// the index of its date among the file's dates, kept in blocks so that growing copies none
/// (1.5 million checks of 32 bytes, in an array that doubled, took 100 MB).
package struct StockCheckList {
    private static let blockSize = 1 << 16
    private var blocks: [Block] = []
    /// The file's distinct dates: a file has few (its run's, or a day's).
    private var dates: [String] = []
    private var indexOfDate: [String: UInt32] = [:]
    /// Checks whose key does not pack (see `StockKey.packed`).
    private var wide: [StockCheckRow] = []

    /// Up to `blockSize` checks. A block's checks most often share one date (an export of
    /// stock levels has its run's): it is then held once, not a word a check.
    private struct Block {
        var keys: [UInt64] = []
        /// The date of every check while they share one; `dates` is empty until they differ.
        var sharedDate: UInt32
        var dates: [UInt32] = []

        init(date: UInt32) {
            sharedDate = date
            keys.reserveCapacity(StockCheckList.blockSize)
        }

        var isFull: Bool { keys.count == StockCheckList.blockSize }

        mutating func append(_ key: UInt64, date: UInt32) {
            if dates.isEmpty, date != sharedDate {
                dates.reserveCapacity(StockCheckList.blockSize)
                dates.append(contentsOf: repeatElement(sharedDate, count: keys.count))
            }
            keys.append(key)
            if !dates.isEmpty { dates.append(date) }
        }

        func date(at index: Int) -> UInt32 { dates.isEmpty ? sharedDate : dates[index] }

        /// Sorts the checks by key, each keeping its date.
        mutating func sort() {
            guard !dates.isEmpty else { return keys.sort() }
            let pairs = zip(keys, dates).sorted { $0.0 < $1.0 }
            keys = pairs.map(\.0)
            dates = pairs.map(\.1)
        }
    }

    package init() {}

    package var isEmpty: Bool { blocks.isEmpty && wide.isEmpty }

    package mutating func append(_ check: StockCheckRow) {
        guard let key = StockKey(variant: check.variant, location: check.location).packed, let date = number(of: check.at) else {
            return wide.append(check)
        }
        if blocks.last?.isFull ?? true { blocks.append(Block(date: date)) }
        blocks[blocks.count - 1].append(key, date: date)
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

    /// Every check, those whose key packs first in key order, then the others: each block is
    /// sorted in place and the blocks merged, so that the index on items takes them page by
    /// page, not at random places (`docs/performance.md`).
    package mutating func forEachInKeyOrder(_ body: (StockCheckRow) throws -> Void) rethrows {
        for index in blocks.indices { blocks[index].sort() }
        // A binary heap of the blocks by their next key, and where each is.
        var next = [Int](repeating: 0, count: blocks.count)
        var heap = Array(blocks.indices).filter { !blocks[$0].keys.isEmpty }
        func key(_ block: Int) -> UInt64 { blocks[block].keys[next[block]] }
        func siftDown(_ start: Int) {
            var parent = start
            while true {
                let (left, right) = (2 * parent + 1, 2 * parent + 2)
                var least = parent
                if left < heap.count, key(heap[left]) < key(heap[least]) { least = left }
                if right < heap.count, key(heap[right]) < key(heap[least]) { least = right }
                if least == parent { return }
                heap.swapAt(parent, least)
                parent = least
            }
        }
        for start in stride(from: heap.count / 2 - 1, through: 0, by: -1) { siftDown(start) }
        while let block = heap.first {
            let position = next[block]
            let item = StockKey(packed: blocks[block].keys[position])
            try body(StockCheckRow(variant: item.variant, location: item.location, at: dates[Int(blocks[block].date(at: position))]))
            next[block] += 1
            if next[block] == blocks[block].keys.count { heap.swapAt(0, heap.count - 1); heap.removeLast() }
            siftDown(0)
        }
        for check in wide { try body(check) }
    }

    /// Every check, those whose key packs first, each in the order appended.
    package func forEach(_ body: (StockCheckRow) throws -> Void) rethrows {
        for block in blocks {
            for (index, key) in block.keys.enumerated() {
                let item = StockKey(packed: key)
                try body(StockCheckRow(variant: item.variant, location: item.location, at: dates[Int(block.date(at: index))]))
            }
        }
        for check in wide { try body(check) }
    }
}
