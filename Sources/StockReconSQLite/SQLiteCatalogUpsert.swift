import GRDB
import StockReconCore
import StockReconStore

extension SQLiteConnection {
    /// SQLite's catalog load: a statement an entry, in process, but variants (a catalog of
    /// millions) many a statement through the C API (`VariantUpserts`), which opens the table's
    /// and its indexes' cursors once for them all; an unchanged one left as it is (its indexes
    /// untouched).
    func upsertCatalog(_ entries: [CatalogEntry], tenant: Int64, run: Int64) throws {
        var variants = VariantUpserts(self, tenant: tenant, run: run)
        for entry in entries {
            switch entry {
            case let .org(orgID, name, defaultLocationID):
                try execute(sql: """
                    INSERT INTO catalog_orgs (tenant, org_id, name, default_location_id) VALUES (?, ?, ?, ?)
                    ON CONFLICT (tenant, org_id) DO UPDATE SET name = excluded.name,
                        default_location_id = excluded.default_location_id
                    """, arguments: [tenant, orgID, name, defaultLocationID])
            case let .location(locationID, siteID, name):
                try execute(sql: """
                    INSERT INTO catalog_locations (tenant, location_id, site_id, name) VALUES (?, ?, ?, ?)
                    ON CONFLICT (tenant, location_id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name
                    """, arguments: [tenant, locationID, siteID, name])
            case .variant:
                try variants.append(entry)
            case let .user(userID, role):
                try execute(sql: """
                    INSERT INTO catalog_users (tenant, user_id, role) VALUES (?, ?, ?)
                    ON CONFLICT (tenant, user_id) DO UPDATE SET role = excluded.role
                    """, arguments: [tenant, userID, role.rawValue])
            }
        }
        try variants.finish()
    }

    /// A first load writes a few hundred megabytes of new pages: through the write-ahead log,
    /// each twice (the log, then the checkpoint); with a rollback journal, once, since pages
    /// past the file's end before the transaction are not journaled. Taken only while no other
    /// connection has the file (none could read or write beside it); the log is taken again
    /// after, waiting for any that opened meanwhile, whose own open asks for it too.
    func loadingFirstCatalog<T>(_ body: () throws -> T) throws -> T {
        guard !db.isInsideTransaction, try hasNoVariants(), try db.useRollbackJournalIfAlone()
        else { return try body() }
        let result: T
        do {
            result = try body()
        } catch {
            try? db.useWriteAheadLog()
            throw error
        }
        try db.useWriteAheadLog()
        return result
    }

    /// Whether no tenant has a variant yet (a first load).
    private func hasNoVariants() throws -> Bool {
        try fetchValue(Int64.self, sql: "SELECT EXISTS (SELECT 1 FROM catalog_variants)") == 0
    }

    /// Where no tenant has a variant yet, drops the variants' indexes, runs `body` and builds
    /// them again, in a savepoint: each index's keys sorted once rather than inserted one by
    /// one (a million random UUIDs above all). Building them takes a small page cache, which
    /// bounds SQLite's sorter as well, and a helper thread of the sorter's (the file is read).
    func loadingVariantsIndexedAfter(_ body: (_ indexedAfter: Bool) throws -> Void) throws -> Bool {
        guard try hasNoVariants() else {
            try body(false)
            return true
        }
        // A load leaves `cost_replaced_run` NULL, outside its partial index: kept, that index
        // costs the load nothing; built again, a scan of the table.
        let indexes = try fetchAll(sql: """
            SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'catalog_variants' AND sql IS NOT NULL
                AND name <> 'catalog_variants_by_cost_replaced' ORDER BY name
            """)
            .map { (name: try $0["name"] as String, sql: try $0["sql"] as String) }
        var building = false
        do {
            try inSavepoint {
                for index in indexes { try execute(sql: "DROP INDEX \"\(index.name)\"") }
                variantsIndexedAfter = true
                defer { variantsIndexedAfter = false }
                try body(true)
                building = true
                let threads = try fetchValue(Int64.self, sql: "PRAGMA threads") ?? 0
                try execute(sql: "PRAGMA threads = 1")
                defer { try? execute(sql: "PRAGMA threads = \(threads)") }
                try withPageCache(megabytes: 8) {
                    for index in indexes { try execute(sql: index.sql) }
                }
            }
            return true
        } catch let error as DatabaseError where building && error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            return false
        }
    }
}

