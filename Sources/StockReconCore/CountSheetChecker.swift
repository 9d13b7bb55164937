import Foundation

/// One row of a count sheet (SPEC section 6) as read: ids and numbers trimmed, notes exact.
public struct CountSheetRow: Sendable, Hashable {
    public var file: String
    public var line: Int
    public var variantID: String?
    public var sku: String?
    public var barcode: String?
    public var countedQuantity: String?
    public var locationID: String?
    public var batch: String?
    public var reason: String?
    public var notes: String?
    /// Read through a mapping: a variant named by any of its ids (`variant_by: any`), and a
    /// location by its name (`location_by: name`).
    public var anyKey: String?
    public var locationName: String?
    /// When the sheet says it was counted (a mapping's `occurred_at`), as written, and as UTC
    /// text when it reads as a time.
    public var countedAtText: String?
    public var countedAt: String?

    public init(
        file: String, line: Int, variantID: String? = nil, sku: String? = nil, barcode: String? = nil,
        countedQuantity: String?, locationID: String? = nil, batch: String? = nil, reason: String? = nil, notes: String? = nil
    ) {
        self.file = file
        self.line = line
        self.variantID = variantID
        self.sku = sku
        self.barcode = barcode
        self.countedQuantity = countedQuantity
        self.locationID = locationID
        self.batch = batch
        self.reason = reason
        self.notes = notes
    }

    /// Whether a field holds a NUL byte (which no text column may).
    var hasNulBytes: Bool {
        func nul(_ text: String?) -> Bool { text?.holdsNulByte ?? false }
        return nul(variantID) || nul(sku) || nul(barcode) || nul(anyKey) || nul(locationID) || nul(locationName) || nul(batch)
            || nul(reason) || nul(notes)
    }

    /// The columns a count sheet may have, in the order a blind sheet writes them.
    public static let columns = ["variant_id", "sku", "barcode", "location_id", "batch", "counted_quantity", "reason", "notes"]
    /// Columns kept byte for byte (SPEC section 2).
    public static let freeTextColumns: Set<String> = ["notes"]
}

/// A counted line ready to record: internal ids, the quantity, where it came from.
public struct CountedLine: Sendable, Hashable {
    public var line: Int
    public var variant: Int64
    public var location: Int64
    /// Empty when the sheet names none.
    public var batch: String
    public var counted: Int64
    public var reason: String?
    public var notes: String?
}

/// What became of a count sheet's row.
public enum CountSheetVerdict: Sendable, Hashable {
    case counted(CountedLine)
    /// A blank counted quantity: the item was not counted (not a zero).
    case notCounted
    case invalid([Diagnostic])
}

/// Checks count sheet rows against the catalog, the count's org and its location scope.
public struct CountSheetChecker: Sendable {
    public let catalog: Catalog
    public let org: Catalog.Org
    /// The count's location (internal id), nil for every location.
    public let scope: Int64?
    private let rows: CatalogRowCheck

    public init(catalog: Catalog, org: Catalog.Org, scope: Int64?) {
        self.catalog = catalog
        self.org = org
        self.scope = scope
        rows = CatalogRowCheck(
            catalog: catalog, org: org, crossBrandHint: "count it in its own org's count",
            locationAwareMessage: "the variant is location-aware and this count covers every location: name its location_id")
    }

    /// The variant key a row names, and by which kind (the first of variant_id, sku, barcode
    /// and a mapping's any-id column it fills).
    public static func variantKey(of row: CountSheetRow) -> (key: String, field: String, kind: VariantKeyKind)? {
        if let text = row.variantID { return (text, "variant_id", .variantID) }
        if let text = row.sku { return (text, "sku", .sku) }
        if let text = row.barcode { return (text, "barcode", .barcode) }
        if let text = row.anyKey { return (text, "variant", .any) }
        return nil
    }

