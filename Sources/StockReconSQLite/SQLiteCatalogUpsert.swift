import StockReconCore
import StockReconStore

extension SQLiteConnection {
    /// SQLite's catalog load: a statement an entry, in process.
    func upsertCatalog(_ entries: [CatalogEntry], tenant: Int64) throws {
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
                try execute(sql: """
                    INSERT INTO catalog_variants (tenant, variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware,
                        product_name, variant_title)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    ON CONFLICT (tenant, variant_id) DO UPDATE SET product_id = excluded.product_id,
                        org_id = excluded.org_id, sku = excluded.sku, barcode = excluded.barcode,
                        unit_cost_minor = excluded.unit_cost_minor, location_aware = excluded.location_aware,
                        product_name = excluded.product_name, variant_title = excluded.variant_title
                    """, arguments: [
                        tenant, variantID, productID, orgID, sku, barcode, unitCostMinor, isLocationAware, names.productName, names.variantTitle,
                    ])
            case let .user(userID, role):
                try execute(sql: """
                    INSERT INTO catalog_users (tenant, user_id, role) VALUES (?, ?, ?)
                    ON CONFLICT (tenant, user_id) DO UPDATE SET role = excluded.role
                    """, arguments: [tenant, userID, role.rawValue])
            }
        }
    }
}
