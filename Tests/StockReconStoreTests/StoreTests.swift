import Foundation
import Testing
import GRDBSQLite
import StockReconBackends
@testable import StockReconSQLite
@testable import StockReconStore
import StockReconCore
import TestSupport

/// A new database in `folder`, which the suite holds for the test and removes after it.
func temporaryStore(in folder: TemporaryDirectory) throws -> Store {
    try Store(path: folder.path("store-\(UUID().uuidString).sqlite"))
}

/// A tenant with one org, one location and one variant, and a file posting ready to use.
func seeded(_ store: Store, tenantID: String = "t1") throws -> (tenant: Int64, catalog: Catalog) {
    try store.write("seeding") { db in
        let tenant = try Store.tenantKey(db, tenantID)
        try Store.upsert([
            .org(orgID: "acme", name: "Acme", defaultLocationID: "WH"),
            .location(locationID: "WH", siteID: nil, name: nil),
            .variant(variantID: "1001", productID: nil, orgID: "acme", sku: "TENT", barcode: nil, unitCostMinor: 500, isLocationAware: false),
        ], tenant: tenant, run: 0, in: db)
        return (tenant, try Store.catalog(tenant: tenant, in: db))
    }
}

func adjustment(_ catalog: Catalog, record: Int, delta: Int64) throws -> ValidAdjustment<String> {
    let variant = try #require(catalog.variant("1001", by: .variantID))
    let location = try #require(catalog.locations["WH"])
    return ValidAdjustment<String>(
        record: record, line: record + 1, variantKey: variant.id, locationID: location.id, change: .delta(delta),
        unitCostMinor: 500, notes: "n", contentDigest: 0)
}

