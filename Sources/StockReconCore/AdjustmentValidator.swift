/// What the checks made of one row.
public enum Verdict<Text: InputText> {
    case valid(ValidAdjustment<Text>)
    case invalid([Diagnostic])
    /// The row says there is no quantity to take (`not stocked`, or blank where the mapping
    /// reads blank as no change): unchanged, not checked further.
    case noChange
}

/// Checks one input row against the catalog and the rules, collecting every problem the
/// row has (like a compiler), so a person can fix them all at once.
public struct AdjustmentValidator: Sendable {
    public let catalog: Catalog
    public let org: Catalog.Org
    public let rules: AdjustmentRules
    private let defaultLocation: Catalog.Location?
    private let orgIndex: Int?
    /// `rules.reasons` on a reason's bytes: each reason's type at its value.
    private let reasonIndex: LowercasedIndex
    private let reasonTypes: [AdjustmentType]
    /// How the tenant's natural keys digest a row's content.
    public let digest: ContentDigest

    public init(catalog: Catalog, org: Catalog.Org, rules: AdjustmentRules, digest: ContentDigest = .words) {
        self.catalog = catalog
        self.org = org
        self.rules = rules
        self.digest = digest
        self.defaultLocation = org.defaultLocationID.flatMap { catalog.locations[$0] }
        self.orgIndex = catalog.orgIndex(of: org.orgID)
        (reasonIndex, reasonTypes) = rules.reasons.lowercasedIndex()
    }

    // Specialized here for the two kinds of text, since callers in other modules cannot
    // specialize it themselves (unspecialized, it cost twice the instructions).
    @_specialize(exported: true, where Text == BorrowedText)
    @_specialize(exported: true, where Text == String)
    /// `lookedUp` is the row's variant as `Catalog.lookUp` found it with other rows' (by the
    /// row's own variant column and kind), in place of looking it up here.
    public func validate<Text>(_ input: AdjustmentInput<Text>, lookedUp: Catalog.LookedUp? = nil) -> Verdict<Text> {
        if Self.saysNoQuantity(input) { return .noChange }
        var problems: [Diagnostic] = []
        let quantity = checkQuantity(input, into: &problems)
        var isBarcodeRestored = false
        let variant = checkVariant(input, lookedUp: lookedUp, into: &problems, isBarcodeRestored: &isBarcodeRestored)
        let location = checkLocation(input, variant: variant, into: &problems)
        if let choice = input.invalidChoice {
            problems.append(Diagnostic(
                .invalidChoice, at: input.location(choice.column),
                "\(choice.column) must be one of \(choice.allowed.joined(separator: ", "))",
                input: choice.text, context: ["expected": .list(choice.allowed)]))
        }
        let (typeText, type) = checkTypeAndReason(input, into: &problems)
        let unitCost = checkCost(input, quantity: quantity, into: &problems)
        let occurredAt = checkTimestamp(input, into: &problems)
        checkSizes(input, into: &problems)
        if let quantity, let cost = unitCost ?? variant?.unitCostMinor, quantity.multipliedReportingOverflow(by: cost).overflow {
            problems.append(Diagnostic(
                .invalidCost, at: input.location(input.unitCostColumn),
                "\(quantity) units at \(Money.format(minorUnits: cost)) are worth more than an exact figure holds (±92,233,720,368,547,758.07): check the cost and the quantity",
                input: input.unitCost?.string ?? Money.format(minorUnits: cost), context: ["quantity": .integer(quantity)]))
        }
        guard problems.isEmpty, let quantity, let variant, let location else {
            return .invalid(problems)
        }
        var valid = ValidAdjustment(
            record: input.record, line: input.line, variantKey: variant.id, locationID: location,
            change: input.mode == .set ? .set(onHand: quantity) : .delta(quantity),
            adjustmentType: typeText, type: type, reasonCode: input.reasonCode,
            reasonDescription: input.reasonDescription, reference: input.reference,
            unitCostMinor: unitCost ?? variant.unitCostMinor, notes: input.notes,
            occurredAt: occurredAt, naturalKey: input.naturalKey, contentDigest: input.naturalKey == nil ? 0 : input.contentDigest(digest))
        valid.isBarcodeWithoutLeadingZeros = isBarcodeRestored
        return .valid(valid)
    }

