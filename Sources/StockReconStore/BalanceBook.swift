import StockReconCore

/// On-hand per (variant, location) for the keys one file touches: open addressing on
/// integer keys, one cache line per probe (Swift's hashed dictionary cost a tenth of an
/// import). An entry is 16 bytes: the key packed into one word with its flags, and the
/// on-hand (a million keys: 32 MB, and 48 MB while the table doubles, against 64 and 96 as
/// three words and flags). A key too large to pack (internal ids are assigned in order, so
/// only a database of a trillion variants or a million locations has one) is kept apart.
struct BalanceBook {
    private struct Entry {
        /// variant << 23 | location << 3 | stored << 2 | touched << 1 | used; 0 for none.
        var key: UInt64
        var onHand: Int64
    }

    private static let used: UInt64 = 1, touched: UInt64 = 2
    /// The key has a row in `stock_levels` (so it is updated, not inserted).
    private static let stored: UInt64 = 4
    private static let flags: UInt64 = 7

    /// A key that does not pack, its slot numbered below zero.
    private struct WideEntry {
        var variant: Int64, location: Int64, onHand: Int64
        var isTouched = false, isStored = false
    }

    private var entries: [Entry]
    private(set) var count = 0
    private var mask: Int
    private var wideSlots: [StockKey: Int] = [:]
    private var wide: [WideEntry] = []

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size * 3 < capacity * 4 { size <<= 1 }
        mask = size - 1
        entries = HugePageArray.filled(Entry(key: 0, onHand: 0), count: size)
    }

    /// The key as `Entry.key` holds it without flags; nil when it does not pack.
    private static func packed(_ variant: Int64, _ location: Int64) -> UInt64? {
        StockKey(variant: variant, location: location).packed.map { $0 << 3 }
    }

    private static func unpacked(_ key: UInt64) -> (variant: Int64, location: Int64) {
        let item = StockKey(packed: key >> 3)
        return (item.variant, item.location)
    }

    /// The slot of a key, and whether it was just added (its on-hand still to be loaded).
    mutating func slot(variant: Int64, location: Int64) -> (slot: Int, isNew: Bool) {
        guard let key = Self.packed(variant, location) else { return wideSlot(variant: variant, location: location) }
        if (count + 1) * 4 > (mask + 1) * 3 { grow() }
        return entries.withUnsafeMutableBufferPointer { entries in
            var index = Self.hash(key) & mask
            while entries[index].key != 0 {
                if entries[index].key & ~Self.flags == key { return (index, false) }
                index = (index + 1) & mask
            }
            entries[index] = Entry(key: key | Self.used, onHand: 0)
            count += 1
            return (index, true)
        }
    }

    private mutating func wideSlot(variant: Int64, location: Int64) -> (slot: Int, isNew: Bool) {
        let key = StockKey(variant: variant, location: location)
        if let index = wideSlots[key] { return (-(index + 1), false) }
        wideSlots[key] = wide.count
        wide.append(WideEntry(variant: variant, location: location, onHand: 0))
        return (-wide.count, true)
    }

    subscript(slot: Int) -> Int64 { slot < 0 ? wide[-(slot + 1)].onHand : entries[slot].onHand }

    /// Whether the file changed the key's on-hand.
    func isTouched(_ slot: Int) -> Bool { slot < 0 ? wide[-(slot + 1)].isTouched : entries[slot].key & Self.touched != 0 }

    /// Asks for the entry a lookup of the key probes first (see `prefetchCacheLine`).
    func prefetch(variant: Int64, location: Int64) {
        guard let key = Self.packed(variant, location) else { return }
        entries.withUnsafeBufferPointer { entries in
            if let base = entries.baseAddress { prefetchCacheLine(base + (Self.hash(key) & mask)) }
        }
    }

    /// Forgets every key, keeping the room they took.
    mutating func removeAll() {
        entries.withUnsafeMutableBufferPointer { $0.update(repeating: Entry(key: 0, onHand: 0)) }
        count = 0
        wideSlots.removeAll()
        wide.removeAll()
    }

    /// Records the on-hand stored for a key.
    mutating func load(_ slot: Int, _ value: Int64) {
        if slot < 0 {
            (wide[-(slot + 1)].onHand, wide[-(slot + 1)].isStored) = (value, true)
        } else {
            entries[slot].onHand = value
            entries[slot].key |= Self.stored
        }
    }

    mutating func set(_ slot: Int, _ value: Int64) {
        if slot < 0 {
            (wide[-(slot + 1)].onHand, wide[-(slot + 1)].isTouched) = (value, true)
        } else {
            entries[slot].onHand = value
            entries[slot].key |= Self.touched
        }
    }

    /// Hands `body` the keys whose on-hand changed, with the new value, the stored ones first and
    /// then the new ones, each in key order (so that writing them walks the balances' b-tree in
    /// order, and a backend inserts the new ones in one stream), `chunk` at a time; the book is
    /// empty after. The changed entries are moved to the front of the book and sorted there, by
    /// `RadixSort` (its scratch is 16 bytes a change): a copy of them held 48 MB beside the book.
    mutating func drainChanged(chunk: Int = 1 << 16, _ body: ([BalanceChange]) throws -> Void) rethrows {
        // Its room goes too.
        defer { self = BalanceBook(capacity: 1) }
        let (changed, stored) = entries.withUnsafeMutableBufferPointer { entries -> (Int, Int) in
            var kept = 0
            for index in entries.indices where entries[index].key & Self.touched != 0 {
                entries[kept] = entries[index]
                kept += 1
            }
            let stored = entries[..<kept].partition { $0.key & Self.stored == 0 }
            // Packed keys sort as (variant, location) do.
            RadixSort.sort(UnsafeMutableBufferPointer(rebasing: entries[..<stored])) { $0.key }
            RadixSort.sort(UnsafeMutableBufferPointer(rebasing: entries[stored..<kept])) { $0.key }
            return (kept, stored)
        }
        let wideChanged = wide.filter(\.isTouched).sorted { ($0.variant, $0.location) < ($1.variant, $1.location) }
        var changes: [BalanceChange] = []
        changes.reserveCapacity(min(chunk, changed + wideChanged.count))
        // The packed entries in `range`, merged in key order with the wide ones stored or not.
        func handOver(_ range: Range<Int>, _ wideChanged: [WideEntry]) throws {
            var (next, nextWide) = (range.lowerBound, 0)
            while next < range.upperBound || nextWide < wideChanged.count {
                let change: BalanceChange
                let packed = next < range.upperBound ? Self.unpacked(entries[next].key) : nil
                if let packed, nextWide == wideChanged.count
                    || (packed.variant, packed.location) < (wideChanged[nextWide].variant, wideChanged[nextWide].location) {
                    change = BalanceChange(variant: packed.variant, location: packed.location, onHand: entries[next].onHand,
                                           isStored: entries[next].key & Self.stored != 0)
                    next += 1
                } else {
                    let entry = wideChanged[nextWide]
                    change = BalanceChange(variant: entry.variant, location: entry.location, onHand: entry.onHand, isStored: entry.isStored)
                    nextWide += 1
                }
                changes.append(change)
                if changes.count == chunk {
                    try body(changes)
                    changes.removeAll(keepingCapacity: true)
                }
            }
        }
        try handOver(0..<stored, wideChanged.filter(\.isStored))
        try handOver(stored..<changed, wideChanged.filter { !$0.isStored })
        if !changes.isEmpty { try body(changes) }
    }

    /// How many keys have a balance: stored, or set by the file (a key only looked up has none).
    var balanceCount: Int {
        entries.count { $0.key & (Self.stored | Self.touched) != 0 } + wide.count { $0.isStored || $0.isTouched }
    }

    /// Every key held, with its value.
    func forEach(_ body: (Int64, Int64, Int64) throws -> Void) rethrows {
        for entry in entries where entry.key != 0 {
            let (variant, location) = Self.unpacked(entry.key)
            try body(variant, location, entry.onHand)
        }
        for entry in wide { try body(entry.variant, entry.location, entry.onHand) }
    }

    private static func hash(_ key: UInt64) -> Int {
        let mixed = key &* 0x9E37_79B9_7F4A_7C15
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 32))
    }

    private mutating func grow() { grow(toHold: mask + 1) }

    /// How many keys the table has room for now.
    var slotCount: Int { mask + 1 }

    /// Room for `count` keys without growing: a scan of many stored balances grew the book a
    /// doubling at a time, each doubling holding the old table beside the new.
    mutating func reserve(_ count: Int) {
        if count * 4 > (mask + 1) * 3 { grow(toHold: count) }
    }

    private mutating func grow(toHold capacity: Int) {
        let old = entries
        var bigger = BalanceBook(capacity: capacity)
        bigger.entries.withUnsafeMutableBufferPointer { bigger in
            let mask = bigger.count - 1
            for entry in old where entry.key != 0 {
                var index = Self.hash(entry.key & ~Self.flags) & mask
                while bigger[index].key != 0 { index = (index + 1) & mask }
                bigger[index] = entry
            }
        }
        bigger.count = count
        (bigger.wideSlots, bigger.wide) = (wideSlots, wide)
        self = bigger
    }
}

