import StockReconCore

/// Catalog rows as a catalog file gives them (text ids, exact cost).
public enum CatalogEntry: Sendable, Hashable {
    case org(orgID: String, name: String?, defaultLocationID: String?)
    case location(locationID: String, siteID: String?, name: String?)
    case variant(
        variantID: String, productID: String?, orgID: String, sku: String?, barcode: String?, unitCostMinor: Int64?, isLocationAware: Bool,
        names: VariantNames = VariantNames())
    case user(userID: String, role: Catalog.Role)
}

/// What people call a variant: its product's name and its own title (`Tent`, `2P, green`).
public struct VariantNames: Sendable, Hashable {
    public var productName: String?
    public var variantTitle: String?
    public init(productName: String? = nil, variantTitle: String? = nil) {
        self.productName = productName
        self.variantTitle = variantTitle
    }
}

extension Store {
    /// A barcode's digits after its leading zeros, as stored in `barcode_digits` and looked up
    /// there: SQL's `ltrim(barcode, '0')`, byte by byte.
    package static func barcodeDigits(_ barcode: String) -> String {
        String(decoding: barcode.utf8.drop { $0 == UInt8(ascii: "0") }, as: UTF8.self)
    }

    /// The tenant's internal id, creating the tenant on first use.
    public static func tenantKey(_ db: any SQLConnection, _ tenantID: String) throws -> Int64 {
        let find = "SELECT id FROM tenants WHERE tenant_id = ?"
        if let id = try db.fetchValue(Int64.self, sql: find, arguments: [tenantID]) { return id }
        // Another process may create the same tenant at the same moment: either insert stands.
        try db.execute(sql: "INSERT INTO tenants (tenant_id) VALUES (?) ON CONFLICT (tenant_id) DO NOTHING", arguments: [tenantID])
        guard let id = try db.fetchValue(Int64.self, sql: find, arguments: [tenantID]) else {
            throw SQLDecodingError(message: "tenant \(tenantID) was created but cannot be read back")
        }
        return id
    }

    /// Inserts or updates catalog entries: loading the same file again updates in place,
    /// keeping internal ids (and so the ledger's references) stable. Call `keepReplacedCosts`
    /// with the same `run` before the file's transaction ends.
    public static func upsert(_ entries: [CatalogEntry], tenant: Int64, run: Int64, in db: any SQLConnection) throws {
        try db.upsertCatalog(entries, tenant: tenant, run: run)
    }