    // MARK: - Checks

    private static func saysNoQuantity<Text: InputText>(_ input: AdjustmentInput<Text>) -> Bool {
        let source = input.source
        if input.isUnchanged { return true }
        guard let quantity = input.quantity else { return source.isBlankQuantityUnchanged }
        return source.isNoQuantity(quantity)
    }

    /// Every field within the mapping's limit: a longer one is refused, never stored cut short.
    private func checkSizes<Text>(_ input: AdjustmentInput<Text>, into problems: inout [Diagnostic]) {
        let limit = input.source.maxFieldBytes
        func check(_ text: Text?, _ column: @autoclosure () -> String) {
            guard let text, text.byteCount > limit else { return }
            problems.append(Diagnostic.oversized(column: column(), text: text, limit: limit, at: input.location(column())))
        }
        check(input.variant, input.variantKey.name)
        check(input.quantity, input.quantityColumn)
        check(input.adjustmentType, input.source.column(.adjustmentType))
        check(input.location, input.source.column(.location))
        check(input.site, input.source.column(.site))
        check(input.reasonCode, input.source.column(.reason))
        check(input.reasonDescription, input.source.column(.reasonDescription))
        check(input.reference, input.source.column(.reference))
        check(input.unitCost, input.unitCostColumn)
        check(input.totalCost, input.source.column(.totalCost))
        check(input.notes, input.source.column(.notes))
        check(input.occurredAt, input.source.column(.occurredAt))
        check(input.naturalKey, input.source.column(.idempotencyKey))
        if let key = input.naturalKey, key.byteCount <= limit, key.byteCount > Diagnostic.identifierLimit {
            let column = input.source.column(.idempotencyKey)
            problems.append(Diagnostic.oversizedIdentifier(column: column, text: key, at: input.location(column)))
        }
    }

