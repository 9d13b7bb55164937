import StockReconCore

/// One catalog row as read, with the line it came from.
public struct CatalogRecord: Sendable {
    public var line: Int
    public var kind: CatalogKind
    public var values: [String: String]
}

/// The four catalog files (SPEC section 5), told apart by their header.
public enum CatalogKind: String, Sendable, CaseIterable {
    case orgs, locations, variants, users

    /// The key column, checked in this order: a variants file also has org_id.
    var keyColumn: String {
        switch self {
        case .variants: return "variant_id"
        case .users: return "user_id"
        case .locations: return "location_id"
        case .orgs: return "org_id"
        }
    }

    var columns: [String] {
        switch self {
        case .orgs: return ["org_id", "name", "default_location_id"]
        case .locations: return ["location_id", "site_id", "name"]
        case .variants:
            return ["variant_id", "product_id", "org_id", "sku", "barcode", "unit_cost", "location_aware", "product_name", "variant_title"]
        case .users: return ["user_id", "role"]
        }
    }

    static let detectionOrder: [CatalogKind] = [.variants, .users, .locations, .orgs]

    static func detect(_ names: Set<String>, file: String) throws -> CatalogKind {
        guard let kind = detectionOrder.first(where: { names.contains($0.keyColumn) }) else {
            throw FileReadError(
                SourceLocation(file: file, line: 1),
                "cannot tell which catalog this is: the header needs variant_id, user_id, location_id or org_id",
                input: names.sorted().joined(separator: ","))
        }
        return kind
    }
}

/// Reads a catalog file (CSV, XLSX or JSON) into records keyed by normalized column names.
public enum CatalogFileReader {
    public static func read(_ input: InputFile) throws -> (kind: CatalogKind, records: [CatalogRecord]) {
        var kind = CatalogKind.orgs
        let records = try TableFileReader.read(
            input, columns: Array(Set(CatalogKind.allCases.flatMap(\.columns))).sorted(),
            rowKeys: CatalogKind.allCases.map(\.rawValue),
            header: { kind = try CatalogKind.detect($0, file: input.displayName) })
        return (kind, records.map { record in
            CatalogRecord(line: record.line, kind: kind, values: record.values.filter { kind.columns.contains($0.key) })
        })
    }
}
