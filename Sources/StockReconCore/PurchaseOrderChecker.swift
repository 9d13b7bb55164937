/// One row of a purchase orders file (SPEC section 6): `po_number, variant, location_id,
/// quantity_ordered, unit_cost`, the variant by variant_id, sku or barcode (a `variant`
/// column takes any of them).
public struct PurchaseOrderRow: Sendable {
    public var file: String
    public var line: Int
    public var poNumber: String?
    /// The variant and the column that named it.
    public var variant: (column: String, key: String, kind: VariantKeyKind)?
    public var locationID: String?
    /// Read through a mapping whose locations are named (`location_by: name`).
    public var locationName: String?
    public var quantityOrdered: String?
    public var unitCost: String?

    public init(
        file: String, line: Int, poNumber: String?, variant: (column: String, key: String, kind: VariantKeyKind)?,
        locationID: String?, quantityOrdered: String?, unitCost: String?
    ) {
        self.file = file
        self.line = line
        self.poNumber = poNumber
        self.variant = variant
        self.locationID = locationID
        self.quantityOrdered = quantityOrdered
        self.unitCost = unitCost
    }

    /// The columns a purchase orders file may have; the variant columns are tried in this order.
    public static let columns = ["po_number", "variant_id", "sku", "barcode", "variant", "location_id", "quantity_ordered", "unit_cost"]
    public static let variantColumns: [(String, VariantKeyKind)] = [
        ("variant_id", .variantID), ("sku", .sku), ("barcode", .barcode), ("variant", .any),
    ]
}

/// An order line ready to load: internal ids, exact quantities and cost.
public struct OrderLine: Sendable, Hashable {
    public var poNumber: String
    public var variant: Int64
    public var location: Int64
    public var quantityOrdered: Int64
    public var unitCostMinor: Int64?

    /// Each line once, the last given of each PO, variant and location, in the order given: a
    /// file that names a line twice updates it as a second file would (PostgreSQL's upsert
    /// refuses a statement that names a key twice).
    public static func lastOfEach(_ lines: [OrderLine]) -> [OrderLine] {
        struct Key: Hashable {
            var po: String
            var variant: Int64, location: Int64
        }
        var last: [Key: Int] = [:]
        for (index, line) in lines.enumerated() { last[Key(po: line.poNumber, variant: line.variant, location: line.location)] = index }
        guard last.count < lines.count else { return lines }
        return lines.indices.filter { last[Key(po: lines[$0].poNumber, variant: lines[$0].variant, location: lines[$0].location)] == $0 }.map { lines[$0] }
    }
}

/// Checks purchase order rows against the catalog and the run's org.
public struct PurchaseOrderChecker: Sendable {
    public let catalog: Catalog
    public let org: Catalog.Org
    private let rows: CatalogRowCheck

    public init(catalog: Catalog, org: Catalog.Org) {
        self.catalog = catalog
        self.org = org
        rows = CatalogRowCheck(
            catalog: catalog, org: org, crossBrandHint: "order it in its own org's run",
            locationAwareMessage: "the variant is location-aware: name the location it is ordered for")
    }

    /// `lookedUp`: what a lookup together with other rows' keys found for the row's variant.
    public func check(_ row: PurchaseOrderRow, lookedUp: Catalog.LookedUp? = nil) -> Result<OrderLine, DiagnosticList> {
        func at(_ field: String) -> SourceLocation { SourceLocation(file: row.file, line: row.line, field: field) }
        var problems = Diagnostic.nulBytes(
            in: [("po_number", row.poNumber), (row.variant?.column ?? "variant", row.variant?.key), ("location_id", row.locationID),
                 ("location", row.locationName),
                 ("unit_cost", row.unitCost)], at: at)
        if let po = row.poNumber, po.utf8.count > Diagnostic.identifierLimit {
            problems.append(Diagnostic.oversizedIdentifier(column: "po_number", text: po, at: at("po_number")))
        }
        if row.poNumber == nil {
            problems.append(Diagnostic(.missingField, at: at("po_number"), "po_number is empty: every order line belongs to a purchase order"))
        }
        var ordered: Int64?
        if let text = row.quantityOrdered {
            switch Quantity.parse(text) {
            case .success(let value) where value >= 0: ordered = value
            default:
                problems.append(Diagnostic(
                    .invalidQuantity, at: at("quantity_ordered"), "quantity_ordered must be a whole number of units, 0 or more",
                    input: text, context: ["ge": .integer(0)]))
            }
        } else {
            problems.append(Diagnostic(.missingField, at: at("quantity_ordered"), "quantity_ordered is empty: give the units ordered"))
        }
        var cost: Int64?
        if let text = row.unitCost {
            switch Money.parse(text) {
            case .success(let money) where money.minorUnits >= 0: cost = money.minorUnits
            default:
                problems.append(Diagnostic(
                    .invalidCost, at: at("unit_cost"), "unit_cost must be a non-negative decimal with at most 2 decimals, such as 12.50",
                    input: text, context: ["ge": .integer(0)]))
            }
        }
        var variant: Catalog.VariantFacts?
        if let (column, key, kind) = row.variant {
            variant = rows.variant(key, by: kind, field: column, at: at, into: &problems, found: lookedUp?.variant)
        } else {
            problems.append(Diagnostic(.missingField, at: at("variant"), "no variant is named: fill in variant_id, sku, barcode or variant"))
        }
        let location = row.locationName.map { rows.location(named: $0, at: at("location"), into: &problems) }
            ?? rows.location(row.locationID, fallback: nil, variant: variant, at: at, into: &problems)
        guard problems.isEmpty, let po = row.poNumber, let variant, let location, let ordered else { return .failure(DiagnosticList(problems)) }
        return .success(OrderLine(poNumber: po, variant: variant.id, location: location, quantityOrdered: ordered, unitCostMinor: cost))
    }
}

/// Diagnostics as an error value (a row's problems, all at once).
public struct DiagnosticList: Error, Sendable, Hashable {
    public var diagnostics: [Diagnostic]
    public init(_ diagnostics: [Diagnostic]) { self.diagnostics = diagnostics }
}
