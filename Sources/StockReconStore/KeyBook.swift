import StockReconCore

/// The natural keys a tenant had used before a file: each key's content digest and outcome.
/// Read in one scan and never changed, so the checking thread can settle a row it already
/// knows before validating it while the posting thread reads the same keys.
public final class KnownKeys: Sendable {
    private let index: TextIndex
    private let digests: [Int64]
    private let outcomes: [Outcome]

    /// At most this many keys are held in memory; a tenant with more is looked up key by key
    /// (PostgreSQL: a batch's keys at once). Task-local, so that tests can reach that path.
    @TaskLocal static var scanLimit = 1_200_000

    /// The tenant's keys (its key blocks, then its `idempotency_keys` rows, which are newer
    /// where a key is in both), or nil when there are more than `limit`: then the blocks
    /// are moved into the table, to be looked up key by key.
    static func load(_ db: any SQLConnection, tenant: Int64, limit: Int = scanLimit) throws -> KnownKeys? {
        let blocks = try KeyBlocks.totals(tenant: tenant, in: db)
        // Counted only as far as the limit: a tenant of millions of keys counted them every run.
        let rows = blocks.count > limit ? 0 : try db.fetchValue(Int.self, sql: """
            SELECT count(*) FROM (SELECT 1 FROM idempotency_keys WHERE tenant = ? LIMIT ?) AS k
            """, arguments: [tenant, limit - blocks.count + 1]) ?? 0
        guard rows + blocks.count <= limit else {
            if blocks.count > 0 { try KeyBlocks.moveIntoTable(tenant: tenant, in: db) }
            return nil
        }
        var keys = KeyBlocks.Keys()
        keys.arena.reserveCapacity(blocks.bytes)
        keys.ends.reserveCapacity(blocks.count + rows)
        try KeyBlocks.read(tenant: tenant, in: db, into: &keys)
        var index = TextIndex(arena: keys.arena, ends: keys.ends)
        var (digests, outcomes) = (keys.digests, keys.outcomes)
        keys = KeyBlocks.Keys()
        func add(_ key: BorrowedText, digest: Int64, outcome: Outcome) {
            if let entry = index.value(for: key) {
                (digests[entry], outcomes[entry]) = (digest, outcome)
            } else {
                index.append(unique: key, value: digests.count)
                digests.append(digest)
                outcomes.append(outcome)
            }
        }
        if rows > 0 {
            try db.forEachKey(tenant: tenant) { key, digest, code in add(key, digest: digest, outcome: try Outcome(code: code)) }
        }
        return KnownKeys(index: index, digests: digests, outcomes: outcomes)
    }

    private init(index: TextIndex, digests: [Int64], outcomes: [Outcome]) {
        self.index = index
        self.digests = digests
        self.outcomes = outcomes
    }

    public var count: Int { digests.count }

    func prefetch(hash: UInt64) { index.prefetch(hash: hash) }

    /// What a key (with its `TextIndex` hash) saw before the file, nil for a key not used before.
    public func earlier(_ key: BorrowedText, hash: UInt64) -> EarlierKey? {
        index.value(for: key, hash: hash).map { EarlierKey(contentDigest: digests[$0], outcome: outcomes[$0]) }
    }
}

/// Where a row's natural key stands as the row is posted: its entry among the keys this
/// file adds (-1: none, as the key was used before the file) and what it saw before the file.
struct KeyClaim {
    fileprivate let entry: Int
    fileprivate let before: EarlierKey?
}