    private func checkQuantity(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> Int64? {
        // Named only in a diagnostic: working the name out on every row cost a dictionary lookup.
        func column() -> String { input.quantityColumn }
        guard let quantity = input.quantity else {
            problems.append(Diagnostic(
                .missingField, at: input.location(column()), "the quantity is empty: give a whole number of units"))
            return nil
        }
        let mark = input.source.decimalMark
        let parsed = input.source.numberStyle.thousandsSeparator == nil
            ? quantity.withBytes({ Quantity.parse(utf8: $0, decimalMark: mark) })
            : Quantity.parse(input.source.numberStyle.plain(quantity.string, isMoney: false), decimalMark: mark)
        switch parsed {
        case .success(let value):
            if value <= 0, input.source.mapping.requiresPositiveQuantity {
                problems.append(Diagnostic(
                    .invalidQuantity, at: input.location(column()),
                    "a quantity received must be positive: a return to the supplier is an adjustment (`stockrecon import`)",
                    input: quantity.string, context: ["gt": .integer(0)]))
                return nil
            }
            if value == 0, input.mode == .delta {
                problems.append(Diagnostic(
                    .zeroDelta, at: input.location(column()),
                    "an adjustment cannot be zero: remove the row or give the change in units", input: quantity.string))
                return nil
            }
            // A set to a negative on-hand (Lightspeed exports -2) is what the books say: the
            // negative-stock rule refuses it where negative stock is forbidden, like a delta.
            return value
        case .failure(let error):
            let message = error == .outOfRange
                ? "the quantity is outside ±1,000,000,000 units"
                : Diagnostic.unsavedFormula(quantity.string) ?? "the quantity must be a whole number of units, such as 12 or -3"
            problems.append(Diagnostic(
                .invalidQuantity, at: input.location(column()), message, input: quantity.string,
                context: ["ge": .integer(-Quantity.limit), "le": .integer(Quantity.limit)]))
            return nil
        }
    }

    private func checkVariant(
        _ input: AdjustmentInput<some InputText>, lookedUp: Catalog.LookedUp?, into problems: inout [Diagnostic],
        isBarcodeRestored: inout Bool
    ) -> Catalog.VariantFacts? {
        let column = input.variantKey.name
        let kind = input.variantKey.kind
        guard let key = input.variant else {
            let names = input.source.variantColumns.map(\.name).joined(separator: " or ")
            problems.append(Diagnostic(
                .missingField, at: input.location(column), "no variant is named: fill in \(names.isEmpty ? column : names)"))
            return nil
        }
        let named = lookedUp.map { $0.variant?.index } ?? catalog.variantIndex(key, by: kind)
        let restored = named == nil && (kind == .barcode || kind == .any) && catalog.ambiguity(key.string, by: kind) == nil
            ? catalog.variantIndex(barcodeWithoutLeadingZeros: key) : nil
        guard let index = named ?? restored else {
            problems.append(catalog.unknownVariant(key.string, by: kind, column: column, at: input.location(column)))
            return nil
        }
        if restored != nil { isBarcodeRestored = true }
        // A restored barcode was not looked up ahead (`named` is nil): its facts are read here.
        let facts = lookedUp?.variant?.facts ?? catalog.facts(at: index)
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
        func column() -> String { input.source.column(.location) }  // named only in a diagnostic
        let resolved: Int64?
        if let key = input.location {
            let byName = input.source.mapping.locationBy == .name
            guard let location = byName ? catalog.locationKey(named: key) : catalog.locationKey(key) else {
                let sharing = byName ? catalog.locationIDs(sharingName: key.string) : []
                problems.append(Diagnostic(
                    .unknownLocation, at: input.location(column()),
                    sharing.isEmpty
                        ? "no location with this \(byName ? "name" : "id") in the catalog: check the value or add the location with `stockrecon catalog import`"
                        : "locations \(sharing.joined(separator: ", ")) share this name: name one by location_id",
                    input: key.string, context: sharing.isEmpty ? [:] : ["locations": .list(sharing)]))
                return nil
            }
            resolved = location
        } else {
            guard let variant else { return nil }
            if variant.isLocationAware {
                let variantID = input.variant?.string ?? ""
                problems.append(Diagnostic(
                    .locationRequired, at: input.location(column()),
                    "variant \(variantID) is location-aware: name its location in \(column())",
                    context: ["variant": .text(variantID)]))
                return nil
            }
            guard let defaultLocation else {
                problems.append(Diagnostic(
                    .unknownLocation, at: input.location(column()),
                    "the row names no location and org \(org.orgID) has no default location in the catalog: name one in \(column()) or set the org's default_location_id",
                    input: org.defaultLocationID, context: ["org_id": .text(org.orgID)]))
                return nil
            }
            resolved = defaultLocation.id
        }
        if let site = input.site?.string, let resolved, let location = catalog.location(key: resolved), location.siteID != site {
            problems.append(Diagnostic(
                .unknownLocation, at: input.location(column()),
                "location \(location.locationID) is not in site \(site)\(location.siteID.map { " (it is in \($0))" } ?? ""): name a location of that site, or correct site_id",
                input: location.locationID, context: ["site_id": .text(site), "location_site_id": .text(location.siteID ?? "")]))
            return nil
        }
        return resolved
    }

    /// The row's adjustment type as stored and as the rules see it: from a closed-set type
    /// column, a free-text one, or what the row's reason stands for; and the reason's checks.
    private func checkTypeAndReason<Text: InputText>(
        _ input: AdjustmentInput<Text>, into problems: inout [Diagnostic]
    ) -> (Text?, AdjustmentType?) {
        let mapping = input.source.mapping
        let reasonText = input.reasonCode
        if rules.isReasonRequired, reasonText == nil {
            let column = input.source.column(.reason)
            problems.append(Diagnostic(
                .reasonRequired, at: input.location(column), "a reason is required for this format: fill in the \(column) column"))
        }
        if let reasonText, !mapping.reasonChoices.isEmpty, !input.source.isReasonChoice(reasonText) {
            let reason = reasonText.string
            let column = input.source.column(.reason)
            problems.append(Diagnostic(
                .invalidChoice, at: input.location(column), "\(column) must be one of \(mapping.reasonChoices.joined(separator: ", "))",
                input: reason, context: ["expected": .list(mapping.reasonChoices)]))
        }
        var reasonType: AdjustmentType?
        if let reasonText {
            reasonType = reasonIndex.value(for: reasonText).map { $0.map { reasonTypes[$0] } } ?? rules.reasons.type(of: reasonText.string)
            if reasonType == nil, rules.reasons.isStrict {
                let reason = reasonText.string
                let column = input.source.column(.reason)
                let known = rules.reasons.types.keys.sorted()
                problems.append(Diagnostic(
                    .unknownReason, at: input.location(column),
                    "the reason map does not know this reason: add it under `reasons:` in the mapping or pipeline (known: \(known.joined(separator: ", ")))",
                    input: reason, context: ["expected": .list(known + AdjustmentType.names)]))
            }
        }
        guard mapping.isAdjustmentTypeClosed else {
            if let text = input.adjustmentType { return (text, AdjustmentType(named: text.string)) }
            return (reasonType.map { .literal($0.literal) }, reasonType)
        }
        let column = input.source.column(.adjustmentType)  // looked up only where the type is a closed set
        guard let text = input.adjustmentType?.string else {
            problems.append(Diagnostic(
                .missingField, at: input.location(column),
                "the adjustment type is empty: give one of \(AdjustmentType.names.joined(separator: ", "))"))
            return (nil, nil)
        }
        guard let type = AdjustmentType(named: text) else {
            problems.append(Diagnostic(
                .invalidChoice, at: input.location(column), "\(column) must be one of \(AdjustmentType.names.joined(separator: ", "))",
                input: text, context: ["expected": .list(AdjustmentType.names)]))
            return (nil, nil)
        }
        return (.literal(type.literal), type)
    }

    private func checkCost(_ input: AdjustmentInput<some InputText>, quantity: Int64?, into problems: inout [Diagnostic]) -> Int64? {
        let mark = input.source.decimalMark
        let source = input.source
        let money = { (text: String) in source.numberStyle.isPlain ? text : source.numberStyle.plain(text, isMoney: true) }
        if let text = input.totalCost?.string {
            let at = input.location(of: .totalCost)
            guard case .success(let total) = Money.parse(money(text), scale: rules.currencyScale, decimalMark: mark) else {
                problems.append(Diagnostic(
                    .invalidCost, at: at, "the line's cost must be a decimal number such as 125.50, with at most \(rules.currencyScale) decimals",
                    input: text))
                return nil
            }
            // The unit cost where the line's cost divides exactly; else the catalog's.
            guard let quantity, quantity != 0, total.minorUnits.magnitude % quantity.magnitude == 0 else { return nil }
            return Int64(total.minorUnits.magnitude / quantity.magnitude)
        }
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
        switch Money.parse(money(text), scale: rules.currencyScale, decimalMark: mark) {
        case .success(let amount) where amount.minorUnits >= 0:
            return amount.minorUnits
        case .success:
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost cannot be negative", input: text, context: ["ge": .integer(0)]))
        case .failure(.tooManyDecimals(let allowed)):
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost has at most \(allowed) decimals: give it exactly, such as 12.50",
                input: text, context: ["decimal_places": .integer(Int64(allowed))]))
        case .failure(.outOfRange):
            problems.append(Diagnostic(
                .invalidCost, at: at, "a unit cost is beyond what exact money holds (9,223,372,036,854 units): check the cell",
                input: text))
        case .failure:
            problems.append(Diagnostic(
                .invalidCost, at: at,
                Diagnostic.unsavedFormula(text)
                    ?? "a unit cost must be a decimal number such as 12.50, without currency signs (a mapping's `currency:` names the ones a file has)",
                input: text))
        }
        return nil
    }

    private func checkTimestamp(_ input: AdjustmentInput<some InputText>, into problems: inout [Diagnostic]) -> String? {
        guard let text = input.occurredAt?.string else { return nil }
        let format = input.source.dateFormat
        guard let normalized = format.map({ $0.normalize(text) }) ?? Timestamp.normalize(text) else {
            let column = input.source.column(.occurredAt)
            let expected = format.map { "a time in the mapping's date format \($0.pattern)" } ?? "an ISO-8601 time such as 2026-11-23T09:30:00Z"
            problems.append(Diagnostic(
                .invalidTimestamp, at: input.location(column), "\(column) must be \(expected)", input: text))
            return nil
        }
        return normalized
    }
}

/// Owned text may cross threads; borrowed text lives only during a reader's callback.
extension Verdict: Sendable where Text: Sendable {}