    /// `lookedUp`: what `catalog.lookUp` found for the row's variant key, with other rows'.
    public func check(_ row: CountSheetRow, lookedUp: Catalog.LookedUp? = nil) -> CountSheetVerdict {
        func at(_ field: String) -> SourceLocation { SourceLocation(file: row.file, line: row.line, field: field) }
        var problems: [Diagnostic] = []
        guard let quantityText = row.countedQuantity else { return .notCounted }
        var counted: Int64?
        switch Quantity.parse(quantityText) {
        case .success(let value) where value >= 0:
            counted = value
        case .success:
            problems.append(Diagnostic(
                .invalidQuantity, at: at("counted_quantity"), "a counted quantity cannot be negative: write what is on the shelf",
                input: quantityText, context: ["ge": .integer(0)]))
        case .failure(.outOfRange):
            problems.append(Diagnostic(
                .invalidQuantity, at: at("counted_quantity"), "the counted quantity is beyond ±1,000,000,000: check the cell",
                input: quantityText, context: ["le": .integer(Quantity.limit)]))
        case .failure(.notAnInteger):
            problems.append(Diagnostic(
                .invalidQuantity, at: at("counted_quantity"),
                Diagnostic.unsavedFormula(quantityText) ?? "the counted quantity must be a whole number of units (or blank: not counted)",
                input: quantityText))
        }
        if row.hasNulBytes {
            problems += Diagnostic.nulBytes(
                in: [("variant_id", row.variantID), ("sku", row.sku), ("barcode", row.barcode), ("variant", row.anyKey),
                     ("location_id", row.locationID), ("location", row.locationName), ("batch", row.batch), ("reason", row.reason),
                     ("notes", row.notes)], at: at)
        }
        if let text = row.countedAtText, row.countedAt == nil {
            problems.append(Diagnostic(.invalidTimestamp, at: at("occurred_at"), "when the sheet was counted must be a time the mapping's date format reads", input: text))
        }
        let variant = checkVariant(row, lookedUp: lookedUp, at: at, into: &problems)
        let location = checkLocation(row, variant: variant, at: at, into: &problems)
        guard problems.isEmpty, let counted, let variant, let location else { return .invalid(problems) }
        return .counted(CountedLine(
            line: row.line, variant: variant.id, location: location, batch: row.batch ?? "", counted: counted,
            reason: row.reason, notes: row.notes))
    }

    /// The first of variant_id, sku and barcode the row fills names the variant. A variant
    /// found with other rows' is taken as found; a key that found none is asked again alone
    /// (a barcode may have lost its leading zeros, and the problem says why).
    private func checkVariant(
        _ row: CountSheetRow, lookedUp: Catalog.LookedUp?, at: (String) -> SourceLocation, into problems: inout [Diagnostic]
    ) -> Catalog.VariantFacts? {
        guard let (key, field, kind) = Self.variantKey(of: row) else {
            problems.append(Diagnostic(.missingField, at: at("variant_id"), "no variant is named: fill in variant_id, sku or barcode"))
            return nil
        }
        if let found = lookedUp?.variant { return rows.variant(key, by: kind, field: field, at: at, into: &problems, found: found) }
        if kind == .barcode, catalog.variantIndex(key, by: .barcode) == nil, catalog.ambiguity(key, by: .barcode) == nil,
           let index = catalog.variantIndex(barcodeWithoutLeadingZeros: key) {
            // A barcode the spreadsheet kept as a number: the one catalog barcode that fits.
            return rows.variant(catalog.variant(at: index).variantID, by: .variantID, field: field, at: at, into: &problems)
        }
        return rows.variant(key, by: kind, field: field, at: at, into: &problems)
    }

    /// Whether the row names its variant by a barcode that lost its leading zeros (and one fits).
    public func namesBarcodeWithoutLeadingZeros(_ row: CountSheetRow, lookedUp: Catalog.LookedUp? = nil) -> Bool {
        guard row.variantID == nil, row.sku == nil, let barcode = row.barcode, lookedUp?.variant == nil else { return false }
        return catalog.variantIndex(barcode, by: .barcode) == nil && catalog.variantIndex(barcodeWithoutLeadingZeros: barcode) != nil
    }

    /// The row's location, else the count's, else the org's default one; inside the scope.
    private func checkLocation(
        _ row: CountSheetRow, variant: Catalog.VariantFacts?, at: (String) -> SourceLocation, into problems: inout [Diagnostic]
    ) -> Int64? {
        var named: Int64?
        if let name = row.locationName {
            guard let key = rows.location(named: name, at: at("location"), into: &problems) else { return nil }
            named = key
        }
        guard let resolved = named ?? rows.location(row.locationID, fallback: scope, variant: variant, at: at, into: &problems) else {
            return nil
        }
        if let scope, resolved != scope {
            let scopeID = catalog.location(key: scope)?.locationID ?? String(scope)
            problems.append(Diagnostic(
                .unknownLocation, at: at("location_id"),
                "this count covers location \(scopeID) only: count this item in a count of its own location",
                input: row.locationID, context: ["count_location_id": .text(scopeID)]))
            return nil
        }
        return resolved
    }
}
