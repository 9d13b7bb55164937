import StockReconCore
import StockReconStore

/// PostgreSQL's catalog load: each kind of entry in one statement, its columns as arrays
/// (`unnest`), not a round trip an entry; an unchanged variant is left as it is (no new
/// row version, its indexes untouched).
/// An id given twice keeps its first place and its last values, as one statement a row left
/// it (`ON CONFLICT DO UPDATE` may not touch a row twice in one statement). A first load,
/// its unique index built after (`loadingVariantsIndexedAfter`), copies them in.
enum PostgresCatalogUpsert {
    static func upsert(_ entries: [CatalogEntry], tenant: Int64, run: Int64, in db: PostgresStoreConnection) throws {
        var orgs = Latest<(name: String?, defaultLocationID: String?)>()
        var locations = Latest<(siteID: String?, name: String?)>()
        var variants = Latest<(
            productID: String?, orgID: String, sku: String?, barcode: String?, unitCostMinor: Int64?, isLocationAware: Bool, names: VariantNames
        )>()
        var users = Latest<String>()
        for entry in entries {
            switch entry {
            case let .org(orgID, name, defaultLocationID): orgs.set(orgID, (name, defaultLocationID))
            case let .location(locationID, siteID, name): locations.set(locationID, (siteID, name))
            case let .variant(variantID, productID, orgID, sku, barcode, unitCostMinor, isLocationAware, names):
                variants.set(variantID, (productID, orgID, sku, barcode, unitCostMinor, isLocationAware, names))
            case let .user(userID, role): users.set(userID, role.rawValue)
            }
        }
        if !orgs.ids.isEmpty {
            try db.execute(sql: """
                INSERT INTO catalog_orgs (tenant, org_id, name, default_location_id)
                SELECT CAST(? AS BIGINT), * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]))
                ON CONFLICT (tenant, org_id) DO UPDATE SET name = excluded.name, default_location_id = excluded.default_location_id
                """, arguments: [tenant, orgs.ids.postgresArray, orgs.values.map(\.name).postgresArray, orgs.values.map(\.defaultLocationID).postgresArray])
        }
        if !locations.ids.isEmpty {
            try db.execute(sql: """
                INSERT INTO catalog_locations (tenant, location_id, site_id, name)
                SELECT CAST(? AS BIGINT), * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]))
                ON CONFLICT (tenant, location_id) DO UPDATE SET site_id = excluded.site_id, name = excluded.name
                """, arguments: [tenant, locations.ids.postgresArray, locations.values.map(\.siteID).postgresArray, locations.values.map(\.name).postgresArray])
        }
        if let copier = db.firstLoadVariants {
            try copyVariants(variants.ids, variants.values, tenant: tenant, into: copier)
        } else if !variants.ids.isEmpty {
            let values = variants.values
            try db.execute(sql: """
                INSERT INTO catalog_variants (tenant, variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware,
                    product_name, variant_title, barcode_digits)
                SELECT CAST(? AS BIGINT), u.*, ltrim(u.barcode, '0') FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]),
                    CAST(? AS TEXT[]), CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[]), CAST(? AS TEXT[]))
                    AS u (variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware, product_name, variant_title)
                \(BulkSQL.variantUpsertConflict(run: run))
                """, arguments: [
                    tenant, variants.ids.postgresArray, values.map(\.productID).postgresArray, values.map(\.orgID).postgresArray,
                    values.map(\.sku).postgresArray, values.map(\.barcode).postgresArray, values.map(\.unitCostMinor).postgresArray,
                    values.map { Int64($0.isLocationAware ? 1 : 0) }.postgresArray,
                    values.map(\.names.productName).postgresArray, values.map(\.names.variantTitle).postgresArray,
                ])
        }
        if !users.ids.isEmpty {
            try db.execute(sql: """
                INSERT INTO catalog_users (tenant, user_id, role)
                SELECT CAST(? AS BIGINT), * FROM unnest(CAST(? AS TEXT[]), CAST(? AS TEXT[]))
                ON CONFLICT (tenant, user_id) DO UPDATE SET role = excluded.role
                """, arguments: [tenant, users.ids.postgresArray, users.values.postgresArray])
        }
    }

    static let variantColumns = [
        "tenant", "variant_id", "product_id", "org_id", "sku", "barcode", "unit_cost_minor", "location_aware", "product_name", "variant_title",
        "barcode_digits",
    ]

    /// A first load's variants as COPY text, in `variantColumns`' order: the statement's
    /// `ltrim(barcode, '0')` is the barcode's bytes after its leading zeros.
    private static func copyVariants(
        _ ids: [String], _ values: [(productID: String?, orgID: String, sku: String?, barcode: String?, unitCostMinor: Int64?, isLocationAware: Bool, names: VariantNames)],
        tenant: Int64, into copier: PostgresRowCopier
    ) throws {
        func text(_ value: String?, _ line: inout [UInt8]) {
            line.append(UInt8(ascii: "\t"))
            guard var value else { return CopyText.appendNull(to: &line) }
            value.withUTF8 { CopyText.appendEscaped($0, to: &line) }
        }
        for (id, value) in zip(ids, values) {
            try copier.append { line in
                CopyText.appendNumber(tenant, to: &line)
                for field in [id, value.productID, value.orgID, value.sku, value.barcode] { text(field, &line) }
                CopyText.appendField(value.unitCostMinor, to: &line)
                CopyText.appendField(value.isLocationAware ? 1 : 0, to: &line)
                text(value.names.productName, &line)
                text(value.names.variantTitle, &line)
                text(value.barcode.map { String($0.utf8.drop { $0 == UInt8(ascii: "0") }) ?? "" }, &line)
            }
        }
    }

    /// Ids in the order first given, each with the values given last.
    private struct Latest<Value> {
        private(set) var ids: [String] = []
        private(set) var values: [Value] = []
        private var index: [String: Int] = [:]

        mutating func set(_ id: String, _ value: Value) {
            if let at = index[id] { return values[at] = value }
            index[id] = ids.count
            ids.append(id)
            values.append(value)
        }
    }
}
