#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Many lookups at once (a batch of a file's rows): each section they read (the slots, the
/// entries, the texts, the facts) is read in one pass in the order of its offsets, and the
/// pages a pass has gone by are let go. A million lookups one at a time over a million
/// variants hold every page they touch (92 MB); passes hold a few megabytes.
extension VariantIndexFile {
    /// A slot's entry whose key has the hash of the key looked up.
    private struct Candidate {
        var key: Int
        /// Its place in the key's probe: the first that decides wins, as in `find`.
        var order: Int
        var entry: Int
        var ref: UInt64 = 0
        var value: Int64 = 0
        var isDamaged: Bool
        var matches = false
    }

    /// What each of `keys` names in `kind`'s table, exactly as `find` says of it alone.
    func find(all keys: [UnsafeBufferPointer<UInt8>], in kind: Kind) -> [Found?] {
        let table = tables[kind.rawValue]
        let mask = table.slotCount - 1
        let hashes = keys.map(TextIndex.hash)
        var candidates: [Candidate] = []
        candidates.reserveCapacity(keys.count + keys.count / 8)
        let byHome = RadixSort.roughOrder(of: hashes.map { UInt64(truncatingIfNeeded: TextIndex.home($0) & mask) }, below: UInt64(table.slotCount))
        var pass = PassBehind(base, from: table.slots, to: table.slots + table.slotCount * 8)
        for (position, key) in byHome.enumerated() {
            if position + Self.ahead < byHome.count {
                prefetch(table.slots + (TextIndex.home(hashes[byHome[position + Self.ahead]]) & mask) * 8)
            }
            let hash = hashes[key]
            var slot = TextIndex.home(hash) & mask
            var met = 0
            for _ in 0 ..< table.slotCount {
                pass.reached(table.slots + slot * 8)
                let content = word(table.slots + slot * 8)
                if content == 0 { break }
                if let entry = TextIndex.entry(inSlot: content, hash: hash) {
                    // `find` stops at a damaged entry, as at a match.
                    let isDamaged = entry < 0 || entry >= table.entryCount
                    candidates.append(Candidate(key: key, order: met, entry: entry, isDamaged: isDamaged))
                    met += 1
                    if isDamaged { break }
                }
                slot = (slot + 1) & mask
            }
        }
        pass.finish()

        // A damaged candidate is not read: its place in the order does not matter.
        let byEntry = RadixSort.roughOrder(
            of: candidates.map { $0.isDamaged ? 0 : UInt64(truncatingIfNeeded: $0.entry) }, below: UInt64(table.entryCount))
        pass = PassBehind(base, from: table.entries, to: table.entries + table.entryCount * 16)
        for (position, index) in byEntry.enumerated() {
            if position + Self.ahead < byEntry.count, case let ahead = candidates[byEntry[position + Self.ahead]], !ahead.isDamaged {
                prefetch(table.entries + ahead.entry * 16)
            }
            guard !candidates[index].isDamaged else { continue }
            let at = table.entries + candidates[index].entry * 16
            pass.reached(at)
            candidates[index].ref = word(at)
            candidates[index].value = Int64(bitPattern: word(at + 8))
        }
        pass.finish()

        pass = PassBehind(base, from: blob, to: blob + blobLength)
        let byRef = RadixSort.roughOrder(of: candidates.map(\.ref), below: UInt64(blobLength))
        for (position, index) in byRef.enumerated() {
            if position + Self.ahead < byRef.count {
                let ahead = candidates[byRef[position + Self.ahead]].ref
                if ahead < UInt64(blobLength) { prefetch(blob + Int(ahead)) }
            }
            guard !candidates[index].isDamaged else { continue }
            let ref = candidates[index].ref
            if ref < UInt64(blobLength) { pass.reached(blob + Int(ref)) }
            guard let stored = bytes(atRef: ref) else { continue }
            candidates[index].matches = Self.equal(stored, keys[candidates[index].key], droppingLeadingZeros: kind == .digits)
        }
        pass.finish()

        var found = [Found?](repeating: nil, count: keys.count)
        var decidedAt = [Int](repeating: .max, count: keys.count)
        for candidate in candidates where candidate.isDamaged || candidate.matches {
            let key = candidate.key
            guard candidate.order < decidedAt[key] else { continue }
            decidedAt[key] = candidate.order
            found[key] = candidate.isDamaged ? nil : self.found(entryValue: candidate.value)
        }
        return found
    }

