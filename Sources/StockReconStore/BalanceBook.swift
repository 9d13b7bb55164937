import StockReconCore

/// On-hand per (variant, location) for the keys one file touches: open addressing on
/// integer keys, one cache line per probe (Swift's hashed dictionary cost a tenth of an
/// import).
struct BalanceBook {
    private struct Entry {
        var variant: Int64
        var location: Int64
        var onHand: Int64
        var isUsed: Bool
        var isTouched: Bool
        /// The key has a row in `stock_levels` (so it is updated, not inserted).
        var isStored: Bool
    }

    private static let empty = Entry(variant: 0, location: 0, onHand: 0, isUsed: false, isTouched: false, isStored: false)
    private var entries: [Entry]
    private var count = 0
    private var mask: Int

    init(capacity: Int = 1 << 12) {
        var size = 16
        while size < capacity * 2 { size <<= 1 }
        mask = size - 1
        entries = HugePageArray.filled(Self.empty, count: size)
    }

    /// The slot of a key, and whether it was just added (its on-hand still to be loaded).
    mutating func slot(variant: Int64, location: Int64) -> (slot: Int, isNew: Bool) {
        if (count + 1) * 2 > mask + 1 { grow() }
        return entries.withUnsafeMutableBufferPointer { entries in
            var index = Self.hash(variant, location) & mask
            while entries[index].isUsed {
                if entries[index].variant == variant, entries[index].location == location { return (index, false) }
                index = (index + 1) & mask
            }
            entries[index] = Entry(variant: variant, location: location, onHand: 0, isUsed: true, isTouched: false, isStored: false)
            count += 1
            return (index, true)
        }
    }

    subscript(slot: Int) -> Int64 { entries[slot].onHand }

    /// Asks for the entry a lookup of the key probes first (see `prefetchCacheLine`).
    func prefetch(variant: Int64, location: Int64) {
        entries.withUnsafeBufferPointer { entries in
            if let base = entries.baseAddress { prefetchCacheLine(base + (Self.hash(variant, location) & mask)) }
        }
    }

    /// Records the on-hand stored for a key.
    mutating func load(_ slot: Int, _ value: Int64) {
        entries[slot].onHand = value
        entries[slot].isStored = true
    }

    mutating func set(_ slot: Int, _ value: Int64) {
        entries[slot].onHand = value
        entries[slot].isTouched = true
    }

    /// Keys whose on-hand changed, with the new value, in key order (so that writing them
    /// walks the balances' b-tree in order).
    var changed: [(variant: Int64, location: Int64, onHand: Int64, isStored: Bool)] {
        entries.filter(\.isTouched)
            .sorted { ($0.variant, $0.location) < ($1.variant, $1.location) }
            .map { ($0.variant, $0.location, $0.onHand, $0.isStored) }
    }

    private static func hash(_ variant: Int64, _ location: Int64) -> Int {
        let mixed = UInt64(bitPattern: variant) &* 0x9E37_79B9_7F4A_7C15 ^ UInt64(bitPattern: location) &* 0xC2B2_AE3D_27D4_EB4F
        return Int(truncatingIfNeeded: mixed ^ (mixed >> 29))
    }

    private mutating func grow() {
        var bigger = BalanceBook(capacity: mask + 1)
        for entry in entries where entry.isUsed {
            let (slot, _) = bigger.slot(variant: entry.variant, location: entry.location)
            bigger.entries[slot] = entry
        }
        self = bigger
    }
}

/// A file's balances, read from `stock_levels` once and written back once. A tenant with
/// few stored balances is read whole in one scan (none at all on a first import); a larger
/// one key by key, on first touch.
struct BalanceCache {
    private var book = BalanceBook()
    private var load: FastStatement?
    private let db: (any SQLConnection)?
    private let tenant: Int64
    /// Every stored balance of the tenant is in the book: a key not there has none.
    private var isComplete = false
    /// Up to this many stored balances are read in one scan (about 16 MB of book).
    static let scanLimit = 250_000

    /// Holds the place of the real cache while it is lent out.
    static var placeholder: BalanceCache { BalanceCache() }

    private init() {
        tenant = 0
        load = nil
        db = nil
        book = BalanceBook(capacity: 1)
    }

