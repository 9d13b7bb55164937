import StockReconCore

/// On-hand per (variant, location) for the keys one file touches: open addressing on
/// integer keys, one cache line per probe (Swift's hashed dictionary cost a tenth of an
/// import). An entry is 16 bytes: the key packed into one word with its flags, and the
/// on-hand (a million keys: 32 MB, against 64 as three words and flags). A key too large to
/// pack (internal ids are assigned in order, so only a database of a trillion variants or a
/// million locations has one) is kept apart.
///
/// The keys are spread over `shardCount` tables by the top bits of their hash, each growing on
/// its own and by half: one table of two million keys held the old 32 MB beside the new 64 MB
/// as it doubled, where a shard holds a sixteenth of that, and a book is at most a third larger
/// than it must be, not twice. A key's slot is its hash scaled to the table's length, which
/// need not be a power of two.
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
    private static let shardBits = 4, shardCount = 1 << shardBits

    /// A key that does not pack, its slot numbered below zero.
    private struct WideEntry {
        var variant: Int64, location: Int64, onHand: Int64
        var isTouched = false, isStored = false
    }

    /// Each shard's table; a slot is an index into one, times `shardCount`, plus the shard.
    private var shards: [[Entry]]
    private var shardCounts: [Int]
    private(set) var count = 0
    private var wideSlots: [StockKey: Int] = [:]
    private var wide: [WideEntry] = []

    init(capacity: Int = 1 << 12) {
        let size = Self.shardSize(toHold: capacity)
        shards = (0..<Self.shardCount).map { _ in HugePageArray.filled(Entry(key: 0, onHand: 0), count: size) }
        shardCounts = Array(repeating: 0, count: Self.shardCount)
    }

    /// A shard's slots for its part of `capacity` keys, at most 3/4 full: its share, and room
    /// for a shard that draws more than its share (four standard deviations).
    private static func shardSize(toHold capacity: Int) -> Int {
        let share = capacity / shardCount
        return max(16, slots(toHold: share + 4 * Int(Double(share).squareRoot()) + 1))
    }

    /// The slots that hold `keys` at most 3/4 full.
    private static func slots(toHold keys: Int) -> Int { (keys * 4 + 2) / 3 }

    /// A slot's shard and its index there (`slot` numbers them index * `shardCount` + shard).
    private static func place(of slot: Int) -> (shard: Int, index: Int) { (slot & (shardCount - 1), slot >> shardBits) }

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
        let mixed = Self.mix(key)
        let shard = Self.shard(mixed)
        if (shardCounts[shard] + 1) * 4 > shards[shard].count * 3 { grow(shard, toAtLeast: 0) }
        let (index, isNew) = shards[shard].withUnsafeMutableBufferPointer { entries -> (Int, Bool) in
            let (index, found) = Self.probe(key, mixed: mixed, in: UnsafeBufferPointer(entries))
            if !found { entries[index] = Entry(key: key | Self.used, onHand: 0) }
            return (index, !found)
        }
        if isNew {
            shardCounts[shard] += 1
            count += 1
        }
        return (index << Self.shardBits | shard, isNew)
    }

    /// Whether the book holds a key (adding none).
    func holds(variant: Int64, location: Int64) -> Bool {
        guard let key = Self.packed(variant, location) else { return wideSlots[StockKey(variant: variant, location: location)] != nil }
        let mixed = Self.mix(key)
        return shards[Self.shard(mixed)].withUnsafeBufferPointer { Self.probe(key, mixed: mixed, in: $0).found }
    }

    /// Where a packed key is in its shard's table, or the free slot where it would go.
    @inline(__always)
    private static func probe(_ key: UInt64, mixed: UInt64, in entries: UnsafeBufferPointer<Entry>) -> (index: Int, found: Bool) {
        var index = home(mixed, in: entries.count)
        while entries[index].key != 0 {
            if entries[index].key & ~flags == key { return (index, true) }
            index += 1
            if index == entries.count { index = 0 }
        }
        return (index, false)
    }

    private mutating func wideSlot(variant: Int64, location: Int64) -> (slot: Int, isNew: Bool) {
        let key = StockKey(variant: variant, location: location)
        if let index = wideSlots[key] { return (-(index + 1), false) }
        wideSlots[key] = wide.count
        wide.append(WideEntry(variant: variant, location: location, onHand: 0))
        return (-wide.count, true)
    }

    subscript(slot: Int) -> Int64 {
        guard slot >= 0 else { return wide[-(slot + 1)].onHand }
        let (shard, index) = Self.place(of: slot)
        return shards[shard][index].onHand
    }

    /// Whether the file changed the key's on-hand.
    func isTouched(_ slot: Int) -> Bool {
        guard slot >= 0 else { return wide[-(slot + 1)].isTouched }
        let (shard, index) = Self.place(of: slot)
        return shards[shard][index].key & Self.touched != 0
    }

    /// Asks for the entry a lookup of the key probes first (see `prefetchCacheLine`).
    func prefetch(variant: Int64, location: Int64) {
        guard let key = Self.packed(variant, location) else { return }
        let mixed = Self.mix(key)
        shards[Self.shard(mixed)].withUnsafeBufferPointer { entries in
            if let base = entries.baseAddress { prefetchCacheLine(base + Self.home(mixed, in: entries.count)) }
        }
    }

    /// Forgets every key, keeping the room they took.
    mutating func removeAll() {
        for shard in shards.indices { shards[shard].withUnsafeMutableBufferPointer { $0.update(repeating: Entry(key: 0, onHand: 0)) } }
        shardCounts = Array(repeating: 0, count: Self.shardCount)
        count = 0
        wideSlots.removeAll()
        wide.removeAll()
    }

    /// Records the on-hand stored for a key.
    mutating func load(_ slot: Int, _ value: Int64) {
        if slot < 0 {
            (wide[-(slot + 1)].onHand, wide[-(slot + 1)].isStored) = (value, true)
        } else {
            let (shard, index) = Self.place(of: slot)
            shards[shard][index].onHand = value
            shards[shard][index].key |= Self.stored
        }
    }

    mutating func set(_ slot: Int, _ value: Int64) {
        if slot < 0 {
            (wide[-(slot + 1)].onHand, wide[-(slot + 1)].isTouched) = (value, true)
        } else {
            let (shard, index) = Self.place(of: slot)
            shards[shard][index].onHand = value
            shards[shard][index].key |= Self.touched
        }
    }

    /// Hands `body` the keys whose on-hand changed, with the new value, the stored ones first and
    /// then the new ones, each in key order (so that writing them walks the balances' b-tree in
    /// order, and a backend inserts the new ones in one stream), `chunk` at a time; the book is
    /// empty after. Each shard's changed entries are moved to its front and sorted there, by
    /// `RadixSort` (its scratch is 16 bytes a change), and the shards merged: a copy of them
    /// held 48 MB beside the book.
    mutating func drainChanged(chunk: Int = 1 << 16, _ body: ([BalanceChange]) throws -> Void) rethrows {
        // Its room goes too.
        defer { self = BalanceBook(capacity: 1) }
        var storedRuns: [Range<Int>] = [], newRuns: [Range<Int>] = []
        for shard in shards.indices {
            let (changed, stored) = shards[shard].withUnsafeMutableBufferPointer { entries -> (Int, Int) in
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
            storedRuns.append(0..<stored)
            newRuns.append(stored..<changed)
        }
        let wideChanged = wide.filter(\.isTouched).sorted { ($0.variant, $0.location) < ($1.variant, $1.location) }
        var changes: [BalanceChange] = []
        changes.reserveCapacity(min(chunk, count + wideChanged.count))
        // The packed entries of `runs` (one sorted run a shard), merged in key order with the
        // wide ones stored or not.
        func handOver(_ runs: [Range<Int>], _ wideChanged: [WideEntry]) throws {
            var next = runs.map(\.lowerBound)
            // Each run's next key (without flags), or none past its end: the least is found by
            // comparing 16 words (a heap would save little).
            func head(_ shard: Int) -> UInt64 { next[shard] < runs[shard].upperBound ? shards[shard][next[shard]].key >> 3 : .max }
            var heads = runs.indices.map(head)
            var nextWide = 0
            while true {
                var least = 0
                for shard in heads.indices where heads[shard] < heads[least] { least = shard }
                let packed = heads[least] == .max ? nil : StockKey(packed: heads[least])
                let change: BalanceChange
                if let packed, nextWide == wideChanged.count
                    || (packed.variant, packed.location) < (wideChanged[nextWide].variant, wideChanged[nextWide].location) {
                    let entry = shards[least][next[least]]
                    change = BalanceChange(variant: packed.variant, location: packed.location, onHand: entry.onHand,
                                           isStored: entry.key & Self.stored != 0)
                    next[least] += 1
                    heads[least] = head(least)
                } else if nextWide < wideChanged.count {
                    let entry = wideChanged[nextWide]
                    change = BalanceChange(variant: entry.variant, location: entry.location, onHand: entry.onHand, isStored: entry.isStored)
                    nextWide += 1
                } else {
                    return
                }
                changes.append(change)
                if changes.count == chunk {
                    try body(changes)
                    changes.removeAll(keepingCapacity: true)
                }
            }
        }
        try handOver(storedRuns, wideChanged.filter(\.isStored))
        try handOver(newRuns, wideChanged.filter { !$0.isStored })
        if !changes.isEmpty { try body(changes) }
    }

    /// How many keys have a stored balance.
    var storedCount: Int {
        shards.reduce(0) { sum, entries in sum + entries.count { $0.key & Self.stored != 0 } } + wide.count(where: \.isStored)
    }

    /// How many keys have a balance: stored, or set by the file (a key only looked up has none).
    var balanceCount: Int {
        shards.reduce(0) { sum, entries in sum + entries.count { $0.key & (Self.stored | Self.touched) != 0 } }
            + wide.count { $0.isStored || $0.isTouched }
    }

    /// Every key held, with its value.
    func forEach(_ body: (Int64, Int64, Int64) throws -> Void) rethrows {
        for entries in shards {
            for entry in entries where entry.key != 0 {
                let (variant, location) = Self.unpacked(entry.key)
                try body(variant, location, entry.onHand)
            }
        }
        for entry in wide { try body(entry.variant, entry.location, entry.onHand) }
    }

    private static func mix(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }

    /// The shard: the mix's top bits.
    private static func shard(_ mixed: UInt64) -> Int { Int(mixed >> UInt64(64 - shardBits)) }

    /// The first slot a key probes in a table of `size`: 32 bits of its hash, scaled.
    private static func home(_ mixed: UInt64, in size: Int) -> Int {
        Int((UInt64(UInt32(truncatingIfNeeded: mixed ^ (mixed >> 32))) &* UInt64(size)) >> 32)
    }

    /// How many keys the tables have room for now.
    var slotCount: Int { shards.reduce(0) { $0 + $1.count } }

    /// Room for `count` keys without growing: a scan of many stored balances grew the book a
    /// doubling at a time.
    mutating func reserve(_ count: Int) {
        let size = Self.shardSize(toHold: count)
        for shard in shards.indices where shards[shard].count < size { grow(shard, toAtLeast: size) }
    }

    /// Moves a shard's keys to a table of at least `size` slots, and at least half as many
    /// again as it has.
    private mutating func grow(_ shard: Int, toAtLeast size: Int) {
        let size = max(shards[shard].count * 3 / 2, size)
        var bigger = HugePageArray.filled(Entry(key: 0, onHand: 0), count: size)
        bigger.withUnsafeMutableBufferPointer { bigger in
            for entry in shards[shard] where entry.key != 0 {
                var index = Self.home(Self.mix(entry.key & ~Self.flags), in: bigger.count)
                while bigger[index].key != 0 {
                    index += 1
                    if index == bigger.count { index = 0 }
                }
                bigger[index] = entry
            }
        }
        shards[shard] = bigger
    }
}