    /// Keeps the costs that `run`'s upserts replaced in `catalog_cost_history`, replaced when
    /// the run was recorded, once each (a run's earlier file kept some). The marks stay:
    /// clearing them rewrote every changed row again (PostgreSQL: 29 s to 60 s for a million).
    public static func keepReplacedCosts(run: Int64, in db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO catalog_cost_history (tenant, variant, unit_cost_minor, replaced_at, run)
            SELECT v.tenant, v.id, v.previous_cost_minor, r.started_at, r.id
            FROM catalog_variants v JOIN run_log r ON r.id = v.cost_replaced_run
            WHERE v.cost_replaced_run = ?
              AND NOT EXISTS (SELECT 1 FROM catalog_cost_history h WHERE h.variant = v.id AND h.run = r.id)
            """, arguments: [run])
    }

    /// Adds a user to a tenant's catalog, unless another process just did, and returns its
    /// internal id.
    public static func addUser(_ userID: String, role: Catalog.Role, tenant: Int64, in db: any SQLConnection) throws -> Int64 {
        try db.execute(
            sql: "INSERT INTO catalog_users (tenant, user_id, role) VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO NOTHING",
            arguments: [tenant, userID, role.rawValue])
        guard let id = try db.fetchValue(
            Int64.self, sql: "SELECT id FROM catalog_users WHERE tenant = ? AND user_id = ?", arguments: [tenant, userID])
        else { throw SQLDecodingError(message: "user \(userID) was added but cannot be read back") }
        return id
    }

    /// The tenant's catalog for the checks of a run: every variant, or only those `scope`
    /// names (orgs, locations and users are always whole). Never another tenant's rows.
    public static func catalog(tenant: Int64, variants scope: CatalogScope = .whole, in db: any SQLConnection) throws -> Catalog {
        let orgs = try db.fetchAll(sql: "SELECT id, org_id, name, default_location_id FROM catalog_orgs WHERE tenant = ?", arguments: [tenant])
            .map { Catalog.Org(id: try $0["id"], orgID: try $0["org_id"], name: try $0["name"], defaultLocationID: try $0["default_location_id"]) }
        let locations = try db.fetchAll(sql: "SELECT id, location_id, site_id, name FROM catalog_locations WHERE tenant = ?", arguments: [tenant])
            .map { Catalog.Location(id: try $0["id"], locationID: try $0["location_id"], siteID: try $0["site_id"], name: try $0["name"]) }
        let users = try db.fetchAll(sql: "SELECT id, user_id, role FROM catalog_users WHERE tenant = ?", arguments: [tenant])
            .map { row in Catalog.User(id: try row["id"], userID: try row["user_id"], role: try stored(Catalog.Role.self, row["role"], in: "catalog_users")) }
        switch scope {
        case .whole:
            if let indexFile = try mappedVariants(tenant: tenant, in: db) {
                return Catalog(orgs: orgs, locations: locations, users: users, indexFile: indexFile)
            }
            var catalog = Catalog(orgs: orgs, locations: locations, users: users)
            // Sized by the count noted at the last load (the indexes grow past it, if need be).
            catalog.reserve(variants: try notedVariantCount(tenant: tenant, in: db) ?? 0)
            try db.forEachVariant(tenant: tenant) { catalog.add($0) }
            return catalog
        case .named(let keys):
            // A thousand variants of a million read a page each, which the posting after has no use for.
            let variants = try db.withPageCache(megabytes: 2) { try namedVariants(keys, tenant: tenant, in: db) }
            return Catalog(orgs: orgs, locations: locations, variants: variants, users: users)
        }
    }

    /// Every variant that `keys` can name, each by its kind of id (a barcode with or without
    /// its leading zeros), in catalog order. Every variant sharing such a key is among them,
    /// so that the catalog they make finds a key exactly as the whole one would.
    private static func namedVariants(_ keys: NamedVariantKeys, tenant: Int64, in db: any SQLConnection) throws -> [Catalog.Variant] {
        var found: [Int64: Catalog.Variant] = [:]
        let parts: [(condition: String, keys: [String])] = [
            ("variant_id", keys.variantIDs), ("sku IS NOT NULL AND sku", keys.skus), ("product_id IS NOT NULL AND product_id", keys.productIDs),
            ("barcode_digits IS NOT NULL AND barcode_digits", keys.barcodes.map(Store.barcodeDigits)),
        ]
        for (condition, keys) in parts {
            // No stored id holds a NUL byte (PostgreSQL's text cannot).
            let keys = Array(Set(keys.filter { !$0.holdsNulByte }))
            for start in stride(from: 0, to: keys.count, by: namedChunk) {
                let chunk = keys[start..<min(start + namedChunk, keys.count)]
                let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
                let sql = "SELECT \(BulkSQL.variantColumns) FROM catalog_variants WHERE tenant = ? AND \(condition) IN (\(marks))"
                for row in try db.fetchAll(sql: sql, arguments: SQLArguments([.integer(tenant)] + chunk.map { .text($0) })) {
                    let variant = try Catalog.Variant(storedRow: row)
                    found[variant.id] = variant
                }
            }
        }
        return found.values.sorted { $0.id < $1.id }
    }

    /// Keys per statement, well under SQLite's 32,766 parameters.
    private static let namedChunk = 1000

    /// How many variants the tenant's catalog held at its last load; nil before any (v22).
    static func notedVariantCount(tenant: Int64, in db: any SQLConnection) throws -> Int? {
        try db.fetchValue(Int.self, sql: "SELECT variants FROM tenants WHERE id = ?", arguments: [tenant])
    }

    /// Whether the tenant has more than `count` variants: as its last catalog load counted them,
    /// else counted, no further than that (in index order, which no planner's figures turn into
    /// a scan of the whole tenant).
    public static func hasMoreVariants(than count: Int, tenant: Int64, in db: any SQLConnection) throws -> Bool {
        if let noted = try notedVariantCount(tenant: tenant, in: db) { return noted > count }
        let seen = try db.fetchValue(
            Int64.self, sql: "SELECT count(*) FROM (SELECT 1 FROM catalog_variants WHERE tenant = ? ORDER BY variant_id LIMIT ?) AS enough",
            arguments: [tenant, Int64(count + 1)]) ?? 0
        return seen > count
    }
}

/// Which of a tenant's variants a run reads.
public enum CatalogScope: Sendable {
    case whole
    /// Those that a file's variant columns name.
    case named(NamedVariantKeys)
}

/// The texts a file names variants by, by the kind of id each column holds (a column that
/// may hold any kind adds its text to each).
public struct NamedVariantKeys: Sendable {
    public var variantIDs: [String] = []
    public var skus: [String] = []
    public var productIDs: [String] = []
    public var barcodes: [String] = []

    public init() {}

    public mutating func add(_ key: String, by kind: VariantKeyKind) {
        switch kind {
        case .variantID: variantIDs.append(key)
        case .sku: skus.append(key)
        case .productID: productIDs.append(key)
        case .barcode: barcodes.append(key)
        case .any:
            variantIDs.append(key)
            skus.append(key)
            productIDs.append(key)
            barcodes.append(key)
        }
    }
}
