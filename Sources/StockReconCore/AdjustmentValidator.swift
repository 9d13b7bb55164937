/// What the checks made of one row.
public enum Verdict<Text: InputText>: Sendable {
    case valid(ValidAdjustment<Text>)
    case invalid([Diagnostic])
}

/// Checks one input row against the catalog and the rules, collecting every problem the
/// row has (like a compiler), so a person can fix them all at once.
public struct AdjustmentValidator: Sendable {
    public let catalog: Catalog
    public let org: Catalog.Org
    public let rules: AdjustmentRules
    private let defaultLocation: Catalog.Location?
    private let orgIndex: Int?

    public init(catalog: Catalog, org: Catalog.Org, rules: AdjustmentRules) {
        self.catalog = catalog
        self.org = org
        self.rules = rules
        self.defaultLocation = org.defaultLocationID.flatMap { catalog.locations[$0] }
        self.orgIndex = catalog.orgIndex(of: org.orgID)
    }

    // Specialized here for the two kinds of text, since callers in other modules cannot
    // specialize it themselves (unspecialized, it cost twice the instructions).
    @_specialize(exported: true, where Text == BorrowedText)
    @_specialize(exported: true, where Text == String)
    public func validate<Text>(_ input: AdjustmentInput<Text>) -> Verdict<Text> {
        var problems: [Diagnostic] = []
        let quantity = checkQuantity(input, into: &problems)
        let variant = checkVariant(input, into: &problems)
        let location = checkLocation(input, variant: variant, into: &problems)
        if let choice = input.invalidChoice {
            problems.append(Diagnostic(
                .invalidChoice, at: input.location(choice.column),
                "\(choice.column) must be one of \(choice.allowed.joined(separator: ", "))",
                input: choice.text, context: ["expected": .list(choice.allowed)]))
        }
        if rules.isReasonRequired, input.reasonCode == nil {
            problems.append(Diagnostic(
                .reasonRequired, at: input.location(input.source.reasonColumn),
                "a reason is required for this format: fill in the \(input.source.reasonColumn) column"))
        }
        let adjustmentType = checkType(input, into: &problems)
        let unitCost = checkCost(input, into: &problems)
        let occurredAt = checkTimestamp(input, into: &problems)
        guard problems.isEmpty, let quantity, let variant, let location else {
            return .invalid(problems)
        }
        return .valid(ValidAdjustment(
            record: input.record, line: input.line, variantKey: variant.id, locationID: location,
            change: input.mode == .set ? .set(onHand: quantity) : .delta(quantity),
            adjustmentType: adjustmentType, reasonCode: input.reasonCode,
            reasonDescription: input.reasonDescription, reference: input.reference,
            unitCostMinor: unitCost ?? variant.unitCostMinor, notes: input.notes,
            occurredAt: occurredAt, naturalKey: input.naturalKey, contentDigest: input.naturalKey == nil ? 0 : input.contentDigest))
    }

    // MARK: - Checks