/// The natural keys for the rows of one file: what each key saw before (the known keys,
/// or, for a tenant with too many to hold, the table key by key) and the keys this file
/// adds, written in blocks as its rows end, inside the file's transaction.
///
/// A batch's keys are claimed in one loop before its rows are posted, each key's slots
/// asked for a few keys ahead: a lookup in a table of a million keys otherwise waits on
/// memory.
struct KeyBook {
    let known: KnownKeys?
    /// For a tenant with more keys than are held: the table, key by key.
    private let lookup: (any KeyLookup)?
    /// The same, where it reads a batch's keys at once.
    private let batchLookup: (any BatchKeyLookup)?
    /// The keys this file adds, each with the digest and outcome of the row that used it;
    /// the outcome is nil until that row ends, and again if it was refused (a refused row's
    /// key is not remembered: the next row with it is judged afresh).
    private var added = TextIndex()
    private var digests: [Int64] = []
    private var outcomes: [Outcome?] = []
    /// The claims of the batch being posted, by valid row (nil: the row has no key).
    private var batchClaims: [KeyClaim?] = []
    /// What the batch's keys saw before the file, by row, where they are read ahead.
    private var storedAhead: [Int: EarlierKey] = [:]
    /// Entries before this one are in blocks already (or in `refusedUnwritten`): a file's
    /// keys are written a block at a time as its rows end, while the posting thread waits on
    /// the checking thread, instead of all at the end.
    private var unwritten = 0
    /// Entries whose rows were refused when their block was written: a later row with the
    /// same key may still end, and is then written at `flush`.
    private var refusedUnwritten: [Int] = []
    /// How many ended keys make a block worth writing before the file ends.
    private let keysPerEarlyBlock: Int
    private let tenant: Int64
    private let run: Int64
    /// Nil only in the placeholder.
    private let rows: (any KeyRowWriting)?

    static var placeholder: KeyBook { KeyBook() }

    private init() {
        known = nil
        lookup = nil
        batchLookup = nil
        rows = nil
        tenant = 0
        run = 0
        keysPerEarlyBlock = KeyBlocks.keysPerEarlyBlock
    }

    init(
        _ db: any SQLConnection, tenant: Int64, run: Int64, scanLimit: Int = KnownKeys.scanLimit, keysPerEarlyBlock: Int = KeyBlocks.keysPerEarlyBlock
    ) throws {
        self.tenant = tenant
        self.run = run
        self.keysPerEarlyBlock = keysPerEarlyBlock
        known = try KnownKeys.load(db, tenant: tenant, limit: scanLimit)
        lookup = known == nil ? try db.keyLookup(tenant: tenant) : nil
        batchLookup = lookup as? any BatchKeyLookup
        rows = try db.keyRowWriter(tenant: tenant, keepingStored: false)
    }

    /// Claims a key for a row: finds it among this file's keys, or else what it saw before
    /// the file, or else adds it (with no outcome yet). A key used before the file is never
    /// added: its row is a duplicate or a conflict.
    /// `row`: the key's row in the batch being claimed, whose stored key was read ahead.
    mutating func claim(_ key: BorrowedText, hash: UInt64, row: Int? = nil) throws -> KeyClaim {
        if let entry = added.value(for: key, hash: hash) { return KeyClaim(entry: entry, before: nil) }
        if let before = try beforeFile(key, hash: hash, row: row) { return KeyClaim(entry: -1, before: before) }
        added.append(unique: key, value: digests.count, hash: hash)
        digests.append(0)
        outcomes.append(nil)
        return KeyClaim(entry: digests.count - 1, before: nil)
    }

    /// What a claimed key saw before its row: an earlier row of this file, or before the file.
    func earlier(_ claim: KeyClaim) -> EarlierKey? {
        guard claim.entry >= 0 else { return claim.before }
        return outcomes[claim.entry].map { EarlierKey(contentDigest: digests[claim.entry], outcome: $0) }
    }

    /// Records how a claimed key's row ended (not refused: a refused row's key is not
    /// remembered); it is written at `flush`. Only a key no row had used reaches here: a
    /// row whose key was seen is a duplicate or a conflict.
    mutating func record(_ claim: KeyClaim, digest: Int64, outcome: Outcome) {
        guard claim.entry >= 0 else { return }
        digests[claim.entry] = digest
        outcomes[claim.entry] = outcome
    }

    /// Claims the keys of a batch's valid rows, in order, for `earlier(row:)` and `record(row:)`.
    mutating func claim(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        batchClaims.removeAll(keepingCapacity: true)
        try readAhead(batch, arena: arena)
        let hashes = batch.keyHashes
        for row in batch.records.indices {
            if row + Self.prefetchDistance < hashes.count {
                let ahead = hashes[row + Self.prefetchDistance]
                if ahead != 0 {
                    added.prefetch(hash: ahead)
                    known?.prefetch(hash: ahead)
                }
            }
            guard let key = batch.borrowed(.naturalKey, of: row, arena: arena) else {
                batchClaims.append(nil)
                continue
            }
            batchClaims.append(try claim(key, hash: hashes[row], row: row))
        }
    }