    init(_ db: any SQLConnection, tenant: Int64, scanLimit: Int = BalanceCache.scanLimit) throws {
        self.tenant = tenant
        self.db = db
        let stored = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM stock_levels WHERE tenant = ?", arguments: [tenant]) ?? 0
        let scanSQL = "SELECT variant, location, on_hand FROM stock_levels WHERE tenant = ?"
        if stored <= scanLimit, db.dialect == .postgres {
            book = BalanceBook(capacity: max(4096, stored))
            for row in try db.fetchAll(sql: scanSQL, arguments: [tenant]) {
                let (slot, _) = book.slot(variant: try row[0], location: try row[1])
                book.load(slot, try row[2])
            }
            isComplete = true
        } else if stored <= scanLimit {
            book = BalanceBook(capacity: max(4096, stored))
            var scan = try FastStatement(db, sql: scanSQL)
            scan.reset()
            scan.bind(tenant, at: 1)
            while try scan.step() {
                let (slot, _) = book.slot(variant: scan.int64(column: 0), location: scan.int64(column: 1))
                book.load(slot, scan.int64(column: 2))
            }
            isComplete = true
        } else if db.dialect == .sqlite {
            load = try FastStatement(db, sql: Self.loadSQL)
        }
    }

    private static let loadSQL = "SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = ? AND location = ?"

    /// The balance's slot and current on-hand.
    mutating func onHand(variant: Int64, location: Int64) throws -> (slot: Int, onHand: Int64) {
        let (slot, isNew) = book.slot(variant: variant, location: location)
        if isNew, !isComplete, load == nil, let db {
            // PostgreSQL, a tenant with more balances than one scan reads: a round trip a key.
            if let onHand = try db.fetchValue(Int64.self, sql: Self.loadSQL, arguments: [tenant, variant, location]) {
                book.load(slot, onHand)
            }
        } else if isNew, !isComplete, load != nil {
            load?.reset()
            load?.bind(tenant, at: 1)
            load?.bind(variant, at: 2)
            load?.bind(location, at: 3)
            if try load?.step() == true, let onHand = load?.int64(column: 0) { book.load(slot, onHand) }
        }
        return (slot, book[slot])
    }

    mutating func set(_ slot: Int, _ value: Int64) { book.set(slot, value) }

    /// Asks for a balance's entry ahead of its lookup: a book of 100,000 balances outgrows
    /// the cache.
    func prefetch(variant: Int64, location: Int64) { book.prefetch(variant: variant, location: location) }

    /// Writes every changed balance once, in key order: an update where a row is stored,
    /// an insert where none is.
    func write() throws {
        guard let db else { return }
        if db.dialect == .postgres { return try writeOnServer(db) }
        var update = try FastStatement(db, sql: "UPDATE stock_levels SET on_hand = ? WHERE tenant = ? AND variant = ? AND location = ?")
        var insert = try FastStatement(db, sql: "INSERT INTO stock_levels (on_hand, tenant, variant, location) VALUES (?, ?, ?, ?)")
        for (variant, location, onHand, isStored) in book.changed {
            func write(_ statement: inout FastStatement) throws {
                statement.reset()
                statement.bind(onHand, at: 1)
                statement.bind(tenant, at: 2)
                statement.bind(variant, at: 3)
                statement.bind(location, at: 4)
                try statement.step()
            }
            if isStored { try write(&update) } else { try write(&insert) }
        }
    }

    /// PostgreSQL: the stored balances changed in one UPDATE, the keys as arrays; the new ones
    /// by COPY, faster than `INSERT … ON CONFLICT DO UPDATE` of each. The tenant's lock makes
    /// `isStored` exact, as it is for SQLite's statements.
    private func writeOnServer(_ db: any SQLConnection) throws {
        let changed = book.changed
        let stored = changed.filter(\.isStored)
        if !stored.isEmpty {
            try db.execute(sql: """
                UPDATE stock_levels AS s SET on_hand = u.on_hand
                FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS u (variant, location, on_hand)
                WHERE s.tenant = ? AND s.variant = u.variant AND s.location = u.location
                """, arguments: [stored.map(\.variant).postgresArray, stored.map(\.location).postgresArray, stored.map(\.onHand).postgresArray, tenant])
        }
        var inserter = try RowInserter(db, table: "stock_levels", columns: ["tenant", "variant", "location", "on_hand"])
        for balance in changed where !balance.isStored {
            try inserter.append([tenant, balance.variant, balance.location, balance.onHand])
        }
        try inserter.finish()
    }
}