/// A file's balances, read from `stock_levels` once and written back once. A tenant with
/// few stored balances is read whole in one scan (none at all on a first import); a larger
/// one key by key, on first touch, until the file has looked up an eighth of them: then the
/// rest in one scan.
struct BalanceCache {
    private(set) var book = BalanceBook()
    /// For a tenant with more balances than one scan reads: the table, key by key.
    private var lookup: (any BalanceLookup)?
    private let db: (any SQLConnection)?
    private let tenant: Int64
    /// The tenant's stored balances, and how many keys the file has looked up in the table.
    private var stored = 0, lookedUp = 0
    /// Up to this many stored balances are read in one scan (about 16 MB of book); tests
    /// lower it, to read key by key.
    @TaskLocal static var scanLimit = 250_000
    /// Up to this many stored balances are scanned once a file has looked up an eighth of them
    /// (a book of 64 MB); past it, each key is looked up however many.
    @TaskLocal static var lateScanLimit = 2_000_000

    /// Holds the place of the real cache while it is lent out.
    static var placeholder: BalanceCache { BalanceCache() }

    private init() {
        tenant = 0
        lookup = nil
        db = nil
        book = BalanceBook(capacity: 1)
    }

    init(_ db: any SQLConnection, tenant: Int64, scanLimit: Int = BalanceCache.scanLimit) throws {
        self.tenant = tenant
        self.db = db
        stored = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM stock_levels WHERE tenant = ?", arguments: [tenant]) ?? 0
        guard stored <= scanLimit else {
            lookup = try db.balanceLookup(tenant: tenant)
            return
        }
        lookup = nil
        book = BalanceBook(capacity: max(4096, stored))
        try readTheRest()
    }