    private func checkQuantity(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> Int64? {
        let column = input.quantityColumn
        guard let quantity = input.quantity else {
            problems.append(Diagnostic(
                .missingField, at: input.location(column), "the quantity is empty: give a whole number of units"))
            return nil
        }
        switch quantity.withBytes({ Quantity.parse(utf8: $0) }) {
        case .success(let value):
            if value == 0, input.mode == .delta {
                problems.append(Diagnostic(
                    .zeroDelta, at: input.location(column),
                    "an adjustment cannot be zero: remove the row or give the change in units", input: quantity.string))
                return nil
            }
            if value < 0, input.mode == .set {
                problems.append(Diagnostic(
                    .invalidQuantity, at: input.location(column), "a new on-hand quantity cannot be negative",
                    input: quantity.string, context: ["ge": .integer(0)]))
                return nil
            }
            return value
        case .failure(let error):
            let message = error == .outOfRange
                ? "the quantity is outside ±1,000,000,000 units"
                : "the quantity must be a whole number of units, such as 12 or -3"
            problems.append(Diagnostic(
                .invalidQuantity, at: input.location(column), message, input: quantity.string,
                context: ["ge": .integer(-Quantity.limit), "le": .integer(Quantity.limit)]))
            return nil
        }
    }

    private func checkVariant(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> Catalog.VariantFacts? {
        let column = input.source.variantColumn
        let kind = input.source.variantKeyKind
        guard let key = input.variant else {
            problems.append(Diagnostic(
                .missingField, at: input.location(column), "no variant is named: fill in \(column)"))
            return nil
        }
        guard let index = catalog.variantIndex(key, by: kind) else {
            let text = key.string
            let hint = catalog.isAmbiguousProduct(text)
                ? "product \(text) has several variants: name one by variant_id, sku or barcode"
                : "no variant with this \(kind == .any ? "id, sku or barcode" : column) in the catalog: check the value or add the variant with `stockrecon catalog import`"
            problems.append(Diagnostic(.unknownVariant, at: input.location(column), hint, input: text))
            return nil
        }
        let facts = catalog.facts(at: index)
        guard facts.orgIndex == orgIndex else {
            let variant = catalog.variant(at: index)
            let text = key.string
            problems.append(Diagnostic(
                .crossBrand, at: input.location(column),
                "variant \(variant.variantID) belongs to org \(variant.orgID), not to \(org.orgID): import it in a run for its own org",
                input: text, context: ["expected_org": .text(org.orgID), "variant_org": .text(variant.orgID)]))
            return nil
        }
        return facts
    }

    /// The internal id of the row's location, or of the org's default one.
    private func checkLocation(
        _ input: AdjustmentInput<some InputText>, variant: Catalog.VariantFacts?, into problems: inout [Diagnostic]
    ) -> Int64? {
        if let key = input.location {
            guard let location = catalog.locationKey(key) else {
                problems.append(Diagnostic(
                    .unknownLocation, at: input.location("location_id"),
                    "no location with this id in the catalog: check the value or add the location with `stockrecon catalog import`",
                    input: key.string))
                return nil
            }
            return location
        }
        guard let variant else { return nil }
        if variant.isLocationAware {
            let variantID = input.variant?.string ?? ""
            problems.append(Diagnostic(
                .locationRequired, at: input.location("location_id"),
                "variant \(variantID) is location-aware: name its location in location_id",
                context: ["variant": .text(variantID)]))
            return nil
        }
        guard let defaultLocation else {
            problems.append(Diagnostic(
                .unknownLocation, at: input.location("location_id"),
                "the row names no location and org \(org.orgID) has no default location in the catalog: name one in location_id or set the org's default_location_id",
                input: org.defaultLocationID, context: ["org_id": .text(org.orgID)]))
            return nil
        }
        return defaultLocation.id
    }

    /// The row's adjustment type: free text, or where the format has a closed set, one of
    /// `AdjustmentType` in its canonical spelling.
    private func checkType<Text>(_ input: AdjustmentInput<Text>, into problems: inout [Diagnostic]) -> Text? {
        guard let column = input.source.typeColumn else { return input.adjustmentType }
        guard let text = input.adjustmentType?.string else {
            problems.append(Diagnostic(
                .missingField, at: input.location(column),
                "the adjustment type is empty: give one of \(AdjustmentType.allCases.map(\.rawValue).joined(separator: ", "))"))
            return nil
        }
        guard let type = AdjustmentType(rawValue: text.uppercased()) else {
            let allowed = AdjustmentType.allCases.map(\.rawValue)
            problems.append(Diagnostic(
                .invalidChoice, at: input.location(column), "\(column) must be one of \(allowed.joined(separator: ", "))",
                input: text, context: ["expected": .list(allowed)]))
            return nil
        }
        return .literal(type.literal)
    }

    private func checkCost(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> Int64? {
        guard let text = input.unitCost?.string else { return nil }
        let at = input.location(input.unitCostColumn)
        if input.isUnitCostInMinorUnits {
            guard case .success(let minor) = Quantity.parse(text), minor >= 0 else {
                problems.append(Diagnostic(
                    .invalidCost, at: at,
                    "unit_cost_minor must be a whole, non-negative number of minor units (cents), such as 1250",
                    input: text, context: ["ge": .integer(0)]))
                return nil
            }
            return minor
        }
        switch Money.parse(text, scale: rules.currencyScale) {
        case .success(let money) where money.minorUnits >= 0:
            return money.minorUnits
        case .success:
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost cannot be negative", input: text, context: ["ge": .integer(0)]))
        case .failure(.tooManyDecimals(let allowed)):
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost has at most \(allowed) decimals: give it exactly, such as 12.50",
                input: text, context: ["decimal_places": .integer(Int64(allowed))]))
        case .failure:
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost must be a decimal number such as 12.50, without currency signs",
                input: text))
        }
        return nil
    }

    private func checkTimestamp(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> String? {
        guard let text = input.occurredAt?.string else { return nil }
        guard let normalized = Timestamp.normalize(text) else {
            problems.append(Diagnostic(
                .invalidTimestamp, at: input.location("occurred_at"),
                "occurred_at must be an ISO-8601 time such as 2026-11-23T09:30:00Z", input: text))
            return nil
        }
        return normalized
    }
}