/// Variants held and written `perInsert` at a time, in order. A plain insert of many rows a
/// statement is the fast way for variants not stored yet (an upsert of several rows makes
/// SQLite journal every page it changes); where one is stored already (a reload), its group is
/// upserted instead, as are the next `upsertedGroups`: a variant given twice is inserted, then
/// updated, as by a statement each.
private struct VariantUpserts {
    static let perInsert = 32
    static let upsertedGroups = 15
    private static let width: Int32 = 11
    private let db: SQLiteConnection
    private let tenant: Int64
    private let run: Int64
    private var insert: FastStatement?
    private var insertOne: FastStatement?
    private var upsert: FastStatement?
    private var upserts: FastStatement?
    private var held: [CatalogEntry] = []
    private var texts = VariantTexts()
    private var groupsToUpsert = 0
    /// Variants loaded before the table's indexes: inserted, never upserted (no conflict can
    /// show before the unique index is built, and an upsert needs it).
    private var isInsertOnly: Bool { db.variantsIndexedAfter }

    init(_ db: SQLiteConnection, tenant: Int64, run: Int64) {
        self.db = db
        self.tenant = tenant
        self.run = run
    }

    mutating func append(_ variant: CatalogEntry) throws {
        held.append(variant)
        guard held.count == Self.perInsert else { return }
        if groupsToUpsert > 0 {
            groupsToUpsert -= 1
            try upsertHeld()
        } else if try !insertHeld() {
            groupsToUpsert = Self.upsertedGroups
            try upsertHeld()
        }
        held.removeAll(keepingCapacity: true)
    }

    /// Writes the variants held, fewer than a group: upserted, or inserted ahead of the indexes.
    mutating func finish() throws {
        if isInsertOnly {
            for entry in held { try insertOne(entry) }
        } else {
            try upsertHeld()
        }
        held.removeAll()
    }

    private mutating func insertOne(_ entry: CatalogEntry) throws {
        try Self.write(entry, tenant: tenant, by: &insertOne, texts: &texts, in: db) {
            "INSERT INTO catalog_variants (\(Self.columns)) VALUES \(valuesList(columns: Int(Self.width), rows: 1))"
        }
    }

    /// Writes one variant by `statement`, prepared from `sql` the first time.
    private static func write(
        _ entry: CatalogEntry, tenant: Int64, by statement: inout FastStatement?, texts: inout VariantTexts, in db: SQLiteConnection,
        sql: () -> String
    ) throws {
        if statement == nil { statement = try FastStatement(db, sql: sql()) }
        try write([entry], tenant: tenant, by: &statement, texts: &texts)
    }

    /// Binds `entries` to `statement`, a group of columns each, and steps it.
    private static func write(
        _ entries: [CatalogEntry], tenant: Int64, by statement: inout FastStatement?, texts: inout VariantTexts
    ) throws {
        texts.hold(entries)
        // Through the optional in place: a copy would copy its bindings' state.
        statement?.reset()
        try texts.withTexts { text in
            for (slot, entry) in entries.enumerated() {
                statement?.bind(entry, tenant: tenant, offset: Int32(slot) * width) { text($0, slot) }
            }
            _ = try statement?.step()
        }
    }

    /// Inserts the variants held by one statement; false when one of them is stored already.
    /// OR FAIL stops there, keeping the rows before: upserted again, they are left as they are.
    private mutating func insertHeld() throws -> Bool {
        if insert == nil {
            insert = try FastStatement(
                db, sql: "INSERT OR FAIL INTO catalog_variants (\(Self.columns)) VALUES \(valuesList(columns: Int(Self.width), rows: Self.perInsert))")
        }
        do {
            try Self.write(held, tenant: tenant, by: &insert, texts: &texts)
            return true
        } catch let error as DatabaseError where error.extendedResultCode == .SQLITE_CONSTRAINT_UNIQUE {
            return false
        }
    }

    /// Upserts the variants held: a full group by one statement (a reload leaves most as they
    /// are, and SQLite journals only the pages a statement changes), fewer a statement each.
    private mutating func upsertHeld() throws {
        if held.count == Self.perInsert {
            if upserts == nil { upserts = try FastStatement(db, sql: Self.upsert(rows: Self.perInsert, run: run)) }
            try Self.write(held, tenant: tenant, by: &upserts, texts: &texts)
            return
        }
        for entry in held { try Self.write(entry, tenant: tenant, by: &upsert, texts: &texts, in: db) { Self.upsert(rows: 1, run: run) } }
    }