    /// Every stored balance not in the book yet, in one scan; none is looked up after.
    private mutating func readTheRest() throws {
        guard let db else { return }
        book.reserve(book.count + stored)
        try db.forEachBalance(tenant: tenant) { variant, location, onHand in
            let (slot, isNew) = book.slot(variant: variant, location: location)
            if isNew { book.load(slot, onHand) }
        }
        lookup = nil
    }

    /// Reads the stored balances of `keys` not in the book yet at once, ahead of their rows
    /// (`onHand` would read each alone); keys without a variant or location are left out.
    mutating func readAhead(_ keys: some Sequence<StockKey>) throws {
        try scanIfDue()
        guard let lookup = lookup as? any BatchBalanceLookup else { return }
        var wanted: [StockKey] = []
        for key in keys where key.variant > 0 && key.location > 0 {
            if book.slot(variant: key.variant, location: key.location).isNew { wanted.append(key) }
        }
        lookedUp += wanted.count
        // Slots are found again: the book may have grown, and moved them, as keys were added.
        for (key, onHand) in try lookup.onHand(of: wanted) { book.load(book.slot(variant: key.variant, location: key.location).slot, onHand) }
    }

    /// The balance's slot and current on-hand.
    mutating func onHand(variant: Int64, location: Int64) throws -> (slot: Int, onHand: Int64) {
        try scanIfDue()
        let (slot, isNew) = book.slot(variant: variant, location: location)
        // Without a lookup the book holds every stored balance: a key not there has none.
        if isNew, let lookup {
            lookedUp += 1
            if let onHand = try lookup.onHand(variant: variant, location: location) { book.load(slot, onHand) }
        }
        return (slot, book[slot])
    }

