/// The variant and location checks of rows that are not adjustments (count sheets, purchase
/// orders): one place for their codes and messages. Adjustments have their own, tuned for
/// the import's hot path (`AdjustmentValidator`).
struct CatalogRowCheck: Sendable {
    let catalog: Catalog
    let org: Catalog.Org
    private let orgIndex: Int?
    /// How a cross-brand message ends (`count it in its own org's count`).
    let crossBrandHint: String
    /// What a location-aware variant without a location is told.
    let locationAwareMessage: String

    init(catalog: Catalog, org: Catalog.Org, crossBrandHint: String, locationAwareMessage: String) {
        self.catalog = catalog
        self.org = org
        orgIndex = catalog.orgIndex(of: org.orgID)
        self.crossBrandHint = crossBrandHint
        self.locationAwareMessage = locationAwareMessage
    }

    /// The variant `key` names in `field`, or a problem: not in the catalog, or another org's.
    /// `found`: the variant a lookup together with other rows' keys found for it.
    func variant(
        _ key: String, by kind: VariantKeyKind, field: String, at: (String) -> SourceLocation, into problems: inout [Diagnostic],
        found: (index: Int, facts: Catalog.VariantFacts)? = nil
    ) -> Catalog.VariantFacts? {
        guard let (index, facts) = found ?? catalog.variantIndex(key, by: kind).map({ ($0, catalog.facts(at: $0)) }) else {
            problems.append(catalog.unknownVariant(key, by: kind, column: field, at: at(field)))
            return nil
        }
        guard facts.orgIndex == orgIndex else {
            let variant = catalog.variant(at: index)
            problems.append(Diagnostic(
                .crossBrand, at: at(field),
                "variant \(variant.variantID) belongs to org \(variant.orgID), not to \(org.orgID): \(crossBrandHint)",
                input: key, context: ["expected_org": .text(org.orgID), "variant_org": .text(variant.orgID)]))
            return nil
        }
        return facts
    }

    /// The location a name names (`location_by: name`): one location of that name, else a problem.
    func location(named name: String, at location: SourceLocation, into problems: inout [Diagnostic]) -> Int64? {
        if let key = catalog.locationKey(named: name) { return key }
        let sharing = catalog.locationIDs(sharingName: name)
        problems.append(Diagnostic(
            .unknownLocation, at: location,
            sharing.isEmpty
                ? "no location is named \(name) in the catalog: check the name, or load the location with `stockrecon catalog import`"
                : "locations \(sharing.joined(separator: ", ")) are all named \(name): name one by its location_id",
            input: name))
        return nil
    }

    /// The location `text` names, else `fallback`, else the org's default one; a
    /// location-aware variant must name one. Nil (with a problem) when none fits.
    func location(
        _ text: String?, fallback: Int64?, variant: Catalog.VariantFacts?, at: (String) -> SourceLocation,
        into problems: inout [Diagnostic]
    ) -> Int64? {
        if let text {
            guard let location = catalog.locationKey(text) else {
                problems.append(Diagnostic(
                    .unknownLocation, at: at("location_id"),
                    "no location with this id in the catalog: check the value or add the location with `stockrecon catalog import`",
                    input: text))
                return nil
            }
            return location
        }
        if let fallback { return fallback }
        guard let variant else { return nil }
        if variant.isLocationAware {
            problems.append(Diagnostic(.locationRequired, at: at("location_id"), locationAwareMessage))
            return nil
        }
        guard let location = org.defaultLocationID.flatMap({ catalog.locationKey($0) }) else {
            problems.append(Diagnostic(
                .unknownLocation, at: at("location_id"),
                "the row names no location and org \(org.orgID) has no default location: name one in location_id",
                context: ["org_id": .text(org.orgID)]))
            return nil
        }
        return location
    }
}
