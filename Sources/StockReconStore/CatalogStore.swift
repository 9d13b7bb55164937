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
    /// keeping internal ids (and so the ledger's references) stable.
    public static func upsert(_ entries: [CatalogEntry], tenant: Int64, in db: any SQLConnection) throws {
        try db.upsertCatalog(entries, tenant: tenant)
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

    /// The tenant's whole catalog, for the checks of a run. Never another tenant's rows.
    public static func catalog(tenant: Int64, in db: any SQLConnection) throws -> Catalog {
        let orgs = try db.fetchAll(sql: "SELECT id, org_id, name, default_location_id FROM catalog_orgs WHERE tenant = ?", arguments: [tenant])
            .map { Catalog.Org(id: try $0["id"], orgID: try $0["org_id"], name: try $0["name"], defaultLocationID: try $0["default_location_id"]) }
        let locations = try db.fetchAll(sql: "SELECT id, location_id, site_id, name FROM catalog_locations WHERE tenant = ?", arguments: [tenant])
            .map { Catalog.Location(id: try $0["id"], locationID: try $0["location_id"], siteID: try $0["site_id"], name: try $0["name"]) }
        let variants = try db.fetchAll(sql: """
            SELECT id, variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware
            FROM catalog_variants WHERE tenant = ? ORDER BY id
            """, arguments: [tenant])
            .map {  // by position: read once per variant, in catalogs of millions
                Catalog.Variant(
                    id: try $0[0], variantID: try $0[1], productID: try $0[2], orgID: try $0[3], sku: try $0[4],
                    barcode: try $0[5], unitCostMinor: try $0[6], isLocationAware: try $0[7])
            }
        let users = try db.fetchAll(sql: "SELECT id, user_id, role FROM catalog_users WHERE tenant = ?", arguments: [tenant])
            .map { row in Catalog.User(id: try row["id"], userID: try row["user_id"], role: try stored(Catalog.Role.self, row["role"], in: "catalog_users")) }
        return Catalog(orgs: orgs, locations: locations, variants: variants, users: users)
    }
}