    /// Ski rental: once the keys looked up have cost about what one scan of every balance
    /// would (PostgreSQL: 7 µs a key by the index, about 1 a balance scanned), the rest are
    /// scanned. Asked before a key is added, as the scan loads only keys not in the book.
    private mutating func scanIfDue() throws {
        if lookup != nil, lookedUp >= stored / 8, stored <= Self.lateScanLimit { try readTheRest() }
    }

    mutating func set(_ slot: Int, _ value: Int64) { book.set(slot, value) }

    /// Whether the book holds every balance of the tenant (it read them all): before `write`,
    /// as they stand.
    var isWhole: Bool { lookup == nil && db != nil }

    /// Whether the file moved the balance: its movements are in the file's posting.
    func isTouched(_ slot: Int) -> Bool { book.isTouched(slot) }

    /// Asks for a balance's entry ahead of its lookup: a book of 100,000 balances outgrows
    /// the cache.
    func prefetch(variant: Int64, location: Int64) { book.prefetch(variant: variant, location: location) }

    /// Writes every changed balance once, in key order; the cache holds none after.
    mutating func write() throws {
        guard let db else { return }
        try book.drainChanged { try db.writeBalances($0, tenant: tenant) }
    }
}

/// Sums by (variant, location), as a balance book holds on-hand: a scan of millions of
/// movements adds each into it. Each key's entry is asked for a few movements before it is
/// added to, as the posting loop does: a book of 100,000 keys outgrows the cache.
public struct StockSums {
    private var book: BalanceBook
    private var pending: [(variant: Int64, location: Int64, delta: Int64)] = []
    private static let ahead = 16

    public init(capacity: Int = 1 << 16) {
        book = BalanceBook(capacity: capacity)
        pending.reserveCapacity(Self.ahead)
    }

    package mutating func add(variant: Int64, location: Int64, _ delta: Int64) {
        book.prefetch(variant: variant, location: location)
        pending.append((variant, location, delta))
        if pending.count == Self.ahead { flush() }
    }

    private mutating func flush() {
        for (variant, location, delta) in pending {
            let (slot, _) = book.slot(variant: variant, location: location)
            book.set(slot, book[slot] + delta)
        }
        pending.removeAll(keepingCapacity: true)
    }

    /// The sums by key, in key order; the book is left empty, for the next sums.
    mutating func takeSorted() -> [StockDelta] {
        flush()
        var result: [StockDelta] = []
        result.reserveCapacity(book.count)
        book.forEach { result.append(StockDelta(key: StockKey(variant: $0, location: $1), delta: $2)) }
        result.sort { $0.key < $1.key }
        book.removeAll()
        return result
    }

    package var dictionary: [StockKey: Int64] {
        mutating get {
            flush()
            var result: [StockKey: Int64] = [:]
            book.forEach { result[StockKey(variant: $0, location: $1)] = $2 }
            return result
        }
    }
}
