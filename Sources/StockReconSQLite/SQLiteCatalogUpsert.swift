import StockReconCore
import StockReconStore

extension SQLiteConnection {
    /// SQLite's catalog load: a statement an entry, in process; variants through the C API
    /// (a catalog of millions), an unchanged one left as it is (its indexes untouched).
    func upsertCatalog(_ entries: [CatalogEntry], tenant: Int64, run: Int64) throws {
        var variants: FastStatement?
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
            case let .variant(variantID, productID, orgID, sku, barcode, unitCostMinor, isLocationAware, names):
                if variants == nil { variants = try FastStatement(self, sql: Self.variantUpsert(run: run)) }
                // Through the optional in place: a copy would copy its bindings' state a row.
                variants?.reset()
                variants?.bind(tenant, at: 1)
                variants?.bind(text: variantID, at: 2)
                variants?.bind(text: productID, at: 3)
                variants?.bind(text: orgID, at: 4)
                variants?.bind(text: sku, at: 5)
                variants?.bind(text: barcode, at: 6)
                variants?.bind(unitCostMinor, at: 7)
                variants?.bind(isLocationAware ? 1 : 0, at: 8)
                variants?.bind(text: names.productName, at: 9)
                variants?.bind(text: names.variantTitle, at: 10)
                _ = try variants?.step()
            case let .user(userID, role):
                try execute(sql: """
                    INSERT INTO catalog_users (tenant, user_id, role) VALUES (?, ?, ?)
                    ON CONFLICT (tenant, user_id) DO UPDATE SET role = excluded.role
                    """, arguments: [tenant, userID, role.rawValue])
            }
        }
    }

    private static func variantUpsert(run: Int64) -> String {
        """
        INSERT INTO catalog_variants (tenant, variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware,
            product_name, variant_title)
        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
        \(BulkSQL.variantUpsertConflict(run: run))
        """
    }
}