/// Posts one file of the given deltas for variant 1001 at WH, in one transaction.
func postFile(_ deltas: [Int64], store: Store, tenant: Int64, catalog: Catalog) throws {
    try store.write("posting") { db in
        let run = try Store.beginRun(tenant: tenant, orgID: "acme", command: RunCommand(.importFormat("synq")), in: db)
        let context = PostingContext(tenant: tenant, tenantID: "t1", org: try #require(catalog.orgs["acme"]).id, run: run, user: nil)
        let posting = try FilePosting(db: db, context: context, known: nil, sha256: "abc", path: "f.csv", format: "synq", reading: "test")
        var batch = PostingBatch(capacity: deltas.count)
        for (record, delta) in deltas.enumerated() { batch.append(try adjustment(catalog, record: record + 1, delta: delta)) }
        try posting.withBatch(batch) { writer, arena in
            for row in 0 ..< batch.validRows {
                let state = try posting.state(of: row, in: batch, arena: arena, writer: &writer)
                guard case .delta(let delta) = state.change else { return }
                try posting.append(state, kind: .adjustment, delta: delta, of: batch, arena: arena, writer: &writer)
            }
        }
        try posting.finish(OutcomeCounts(rows: deltas.count, posted: deltas.count))
    }
}

@Suite struct StoreTests {
    let folder = TemporaryDirectory(prefix: "stockrecon-store")
    @Test func createsThePublicTablesAndViews() throws {
        let store = try temporaryStore(in: folder)
        let names = try store.read { db in try db.fetchValues(String.self, sql: "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')") }
        for name in ["movements", "balances", "rejections", "runs"] { #expect(names.contains(name)) }
        let columns = try store.read { db in try db.fetchValues(String.self, sql: "SELECT name FROM pragma_table_info('movements')") }
        #expect(columns == Store.movementColumns)
    }

    /// A smaller page cache for a piece of work, its pages given back, and the cache as it was
    /// after, whether the work ends or throws.
    @Test func aPageCacheGivenBackIsTheCacheAsItWasAfter() throws {
        struct Failure: Error {}
        let store = try temporaryStore(in: folder)
        try store.write("checking") { db in
            let before = try db.fetchValue(Int64.self, sql: "PRAGMA cache_size")
            #expect(before == -24576)
            #expect(try db.withPageCacheGivenBack(megabytes: 2) { try db.fetchValue(Int64.self, sql: "PRAGMA cache_size") } == -2048)
            #expect(throws: Failure.self) { try db.withPageCacheGivenBack(megabytes: 3) { throw Failure() } }
            #expect(try db.fetchValue(Int64.self, sql: "PRAGMA cache_size") == before)
        }
    }

    /// WAL, and every commit synced (FULL, 2), which GRDB's own WAL set-up turned to NORMAL (1):
    /// a power cut could take back a run reported done.
    @Test func usesWALAndSyncsEveryCommit() throws {
        let store = try temporaryStore(in: folder)
        #expect(try store.read { try $0.fetchValue(String.self, sql: "PRAGMA journal_mode") } == "wal")
        #expect(try store.write("checking") { try $0.fetchValue(Int.self, sql: "PRAGMA synchronous") } == 2)
    }

    /// A first catalog load made alone takes a rollback journal, which writes each page once, its
    /// commits syncing the folder too (EXTRA, 3), and leaves the write-ahead log in place after, whether it ends or throws; with another
    /// connection on the file, or a variant loaded already, or inside a transaction, it keeps
    /// the log throughout.
    @Test func aFirstCatalogLoadMadeAloneTakesARollbackJournalAndTheLogAfter() throws {
        struct Failure: Error {}
        func modeDuring(_ store: Store) throws -> String? {
            try store.withConnection("loading") { db in
                let during = try db.loadingFirstCatalog {
                    try db.fetchValue(String.self, sql: "PRAGMA journal_mode").map { "\($0) \(try db.fetchValue(Int.self, sql: "PRAGMA synchronous") ?? 0)" }
                }
                #expect(try db.fetchValue(String.self, sql: "PRAGMA journal_mode") == "wal")
                #expect(try db.fetchValue(Int.self, sql: "PRAGMA synchronous") == 2)
                return during
            }
        }
        let path = folder.path("first-load-\(UUID().uuidString).sqlite")
        let store = try Store(path: path)
        #expect(try modeDuring(store) == "delete 3")
        #expect(throws: Failure.self) { try store.withConnection("loading") { db in try db.loadingFirstCatalog { throw Failure() } } }
        #expect(try store.read { try $0.fetchValue(String.self, sql: "PRAGMA journal_mode") } == "wal")
        #expect(!FileManager.default.fileExists(atPath: path + "-journal"))
        #expect(try store.write("loading") { db in try db.loadingFirstCatalog { try db.fetchValue(String.self, sql: "PRAGMA journal_mode") } } == "wal")

        let other = try Store(path: path)
        #expect(try other.read { try $0.fetchValue(Int64.self, sql: "SELECT count(*) FROM catalog_variants") } == 0)
        #expect(try modeDuring(store) == "wal 2")

        let loaded = try temporaryStore(in: folder)
        _ = try seeded(loaded)
        #expect(try modeDuring(loaded) == "wal 2")
    }

    @Test func postsWithExactBeforeAndAfterAndOneBalanceWrite() throws {
        let store = try temporaryStore(in: folder)
        let (tenant, catalog) = try seeded(store)
        try postFile([5, -2, 10, -13, 1], store: store, tenant: tenant, catalog: catalog)
        let rows = try store.read { db in
            try db.fetchAll(sql: "SELECT quantity_delta, quantity_before, quantity_after FROM movements ORDER BY id")
                .map { [try $0[0] as Int64, try $0[1] as Int64, try $0[2] as Int64] }
        }
        #expect(rows == [[5, 0, 5], [-2, 5, 3], [10, 3, 13], [-13, 13, 0], [1, 0, 1]])
        var balances: [[TableValue]] = []
        try store.forEachBalance(tenantID: "t1", variantID: nil, locationID: nil) { balances.append($0) }
        #expect(balances == [[.text("1001"), .text("WH"), .integer(1), .null]])
    }

    @Test(arguments: [
        "UPDATE ledger SET quantity_delta = 99",
        "DELETE FROM ledger",
        "UPDATE movements SET quantity_delta = 99",
        "DELETE FROM movements",
    ])
    func theLedgerRefusesUpdateAndDelete(sql: String) throws {
        let store = try temporaryStore(in: folder)
        let (tenant, catalog) = try seeded(store)
        try postFile([3], store: store, tenant: tenant, catalog: catalog)
        #expect {
            try store.write("tampering") { db in try db.execute(sql: sql) }
        } throws: { error in
            String(describing: error).contains("append-only")
        }
        #expect(try store.read { try $0.fetchValue(Int.self, sql: "SELECT count(*) FROM movements WHERE quantity_delta = 3") } == 1)
    }

    @Test func catalogsAreSeparatePerTenant() throws {
        let store = try temporaryStore(in: folder)
        let (_, first) = try seeded(store, tenantID: "t1")
        let other = try store.write("other tenant") { db -> Catalog in
            let tenant = try Store.tenantKey(db, "t2")
            try Store.upsert([.variant(variantID: "9", productID: nil, orgID: "o", sku: nil, barcode: nil, unitCostMinor: nil, isLocationAware: true)], tenant: tenant, run: 0, in: db)
            return try Store.catalog(tenant: tenant, in: db)
        }
        #expect(first.variant("9", by: .variantID) == nil)
        #expect(other.variant("1001", by: .variantID) == nil)
        #expect(other.variant("9", by: .variantID) != nil)
    }

    @Test func loadingTheCatalogAgainUpdatesInPlace() throws {
        let store = try temporaryStore(in: folder)
        let (tenant, before) = try seeded(store)
        let after = try store.write("reload") { db -> Catalog in
            try Store.upsert([.variant(variantID: "1001", productID: nil, orgID: "acme", sku: "TENT-2", barcode: nil, unitCostMinor: 650, isLocationAware: true)], tenant: tenant, run: 0, in: db)
            return try Store.catalog(tenant: tenant, in: db)
        }
        #expect(after.variant("1001", by: .variantID)?.id == before.variant("1001", by: .variantID)?.id)
        #expect(after.variant("1001", by: .variantID)?.unitCostMinor == 650)
        #expect(after.variant("TENT-2", by: .sku) != nil)
    }
}

@Suite struct BalanceBookTests {
    @Test func keepsEveryKeyApartThroughGrowth() {
        var book = BalanceBook(capacity: 4)
        for variant in 0..<300 {
            for location in 0..<7 {
                let (slot, isNew) = book.slot(variant: Int64(variant), location: Int64(location))
                #expect(isNew)
                book.set(slot, Int64(variant * 10 + location))
            }
        }
        let (slot, isNew) = book.slot(variant: 123, location: 4)
        #expect(!isNew)
        #expect(book[slot] == 1234)
        var changed = 0
        book.drainChanged { changed += $0.count }
        #expect(changed == 2100)
    }

    /// The changes are handed over the stored ones first, then the new ones, each in key order,
    /// a chunk at a time, each with its new value and whether it was stored; keys read and not
    /// changed are not among them, and the book is empty after.
    @Test func drainsTheChangedInKeyOrderAChunkAtATime() {
        var random = SplitMix64(seed: 7)
        var book = BalanceBook(capacity: 16)
        var expected: [String] = []
        for key in (0..<3_000).shuffled(using: &random) {
            let (variant, location) = (Int64(key / 10), Int64(key % 10))
            let (slot, _) = book.slot(variant: variant, location: location)
            let isStored = key % 3 == 0
            if isStored { book.load(slot, -5) }
            guard key % 4 != 0 else { continue }
            book.set(slot, Int64(key) * 7)
            expected.append("\(variant) \(location) \(key * 7) \(isStored)")
        }
        var drained: [String] = []
        var chunks: [Int] = []
        book.drainChanged(chunk: 100) { changes in
            chunks.append(changes.count)
            drained += changes.map { "\($0.variant) \($0.location) \($0.onHand) \($0.isStored)" }
        }
        // Stored (true) before new (false), then by variant and location.
        func order(_ line: String) -> [Int] {
            let fields = line.split(separator: " ")
            return [fields[3] == "true" ? 0 : 1] + fields.prefix(2).map { Int($0) ?? 0 }
        }
        expected.sort { order($0).lexicographicallyPrecedes(order($1)) }
        #expect(drained.count == expected.count)
        #expect(Array(zip(drained, expected).filter { $0.0 != $0.1 }.prefix(3).map(\.0)) == [], "changes handed over out of order or changed")
        #expect(chunks.count == 23 && chunks.dropLast().allSatisfy { $0 == 100 } && chunks.last == 2_250 - 2_200)
        #expect(book.slot(variant: 1, location: 1).isNew)
    }
}

extension BalanceBookTests {
    /// Keys too large to pack into an entry (variants from 2^41, locations from 2^20) are kept
    /// apart: mixed with packed ones and ones at the packing's edges, every key keeps its own
    /// value through growth, and the changes are handed over merged, in key order.
    @Test func keepsKeysTooLargeToPackBesideThePackedOnes() {
        var random = SplitMix64(seed: 11)
        let variants: [Int64] = [0, 1, 7, (1 << 41) - 1, 1 << 41, (1 << 41) + 3, Int64.max, 1 << 40]
        let locations: [Int64] = [0, 1, (1 << 20) - 1, 1 << 20, 1 << 33, Int64.max]
        var keys: [(Int64, Int64)] = []
        for variant in variants { for location in locations { keys.append((variant, location)) } }
        for _ in 0..<2_000 { keys.append((Int64(random.next() % 5_000), Int64(random.next() % 40))) }
        var book = BalanceBook(capacity: 4)
        var expected: [StockKey: Int64] = [:]
        for (step, (variant, location)) in keys.shuffled(using: &random).enumerated() {
            let (slot, isNew) = book.slot(variant: variant, location: location)
            let key = StockKey(variant: variant, location: location)
            #expect(isNew == (expected[key] == nil), "key \(variant), \(location) new twice, or never")
            let value = (expected[key] ?? 0) + Int64(step)
            book.set(slot, value)
            expected[key] = value
        }
        for (key, value) in expected {
            let (slot, isNew) = book.slot(variant: key.variant, location: key.location)
            #expect(!isNew && book[slot] == value, "key \(key.variant), \(key.location)")
        }
        var drained: [(Int64, Int64, Int64)] = []
        book.drainChanged(chunk: 37) { drained += $0.map { ($0.variant, $0.location, $0.onHand) } }
        let sorted = expected.sorted { ($0.key.variant, $0.key.location) < ($1.key.variant, $1.key.location) }
        #expect(drained.count == sorted.count)
        #expect(zip(drained, sorted).allSatisfy { $0.0 == $1.key.variant && $0.1 == $1.key.location && $0.2 == $1.value })
    }
}

extension BalanceBookTests {
    /// Room reserved at once keeps every key and on-hand, and holds as many keys as reserved
    /// without growing again (a late scan of many stored balances).
    @Test func roomReservedKeepsItsKeysAndHoldsWhatWasAsked() {
        var book = BalanceBook(capacity: 16)
        for key in 1...40 as ClosedRange<Int64> {
            let (slot, _) = book.slot(variant: key, location: key % 3)
            book.set(slot, key * 10)
        }
        book.reserve(40 + 100_000)
        let room = book.slotCount
        #expect(room * 3 >= 100_040 * 4)
        for key in 1...40 as ClosedRange<Int64> {
            let (slot, isNew) = book.slot(variant: key, location: key % 3)
            #expect(!isNew && book[slot] == key * 10 && book.isTouched(slot))
        }
        for key in 41...100_040 as ClosedRange<Int64> { _ = book.slot(variant: key, location: 1) }
        #expect(book.slotCount == room && book.count == 100_040)
    }
}

extension BalanceBookTests {
    /// The book grows a shard at a time, by half: no step adds more than a small part of the
    /// room it has (one table doubling added all of it, and held both), and the room stays
    /// within twice the keys held. Keys in order (as a catalog's ids are) and scattered alike.
    @Test func growsAShardAtATimeWithinTwiceItsKeys() {
        var random = SplitMix64(seed: 5)
        for scattered in [false, true] {
            var book = BalanceBook(capacity: 1)
            var room = book.slotCount
            for key in 1...300_000 as ClosedRange<Int64> {
                let variant = scattered ? Int64(random.next() % (1 << 40)) : key
                let (slot, _) = book.slot(variant: variant, location: key % 20)
                book.set(slot, key)
                if book.slotCount != room {
                    #expect(room < 4_096 || (book.slotCount - room) * 8 <= room, "a step from \(room) slots to \(book.slotCount)")
                    room = book.slotCount
                }
            }
            if !scattered {
                #expect(book.count == 300_000)
                let lost = (1...300_000 as ClosedRange<Int64>).filter { key in
                    let (slot, isNew) = book.slot(variant: key, location: key % 20)
                    return isNew || book[slot] != key
                }
                #expect(lost.isEmpty, "keys lost or changed in growth: \(lost.prefix(3))")
            }
            #expect(book.slotCount <= 2 * book.count + 16 * 24, "\(book.slotCount) slots for \(book.count) keys")
        }
    }
}

@Suite struct BalanceCacheTests {
    let folder = TemporaryDirectory(prefix: "stockrecon-store")
    /// The ways of reading stored balances: in one scan; key by key; key by key, then the rest
    /// in one scan once an eighth of them is looked up.
    static let readings = [(0, 0), (0, BalanceCache.lateScanLimit), (100_000, 0)]

    /// Every way of reading stored balances gives the same on-hand, and writing updates stored
    /// rows and inserts new ones.
    @Test(arguments: readings)
    func readsAndWritesStoredBalances(scanLimit: Int, lateScanLimit: Int) throws {
        let store = try temporaryStore(in: folder)
        try store.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1'), (2, 't2')")
            try db.execute(sql: "INSERT INTO stock_levels VALUES (1, 10, 20, 5), (1, 11, 20, -3), (2, 10, 20, 99)")
        }
        try store.write("posting") { db in try BalanceCache.$lateScanLimit.withValue(lateScanLimit) {
            var cache = try BalanceCache(db, tenant: 1, scanLimit: scanLimit)
            let (first, onHand) = try cache.onHand(variant: 10, location: 20)
            #expect(onHand == 5)
            cache.set(first, 7)
            #expect(try cache.onHand(variant: 11, location: 20).onHand == -3)
            let (fresh, none) = try cache.onHand(variant: 12, location: 20)
            #expect(none == 0)
            cache.set(fresh, 4)
            // Two stored: scanned at the first key.
            #expect(cache.isWhole == (scanLimit > 0 || lateScanLimit > 0))
            try cache.write()
        } }
        let rows = try store.read { db in
            try db.fetchAll(sql: "SELECT tenant, variant, location, on_hand FROM stock_levels ORDER BY 1, 2")
                .map { [try $0[0], try $0[1], try $0[2], try $0[3]] as [Int64] }
        }
        #expect(rows == [[1, 10, 20, 7], [1, 11, 20, -3], [1, 12, 20, 4], [2, 10, 20, 99]])
    }

    /// Many balances, new ones written many a statement and stored ones updated among them,
    /// end as set: 1,000 keys in random order, a third stored before, some only read, beside
    /// another tenant's of the same keys.
    @Test(arguments: readings)
    func writesManyBalancesAsSet(scanLimit: Int, lateScanLimit: Int) throws {
        let store = try temporaryStore(in: folder)
        var random = SplitMix64(seed: 28)
        let keys: [(variant: Int64, location: Int64)] = (0 as Int64 ..< 1_000).map { index in (index / 7 + 1, index % 7 + 1) }
        var expected: [[Int64]] = []
        try store.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1'), (2, 't2')")
            for (index, key) in keys.enumerated() {
                try db.execute(sql: "INSERT INTO stock_levels VALUES (2, ?, ?, ?)", arguments: [key.variant, key.location, 1])
                expected.append([2, key.variant, key.location, 1])
                guard index % 3 == 0 else { continue }
                try db.execute(sql: "INSERT INTO stock_levels VALUES (1, ?, ?, ?)", arguments: [key.variant, key.location, -9])
            }
        }
        try store.write("posting") { db in try BalanceCache.$lateScanLimit.withValue(lateScanLimit) {
            var cache = try BalanceCache(db, tenant: 1, scanLimit: scanLimit)
            for (looked, (index, key)) in keys.enumerated().shuffled(using: &random).enumerated() {
                // 334 stored: scanned at the 42nd key.
                #expect(cache.isWhole == (scanLimit > 0 || (lateScanLimit > 0 && looked > 41)))
                let (slot, onHand) = try cache.onHand(variant: key.variant, location: key.location)
                #expect(onHand == (index % 3 == 0 ? -9 : 0))
                if index % 5 == 4 {
                    if index % 3 == 0 { expected.append([1, key.variant, key.location, -9]) }
                    continue
                }
                cache.set(slot, Int64(index) * 3 - 700)
                expected.append([1, key.variant, key.location, Int64(index) * 3 - 700])
            }
            try cache.write()
        } }
        let rows = try store.read { db in
            try db.fetchAll(sql: "SELECT tenant, variant, location, on_hand FROM stock_levels ORDER BY 1, 2, 3")
                .map { [try $0[0], try $0[1], try $0[2], try $0[3]] as [Int64] }
        }
        #expect(rows == expected.sorted { $0.lexicographicallyPrecedes($1) })
    }
}