/// A file's balances, read from `stock_levels` once and written back once. A tenant with
/// few stored balances is read whole in one scan into the book (none at all on a first
/// import); a larger one key by key, on first touch, until the file has looked up an eighth of
/// them: then the rest in one scan, into the book, or kept apart (`StoredBalances`) where few of
/// the keys looked up had a balance, each taken into the book as the file touches it.
struct BalanceCache {
    private(set) var book = BalanceBook()
    /// The stored balances the late scan read that the file has not touched yet.
    private(set) var scanned: StoredBalances?
    /// For a tenant with more balances than one scan reads: the table, key by key.
    private var lookup: (any BalanceLookup)?
    private let db: (any SQLConnection)?
    private let tenant: Int64
    /// The tenant's stored balances, how many keys the file has looked up in the table, and how
    /// many of those had a balance.
    private var stored = 0, lookedUp = 0, found = 0
    /// Up to this many stored balances are read in one scan (about 16 MB of book); tests
    /// lower it, to read key by key.
    @TaskLocal static var scanLimit = 250_000
    /// Up to this many stored balances are scanned once a file has looked up an eighth of them
    /// (32 MB kept apart at the limit, beside the book of the keys the file touches); past it,
    /// each key is looked up however many.
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
        try scanIntoBook(db)
    }

    /// Every stored balance the book lacks, into the book.
    private mutating func scanIntoBook(_ db: any SQLConnection) throws {
        try db.forEachBalance(tenant: tenant) { variant, location, onHand in
            let (slot, isNew) = book.slot(variant: variant, location: location)
            if isNew { book.load(slot, onHand) }
        }
    }

    /// Every stored balance not in the book yet, in one scan; none is looked up after. Into the
    /// book where a quarter or more of the keys looked up had one (the file goes on to touch
    /// most of them: apart, each would be held twice); else kept apart, so that the book holds
    /// only what the file touches (a file of new keys over 1.9 million balances: 161 to 148 MB).
    private mutating func readTheRest() throws {
        guard let db else { return }
        if found * 4 >= lookedUp {
            book.reserve(book.count + stored)
            try scanIntoBook(db)
        } else {
            let book = self.book
            scanned = try StoredBalances(
                count: max(0, stored - book.storedCount), reading: { try db.forEachBalance(tenant: tenant, $0) }, isHeld: book.holds)
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
        for (key, onHand) in try lookup.onHand(of: wanted) {
            book.load(book.slot(variant: key.variant, location: key.location).slot, onHand)
            found += 1
        }
    }

    /// The balance's slot and current on-hand.
    mutating func onHand(variant: Int64, location: Int64) throws -> (slot: Int, onHand: Int64) {
        try scanIfDue()
        let (slot, isNew) = book.slot(variant: variant, location: location)
        // Without a lookup the book and the scanned balances hold every stored one: a key in
        // neither has none.
        if isNew, let lookup {
            lookedUp += 1
            if let onHand = try lookup.onHand(variant: variant, location: location) {
                book.load(slot, onHand)
                found += 1
            }
        } else if isNew, let onHand = scanned?.take(variant: variant, location: location) {
            book.load(slot, onHand)
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

    /// Whether the book and the scanned balances hold every balance of the tenant (they read
    /// them all): before `write`, as they stand.
    var isWhole: Bool { lookup == nil && db != nil }

    /// Whether the file moved the balance: its movements are in the file's posting.
    func isTouched(_ slot: Int) -> Bool { book.isTouched(slot) }

    /// Asks for a balance's entry ahead of its lookup: a book of 100,000 balances outgrows
    /// the cache.
    func prefetch(variant: Int64, location: Int64) {
        book.prefetch(variant: variant, location: location)
        scanned?.prefetch(variant: variant, location: location)
    }

    /// Writes every changed balance once, in key order; the cache holds none after.
    mutating func write() throws {
        guard let db else { return }
        scanned = nil
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

    /// How many keys it sums.
    var count: Int { book.count }

    /// Each key's sum: variant, location, sum.
    mutating func forEach(_ body: (Int64, Int64, Int64) throws -> Void) rethrows {
        flush()
        try book.forEach(body)
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