    private static func upsert(rows: Int, run: Int64) -> String {
        """
        INSERT INTO catalog_variants (\(columns))
        VALUES \(valuesList(columns: Int(width), rows: rows))
        \(BulkSQL.variantUpsertConflict(run: run))
        """
    }

    private static let columns = """
        tenant, variant_id, product_id, org_id, sku, barcode, barcode_digits, unit_cost_minor, location_aware, product_name, variant_title
        """
}

/// The texts of the variants one statement writes, end to end in one buffer, bound where they
/// lie until the statement steps: bound as copies, SQLite allocated a block for each, seven a
/// variant (a fifth of the writing thread's time in a first load of a million). A value, not a
/// class: a class's properties are checked for exclusive access at run time, every access.
private struct VariantTexts {
    /// A variant's texts in `bind(_:tenant:offset:text:)`'s order.
    static let perVariant = 7
    private var bytes: [UInt8] = []
    /// Each text's start in `bytes` and length, in the order held; a length of -1 for none.
    private var spans: [(start: Int, count: Int)] = []

    /// Holds the texts of `entries` in place of those held before (none for an entry that is
    /// not a variant's).
    mutating func hold(_ entries: [CatalogEntry]) {
        // One group's long texts (a name of megabytes) are not kept for the groups after.
        if bytes.capacity > 4 << 20 { bytes = [] }
        bytes.removeAll(keepingCapacity: true)
        spans.removeAll(keepingCapacity: true)
        for entry in entries {
            guard case let .variant(variantID, productID, orgID, sku, barcode, _, _, names) = entry else {
                spans.append(contentsOf: repeatElement((start: 0, count: -1), count: Self.perVariant))
                continue
            }
            add(variantID)
            add(productID)
            add(orgID)
            add(sku)
            add(barcode)
            add(names.productName)
            add(names.variantTitle)
        }
    }

    private mutating func add(_ text: String?) {
        guard var text else { return spans.append((start: 0, count: -1)) }
        text.withUTF8 { text in
            spans.append((start: bytes.count, count: text.count))
            bytes.append(contentsOf: text)
        }
    }

    /// Calls `body` with a function that gives text `index` of variant `slot` as held (nil for
    /// none), valid inside `body`.
    func withTexts<Result>(_ body: (_ text: (_ index: Int, _ slot: Int) -> UnsafeBufferPointer<UInt8>?) throws -> Result) rethrows -> Result {
        try bytes.withUnsafeBufferPointer { bytes in
            try body { index, slot in
                let span = spans[slot * Self.perVariant + index]
                return span.count < 0 ? nil : UnsafeBufferPointer(rebasing: bytes[span.start ..< span.start + span.count])
            }
        }
    }
}

extension FastStatement {
    /// Binds a variant entry's columns (`VariantUpserts.columns`) from parameter `offset + 1`,
    /// its texts where `text` gives them, by their place in `VariantTexts` (nothing for another entry).
    fileprivate mutating func bind(_ entry: CatalogEntry, tenant: Int64, offset: Int32, text: (Int) -> UnsafeBufferPointer<UInt8>?) {
        guard case let .variant(_, _, _, _, _, unitCostMinor, isLocationAware, _) = entry else { return }
        func bindText(_ index: Int, at parameter: Int32) {
            guard let text = text(index) else { return bindNull(at: parameter) }
            bindStatic(text, at: parameter)
        }
        bind(tenant, at: offset + 1)
        bindText(0, at: offset + 2)
        bindText(1, at: offset + 3)
        bindText(2, at: offset + 4)
        bindText(3, at: offset + 5)
        bindText(4, at: offset + 6)
        // The barcode without its leading zeros (`Store.barcodeDigits`): the same bytes, less its start.
        if let barcode = text(4) {
            bindStatic(UnsafeBufferPointer(rebasing: barcode.drop { $0 == UInt8(ascii: "0") }), at: offset + 7)
        } else {
            bindNull(at: offset + 7)
        }
        bind(unitCostMinor, at: offset + 8)
        bind(isLocationAware ? 1 : 0, at: offset + 9)
        bindText(5, at: offset + 10)
        bindText(6, at: offset + 11)
    }
}
