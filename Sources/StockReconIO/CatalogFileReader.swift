import StockReconCore

/// One catalog row as read, with the line it came from.
public struct CatalogRecord: Sendable {
    public var line: Int
    public var kind: CatalogKind
    /// The value of each of `kind.columns`, in that order (nil: no such column, or empty).
    public var fields: [String?]

    /// The value of one of `kind.columns` (nil for another kind's).
    public subscript(column: CatalogColumn) -> String? {
        kind.catalogColumns.firstIndex(of: column).flatMap { fields[$0] }
    }

    /// Column name → value, for the columns that have one.
    public var values: [String: String] { TableRecord.values(of: kind.columns, fields) }
}

/// A column of a catalog file. Asked for by name, a variants row's nine took a fifth of the
/// reading thread's time in a load of a million: `==` between two different names is slow.
public enum CatalogColumn: String, Sendable {
    case orgID = "org_id", name, defaultLocationID = "default_location_id"
    case locationID = "location_id", siteID = "site_id"
    case variantID = "variant_id", productID = "product_id", sku, barcode, unitCost = "unit_cost"
    case locationAware = "location_aware", productName = "product_name", variantTitle = "variant_title"
    case userID = "user_id", role
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

    /// The kind's columns, in the order of a record's fields.
    public var catalogColumns: [CatalogColumn] {
        switch self {
        case .orgs: Self.orgColumns
        case .locations: Self.locationColumns
        case .variants: Self.variantColumns
        case .users: Self.userColumns
        }
    }

    /// Their names.
    public var columns: [String] { catalogColumns.map(\.rawValue) }

    // Built once: asked for on every row.
    private static let orgColumns: [CatalogColumn] = [.orgID, .name, .defaultLocationID]
    private static let locationColumns: [CatalogColumn] = [.locationID, .siteID, .name]
    private static let variantColumns: [CatalogColumn] = [
        .variantID, .productID, .orgID, .sku, .barcode, .unitCost, .locationAware, .productName, .variantTitle,
    ]
    private static let userColumns: [CatalogColumn] = [.userID, .role]

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
        var records: [CatalogRecord] = []
        let kind = try forEach(input) { records.append($0) }
        return (kind, records)
    }

    /// Calls `body` with each record in file order, none held after; returns the file's kind.
    @discardableResult
    public static func forEach(_ input: InputFile, _ body: (CatalogRecord) throws -> Void) throws -> CatalogKind {
        var kind = CatalogKind.orgs
        let columns = Array(Set(CatalogKind.allCases.flatMap(\.columns))).sorted()
        // Where each of the kind's columns is among `columns`.
        var positions: [Int] = []
        try TableFileReader.forEach(
            input, columns: columns, rowKeys: CatalogKind.allCases.map(\.rawValue),
            header: { names in
                kind = try CatalogKind.detect(names, file: input.displayName)
                positions = kind.columns.compactMap { columns.firstIndex(of: $0) }
            },
            record: { record in try body(CatalogRecord(line: record.line, kind: kind, fields: positions.map { record.fields[$0] })) })
        return kind
    }
}