    /// Reads the stored keys of a batch's rows at once, where the lookup does so (PostgreSQL,
    /// for a tenant with more keys than are held: a statement a key waited a round trip each,
    /// a million keyed rows 180 s).
    private mutating func readAhead(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        guard let batched = batchLookup else { return }
        storedAhead.removeAll(keepingCapacity: true)
        var rows: [Int] = []
        var keys: [String] = []
        for row in batch.records.indices {
            guard let key = batch.borrowed(.naturalKey, of: row, arena: arena) else { continue }
            rows.append(row)
            keys.append(key.string)
        }
        for stored in try batched.stored(keys) where keys.indices.contains(stored.place) {
            storedAhead[rows[stored.place]] = EarlierKey(contentDigest: stored.digest, outcome: try Outcome(code: stored.outcomeCode))
        }
    }

    /// How many keys ahead `claim` asks for slots: far enough for memory to answer.
    static let prefetchDistance = 16

    func earlier(row: Int) -> EarlierKey? { batchClaims[row].flatMap(earlier) }

    mutating func record(row: Int, digest: Int64, outcome: Outcome) {
        if let claim = batchClaims[row] { record(claim, digest: digest, outcome: outcome) }
    }

    /// What a key saw before the file: the known keys, or (for a large tenant) the table.
    private func beforeFile(_ key: BorrowedText, hash: UInt64, row: Int?) throws -> EarlierKey? {
        if let known { return known.earlier(key, hash: hash) }
        if let row, batchLookup != nil { return storedAhead[row] }
        guard let stored = try lookup?.stored(key) else { return nil }
        return EarlierKey(contentDigest: stored.digest, outcome: try Outcome(code: stored.outcomeCode))
    }

    /// Writes a block of the keys claimed so far once there are enough of them; called
    /// between batches, when every claimed key's row has ended. A tenant whose keys are
    /// looked up one by one has them written as table rows, at `flush`.
    mutating func writeEndedBlock(in db: any SQLConnection) throws {
        guard known != nil, added.count - unwritten >= keysPerEarlyBlock else { return }
        try writeBlocks(of: unwritten ..< added.count, in: db)
        unwritten = added.count
    }

    /// Writes the keys this file added whose rows ended and are not written yet: as key
    /// blocks, or for a tenant looked up key by key, as table rows in key order (SQLite's
    /// BINARY collation: bytes, then length), so that the B-tree takes them page by page.
    /// Held keys are rows in either case, so that deciding their approval updates their
    /// outcome. A key whose rows were all refused is not remembered.
    mutating func flush(in db: any SQLConnection) throws {
        guard !outcomes.isEmpty else { return }
        if known == nil {
            try insertRows(added.entriesInByteOrder().filter { outcomes[$0] != nil })
        } else {
            let late = refusedUnwritten.filter { outcomes[$0] != nil }
            if !late.isEmpty {
                try KeyBlocks.write(late, of: added, digests: digests, outcomes: outcomes, tenant: tenant, run: run, in: db)
            }
            try writeBlocks(of: unwritten ..< added.count, in: db)
            let held = outcomes.indices.filter { outcomes[$0] == .pending }.sorted { left, right in
                added.withKey(ofEntry: left) { a in added.withKey(ofEntry: right) { b in a.lexicographicallyPrecedes(b) } }
            }
            try insertRows(held)
        }
        added = TextIndex()
        digests.removeAll()
        outcomes.removeAll()
        (unwritten, refusedUnwritten) = (0, [])
    }

    /// Writes the ended keys among `entries` as blocks; the refused wait in `refusedUnwritten`.
    private mutating func writeBlocks(of entries: Range<Int>, in db: any SQLConnection) throws {
        var ended: [Int] = []
        ended.reserveCapacity(entries.count)
        for entry in entries {
            if outcomes[entry] == nil { refusedUnwritten.append(entry) } else { ended.append(entry) }
        }
        try KeyBlocks.write(ended, of: added, digests: digests, outcomes: outcomes, tenant: tenant, run: run, in: db)
    }

    /// Writes `order`'s entries (each ended) as `idempotency_keys` rows.
    private func insertRows(_ order: [Int]) throws {
        let ended = outcomes.map { $0 ?? .rejected }  // a refused entry is never in `order`
        try rows?.insert(order, of: added, digests: digests, outcomes: ended, run: run)
    }
}
