import StockReconCore

/// A source format (SPEC section 6): which columns a file must have, and how one of its
/// rows becomes an `AdjustmentInput`.
public enum SourceFormat: String, Sendable, CaseIterable {
    case canonical
    case synq
    case dayzero
    case stockAdjustments = "stock-adjustments"

    /// Formats may tighten the rules: DayZero requires a reason.
    public func rules(_ base: AdjustmentRules) -> AdjustmentRules {
        var rules = base
        if self == .dayzero { rules.isReasonRequired = true }
        return rules
    }

    /// Members of a JSON wrapper object whose array holds the rows.
    public var jsonRowKeys: [String] {
        switch self {
        case .canonical: return ["movements", "adjustments", "rows"]
        case .synq: return ["adjustments", "items"]
        case .dayzero: return ["adjustments", "data"]
        case .stockAdjustments: return ["adjustments", "stock_adjustments", "data"]
        }
    }

    /// Columns without which no row can be read: each entry lists alternatives.
    var requiredColumns: [[String]] {
        switch self {
        case .canonical: return [Columns.variantAlternatives, ["quantity_delta", "quantity_after"]]
        case .synq: return [["variant_id"], ["quantity_delta"]]
        case .dayzero: return [["variant_id"], ["quantity_change"]]
        case .stockAdjustments: return [["product"], ["type"], ["quantity"]]
        }
    }

    /// Binds the format to a file's header, or explains which columns are missing.
    public func mapper(header: [String], file: String) throws -> RowMapper {
        let columns = Columns(header: header)
        let missing = requiredColumns.filter { alternatives in alternatives.allSatisfy { columns[$0] == nil } }
        guard missing.isEmpty else {
            let names = missing.map { $0.joined(separator: " or ") }
            let others = SourceFormat.allCases.filter { $0 != self && $0.accepts(columns) }.map(\.rawValue)
            let hint = others.isEmpty ? "" : "; its columns fit --format \(others.joined(separator: " or "))"
            throw FileReadError(
                SourceLocation(file: file, line: 1),
                "the header has no \(names.joined(separator: ", ")) column for format \(rawValue)\(hint)",
                input: header.joined(separator: ","),
                context: ["missing": .list(names), "found": .list(columns.names)])
        }
        return RowMapper(format: self, columns: columns, file: file)
    }

    func accepts(_ columns: Columns) -> Bool {
        requiredColumns.allSatisfy { alternatives in alternatives.contains { columns[$0] != nil } }
    }
}

/// Column positions by normalized name (`Variant ID` and `variant_id` are one column).
struct Columns {
    static let variantAlternatives = ["variant_id", "sku", "barcode", "product_id", "product", "variant"]
    let names: [String]
    private let index: [String: Int]

    init(header: [String]) {
        names = header.map(Columns.normalize)
        var index: [String: Int] = [:]
        for (position, name) in names.enumerated() where index[name] == nil { index[name] = position }
        self.index = index
    }

    subscript(name: String) -> Int? { index[name] }

    static func normalize(_ name: String) -> String {
        name.trimmingSpaces().lowercased()
            .split(whereSeparator: { $0 == " " || $0 == "-" }).joined(separator: "_")
    }
}
