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
        case .variants: return ["variant_id", "product_id", "org_id", "sku", "barcode", "unit_cost", "location_aware"]
        case .users: return ["user_id", "role"]
        }
    }

    static let detectionOrder: [CatalogKind] = [.variants, .users, .locations, .orgs]

    static func detect(_ columns: Columns, file: String) throws -> CatalogKind {
        guard let kind = detectionOrder.first(where: { columns[$0.keyColumn] != nil }) else {
            throw FileReadError(
                SourceLocation(file: file, line: 1),
                "cannot tell which catalog this is: the header needs variant_id, user_id, location_id or org_id",
                input: columns.names.joined(separator: ","))
        }
        return kind
    }
}

/// Reads a catalog file (CSV or JSON) into records keyed by normalized column names.
public enum CatalogFileReader {
    public static func read(_ input: InputFile) throws -> (kind: CatalogKind, records: [CatalogRecord]) {
        var kind = CatalogKind.orgs
        var columns = Columns(header: [])
        var records: [CatalogRecord] = []
        func collect(_ row: some RowReading) {
            var values: [String: String] = [:]
            for name in kind.columns {
                if let column = columns[name], let text = row.text(column) { values[name] = text }
            }
            records.append(CatalogRecord(line: row.line, kind: kind, values: values))
        }
        switch input.kind() {
        case .csv:
            try CSVReader(path: input.path, displayName: input.displayName).read(
                header: { header in
                    columns = Columns(header: header)
                    kind = try CatalogKind.detect(columns, file: input.displayName)
                },
                row: { collect($0) })
        case .json:
            let (header, rows) = try JSONRowReader(path: input.path, displayName: input.displayName)
                .rows(rowKeys: CatalogKind.allCases.map(\.rawValue))
            columns = Columns(header: header)
            kind = try CatalogKind.detect(columns, file: input.displayName)
            rows.forEach { collect($0) }
        }
        return (kind, records)
    }
}
