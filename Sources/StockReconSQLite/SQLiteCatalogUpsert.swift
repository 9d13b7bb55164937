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

    /// Where no tenant has a variant yet, drops the variants' indexes, runs `body` and builds
    /// them again, in a savepoint: each index's keys sorted once rather than inserted one by
    /// one (a million random UUIDs above all). Building them takes a small page cache, which
    /// bounds SQLite's sorter as well, and a helper thread of the sorter's (the file is read).
    func loadingVariantsIndexedAfter(_ body: (_ indexedAfter: Bool) throws -> Void) throws -> Bool {
        guard try fetchValue(Int64.self, sql: "SELECT EXISTS (SELECT 1 FROM catalog_variants)") == 0 else {
            try body(false)
            return true
        }
        let indexes = try fetchAll(
            sql: "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'catalog_variants' AND sql IS NOT NULL ORDER BY name")
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
        try Self.write(entry, tenant: tenant, by: &insertOne, in: db) {
            "INSERT INTO catalog_variants (\(Self.columns)) VALUES \(valuesList(columns: Int(Self.width), rows: 1))"
        }
    }

    /// Writes one variant by `statement`, prepared from `sql` the first time.
    private static func write(
        _ entry: CatalogEntry, tenant: Int64, by statement: inout FastStatement?, in db: SQLiteConnection, sql: () -> String
    ) throws {
        if statement == nil { statement = try FastStatement(db, sql: sql()) }
        statement?.reset()
        statement?.bind(entry, tenant: tenant, offset: 0)
        _ = try statement?.step()
    }

    /// Inserts the variants held by one statement; false when one of them is stored already.
    /// OR FAIL stops there, keeping the rows before: upserted again, they are left as they are.
    private mutating func insertHeld() throws -> Bool {
        if insert == nil {
            insert = try FastStatement(
                db, sql: "INSERT OR FAIL INTO catalog_variants (\(Self.columns)) VALUES \(valuesList(columns: Int(Self.width), rows: Self.perInsert))")
        }
        // Through the optional in place: a copy would copy its bindings' state.
        insert?.reset()
        for (slot, entry) in held.enumerated() { insert?.bind(entry, tenant: tenant, offset: Int32(slot) * Self.width) }
        do {
            _ = try insert?.step()
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
            upserts?.reset()
            for (slot, entry) in held.enumerated() { upserts?.bind(entry, tenant: tenant, offset: Int32(slot) * Self.width) }
            _ = try upserts?.step()
            return
        }
        for entry in held { try Self.write(entry, tenant: tenant, by: &upsert, in: db) { Self.upsert(rows: 1, run: run) } }
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

extension FastStatement {
    /// Binds a variant entry's columns (`VariantUpserts.columns`) from parameter `offset + 1`
    /// (nothing for another entry).
    fileprivate mutating func bind(_ entry: CatalogEntry, tenant: Int64, offset: Int32) {
        guard case let .variant(variantID, productID, orgID, sku, barcode, unitCostMinor, isLocationAware, names) = entry else { return }
        bind(tenant, at: offset + 1)
        bind(text: variantID, at: offset + 2)
        bind(text: productID, at: offset + 3)
        bind(text: orgID, at: offset + 4)
        bind(text: sku, at: offset + 5)
        bind(text: barcode, at: offset + 6)
        bind(text: barcode.map(Store.barcodeDigits), at: offset + 7)
        bind(unitCostMinor, at: offset + 8)
        bind(isLocationAware ? 1 : 0, at: offset + 9)
        bind(text: names.productName, at: offset + 10)
        bind(text: names.variantTitle, at: offset + 11)
    }
}