    /// What each of `keys` names by any kind, exactly as `variantIndex(_:by: .any)` says of it
    /// alone: the keys still undecided looked up together in each table in its turn.
    func variantIndexes(byAny keys: [UnsafeBufferPointer<UInt8>]) -> [Int?] {
        var result = [Int?](repeating: nil, count: keys.count)
        var undecided = Array(keys.indices)
        for kind in [Kind.id, .sku, .barcode, .product] where !undecided.isEmpty {
            let found = find(all: undecided.map { keys[$0] }, in: kind)
            var next: [Int] = []
            for (position, key) in undecided.enumerated() {
                switch (kind, found[position]) {
                // An id names one variant, else the next kind is asked.
                case (.id, .one(let variant)?): result[key] = variant
                case (.id, _): next.append(key)
                // A shared sku or barcode names no variant, rather than the next kind's.
                case (_, let entry?): result[key] = entry.variant
                case (.product, nil): break
                case (_, nil): next.append(key)
                }
            }
            undecided = next
        }
        return result
    }

    /// How many lookups ahead a pass asks for the cache line it will read: its reads go up
    /// the section with gaps the hardware's prefetcher does not follow.
    private static let ahead = 8

    /// Asks for the line at `offset` of the mapping, if it is inside it.
    private func prefetch(_ offset: Int) {
        guard offset >= 0, offset < length else { return }
        prefetchCacheLine(base + offset)
    }

    /// The facts of each variant, as `facts(at:)` gives them, read in one pass.
    func facts(ofAll indexes: [Int]) -> [Facts] {
        var result = [Facts](repeating: (0, nil, -1, false), count: indexes.count)
        // One out of range is not read: its place in the order does not matter.
        let byIndex = RadixSort.roughOrder(of: indexes.map { UInt64(truncatingIfNeeded: $0) }, below: UInt64(variantCount))
        var pass = PassBehind(base, from: facts, to: facts + variantCount * 24)
        for (order, position) in byIndex.enumerated() {
            if order + Self.ahead < byIndex.count {
                let ahead = indexes[byIndex[order + Self.ahead]]
                if ahead >= 0, ahead < variantCount { prefetch(facts + ahead * 24) }
            }
            let index = indexes[position]
            guard index >= 0, index < variantCount else { continue }
            pass.reached(facts + index * 24)
            result[position] = self.facts(at: index)
        }
        pass.finish()
        return result
    }
}

/// Lets go of the pages of a mapping that a pass in the order of offsets has gone by: on a
/// file mapped shared and only read, `MADV_DONTNEED` leaves the pages in the page cache, and
/// they fault in again if read again (a probe that wraps past a table's end).
struct PassBehind {
    private let base: UnsafeRawPointer
    /// Page-aligned: the pages below it are let go.
    private var from: Int
    private let end: Int
    private static let page = max(4096, Int(sysconf(Int32(_SC_PAGESIZE))))
    /// Let go at least this much at a time: a call per page would cost more than its fault.
    private static let step = 1 << 21

    init(_ base: UnsafeRawPointer, from start: Int, to end: Int) {
        self.base = base
        from = start & ~(Self.page - 1)
        self.end = end
    }

    mutating func reached(_ offset: Int) {
        guard offset - from >= Self.step else { return }
        let to = offset & ~(Self.page - 1)
        letGo(upTo: to)
    }

    /// Lets go of the rest of the section.
    mutating func finish() { letGo(upTo: (end + Self.page - 1) & ~(Self.page - 1)) }

    private mutating func letGo(upTo to: Int) {
        guard to > from else { return }
        #if os(Linux)
        _ = madvise(UnsafeMutableRawPointer(mutating: base + from), to - from, MADV_DONTNEED)
        #endif
        from = to
    }
}