@Suite struct KeyBookTests {
    let folder = TemporaryDirectory(prefix: "stockrecon-store")
    /// Both ways of reading a tenant's keys (held in memory, or looked up key by key) see
    /// the same keys, never another tenant's, and a file's keys from when it finishes.
    @Test(arguments: [0, 1000])
    func readsAndWritesKeys(scanLimit: Int) throws {
        let store = try temporaryStore(in: folder)
        try store.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1'), (2, 't2')")
            try db.execute(sql: """
                INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run)
                VALUES (1, 'a', 11, 'posted', 1), (1, 'b', 12, 'pending', 1), (2, 'c', 13, 'posted', 1)
                """)
        }
        let keys = ["zz", "b2", "é", "a1", "line-ite", "line-item-"] + (0 ..< 300).map { "line-item-\($0)" }
        let outcomes: [Outcome] = [.posted, .unchanged, .pending]
        for run in [2, 3] as [Int64] {
            try store.write("posting") { db in
                var book = try KeyBook(db, tenant: 1, run: run, scanLimit: scanLimit)
                #expect((book.known == nil) == (scanLimit == 0))
                #expect(try earlier(&book, "a") == EarlierKey(contentDigest: 11, outcome: .posted))
                #expect(try earlier(&book, "b") == EarlierKey(contentDigest: 12, outcome: .pending))
                #expect(try earlier(&book, "c") == nil)
                for (index, key) in keys.enumerated() {
                    let claim = try claim(&book, key)
                    let seen = book.earlier(claim)
                    let expected = EarlierKey(contentDigest: Int64(index), outcome: outcomes[index % 3])
                    if run == 2 {
                        #expect(seen == nil)
                        #expect(try earlier(&book, key) == nil)  // claimed, but its row has not ended
                        book.record(claim, digest: Int64(index), outcome: outcomes[index % 3])
                        #expect(try earlier(&book, key) == expected)  // seen by the rest of the file
                    } else {
                        #expect(seen == expected, "\(key) after the file that added it")
                    }
                }
                try book.flush(in: db)
            }
        }
        let (rows, blocks) = try store.read { db in
            (try db.fetchValues(String.self, sql: "SELECT key FROM idempotency_keys WHERE tenant = 1 AND run = 2"),
             try db.fetchValue(Int.self, sql: "SELECT count(*) FROM key_blocks") ?? 0)
        }
        // Held keys are rows either way (an approval updates them); the rest are a block
        // unless the tenant is looked up key by key.
        let held = keys.indices.filter { outcomes[$0 % 3] == .pending }.map { keys[$0] }
        #expect(Set(rows) == Set(scanLimit == 0 ? keys : held))
        #expect(blocks == (scanLimit == 0 ? 0 : 1))
    }

    /// A tenant whose blocks grow past what is held in memory has them moved into the
    /// table; a key's row there (an approval's outcome) wins over its block.
    @Test func movesBlocksIntoTheTablePastTheLimit() throws {
        let store = try temporaryStore(in: folder)
        try store.write("seeding") { db in try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')") }
        let keys = (0 ..< 50).map { "k\($0)" }
        try store.write("posting") { db in
            var book = try KeyBook(db, tenant: 1, run: 1, scanLimit: 100)
            for (index, key) in keys.enumerated() {
                let claim = try claim(&book, key)
                book.record(claim, digest: Int64(index), outcome: index == 7 ? .pending : .posted)
            }
            try book.flush(in: db)
            try db.execute(sql: "UPDATE idempotency_keys SET outcome = 'posted', content_digest = 77 WHERE key = 'k7'")
        }
        try store.write("reading") { db in
            let known = try #require(try KnownKeys.load(db, tenant: 1, limit: 100))
            #expect(known.count == 50)
            #expect(lookUp(known, "k7") == EarlierKey(contentDigest: 77, outcome: .posted))
            #expect(lookUp(known, "k8") == EarlierKey(contentDigest: 8, outcome: .posted))
            #expect(try KnownKeys.load(db, tenant: 1, limit: 49) == nil)
            #expect(try db.fetchValue(Int.self, sql: "SELECT count(*) FROM key_blocks") == 0)
            #expect(try db.fetchValue(Int.self, sql: "SELECT count(*) FROM idempotency_keys") == 50)
            var book = try KeyBook(db, tenant: 1, run: 2, scanLimit: 49)
            #expect(try earlier(&book, "k7") == EarlierKey(contentDigest: 77, outcome: .posted))
            #expect(try earlier(&book, "k49") == EarlierKey(contentDigest: 49, outcome: .posted))
            #expect(try earlier(&book, "k50") == nil)
        }
    }

    /// A key refused in its row is not remembered: a later row with it is judged afresh,
    /// and the file's keys as written leave it out.
    @Test func forgetsTheKeysOfRefusedRows() throws {
        let store = try temporaryStore(in: folder)
        try store.write("seeding") { db in try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')") }
        try store.write("posting") { db in
            var book = try KeyBook(db, tenant: 1, run: 1)
            _ = try claim(&book, "refused")  // its row was rejected: nothing recorded
            let kept = try claim(&book, "kept")
            book.record(kept, digest: 5, outcome: .posted)
            #expect(try earlier(&book, "refused") == nil)
            let later = try claim(&book, "later")
            book.record(later, digest: 6, outcome: .unchanged)
            try book.flush(in: db)
        }
        try store.write("reading") { db in
            let known = try #require(try KnownKeys.load(db, tenant: 1))
            #expect(known.count == 2)
            #expect(lookUp(known, "refused") == nil)
            #expect(lookUp(known, "kept") == EarlierKey(contentDigest: 5, outcome: .posted))
            #expect(lookUp(known, "later") == EarlierKey(contentDigest: 6, outcome: .unchanged))
        }
    }

    private func earlier(_ book: inout KeyBook, _ key: String) throws -> EarlierKey? {
        let claim = try claim(&book, key)  // before reading `book`: an argument is evaluated after its receiver
        return book.earlier(claim)
    }
}

/// Claims `key` in `book`, hashed as the checking thread hashes it.
func claim(_ book: inout KeyBook, _ key: String) throws -> KeyClaim {
    let bytes = Array(key.utf8)
    return try bytes.withUnsafeBufferPointer { try book.claim(BorrowedText($0), hash: TextIndex.hash($0)) }
}

/// What `key` saw before, among `known`.
func lookUp(_ known: KnownKeys, _ key: String) -> EarlierKey? {
    let bytes = Array(key.utf8)
    return bytes.withUnsafeBufferPointer { known.earlier(BorrowedText($0), hash: TextIndex.hash($0)) }
}

/// A bind SQLite refuses (a text past its length limit) fails the statement, rather than
/// leaving the parameter NULL and storing the row without it.
@Suite struct FastStatementTests {
    let folder = TemporaryDirectory(prefix: "stockrecon-store")
    @Test func aRefusedBindFailsTheStep() throws {
        let store = try temporaryStore(in: folder)
        try store.withConnection("testing") { db in
            try db.execute(sql: "CREATE TABLE texts (t TEXT)")
            let sqlite = try #require(db as? SQLiteConnection)
            let handle = try #require(sqlite.db.sqliteConnection)
            let previous = sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, 100)
            defer { sqlite3_limit(handle, SQLITE_LIMIT_LENGTH, previous) }
            var statement = try FastStatement(sqlite, sql: "INSERT INTO texts (t) VALUES (?)")
            let long = Array(repeating: UInt8(ascii: "x"), count: 200)
            long.withUnsafeBufferPointer { statement.bindTransient($0, at: 1) }
            #expect(throws: (any Error).self) { try statement.step() }
            statement.reset()
            Array("short".utf8).withUnsafeBufferPointer { statement.bindTransient($0, at: 1) }
            try statement.step()
            #expect(try db.fetchValues(String.self, sql: "SELECT t FROM texts") == ["short"])
        }
    }
}
