import Testing
@testable import StockReconCore
import TestSupport

/// A small catalog: org acme (default location WH), org other; a location-aware lamp.
func sampleCatalog() -> Catalog {
    Catalog(
        orgs: [
            Catalog.Org(id: 1, orgID: "acme", name: "Acme", defaultLocationID: "WH"),
            Catalog.Org(id: 2, orgID: "other", name: "Other", defaultLocationID: nil),
        ],
        locations: [Catalog.Location(id: 10, locationID: "WH", siteID: "s"), Catalog.Location(id: 11, locationID: "SHOP", siteID: "s")],
        variants: [
            Catalog.Variant(id: 100, variantID: "1001", productID: "P1", orgID: "acme", sku: "TENT", barcode: "400", unitCostMinor: 8990, isLocationAware: false),
            Catalog.Variant(id: 101, variantID: "1002", productID: "P2", orgID: "acme", sku: "LAMP", barcode: "401", unitCostMinor: 1200, isLocationAware: true),
            Catalog.Variant(id: 102, variantID: "1003", productID: "P2", orgID: "acme", sku: "LAMP-XL", barcode: nil, unitCostMinor: nil, isLocationAware: false),
            Catalog.Variant(id: 200, variantID: "2001", productID: "P9", orgID: "other", sku: "CANDLE", barcode: nil, unitCostMinor: 375, isLocationAware: false),
        ])
}

let testSource = InputSource(file: "f.csv")

func input(variant: String? = "1001", quantity: String? = "5", location: String? = nil, _ configure: (inout AdjustmentInput<String>) -> Void = { _ in }) -> AdjustmentInput<String> {
    var input = AdjustmentInput<String>(source: testSource, line: 7, record: 6)
    input.variant = variant
    input.quantity = quantity
    input.location = location
    configure(&input)
    return input
}

@Suite struct AdjustmentValidatorTests {
    let catalog = sampleCatalog()
    var validator: AdjustmentValidator {
        AdjustmentValidator(catalog: catalog, org: catalog.orgs["acme"]!, rules: AdjustmentRules())
    }

    func problems(_ row: AdjustmentInput<String>, rules: AdjustmentRules = AdjustmentRules()) -> [Diagnostic] {
        let validator = AdjustmentValidator(catalog: catalog, org: catalog.orgs["acme"]!, rules: rules)
        if case .invalid(let problems) = validator.validate(row) { return problems }
        return []
    }

    @Test func acceptsAValidRowAndUsesTheDefaultLocation() throws {
        guard case .valid(let adjustment) = validator.validate(input()) else {
            Issue.record("expected a valid row")
            return
        }
        #expect(adjustment.variantKey == 100)
        #expect(adjustment.locationID == 10)
        #expect(adjustment.change == .delta(5))
        #expect(adjustment.unitCostMinor == 8990)
        #expect(adjustment.line == 7)
    }

    @Test(arguments: [
        (input(variant: nil), RejectionType.missingField, "variant_id"),
        (input(quantity: nil), .missingField, "quantity_delta"),
        (input(quantity: "1.5"), .invalidQuantity, "quantity_delta"),
        (input(quantity: "2000000000"), .invalidQuantity, "quantity_delta"),
        (input(quantity: "0"), .zeroDelta, "quantity_delta"),
        (input(variant: "9999"), .unknownVariant, "variant_id"),
        (input(variant: "2001"), .crossBrand, "variant_id"),
        (input(location: "MOON"), .unknownLocation, "location_id"),
        (input(variant: "1002"), .locationRequired, "location_id"),
        (input { $0.unitCost = "-1.00" }, .invalidCost, "unit_cost"),
        (input { $0.unitCost = "12.345" }, .invalidCost, "unit_cost"),
        (input { $0.unitCost = "-5"; $0.isUnitCostInMinorUnits = true }, .invalidCost, "unit_cost_minor"),
        (input { $0.occurredAt = "yesterday" }, .invalidTimestamp, "occurred_at"),
        (input(quantity: nil) { $0.mode = .set }, .missingField, "quantity_after"),
        (input { $0.invalidChoice = InvalidChoice(column: "transaction_type", text: "x", allowed: ["adjustment", "set"]) }, .invalidChoice, "transaction_type"),
    ])
    func rejectsWithTypeAndField(row: AdjustmentInput<String>, type: RejectionType, field: String) {
        let found = problems(row)
        #expect(found.count == 1)
        #expect(found.first?.type == type)
        #expect(found.first?.location == SourceLocation(file: "f.csv", line: 7, field: field))
        #expect(found.first?.message.isEmpty == false)
        #expect(found.first?.message.contains("(Function)") == false)  // a column's name, not a closure's
    }

    @Test func aSkuOrBarcodeThatSeveralVariantsShareNamesNone() {
        // The second variant with a barcode used to take it: a count by barcode went to it.
        var variants = [
            Catalog.Variant(id: 100, variantID: "1001", productID: nil, orgID: "acme", sku: "TENT", barcode: "400", unitCostMinor: 1, isLocationAware: false),
            Catalog.Variant(id: 101, variantID: "1009", productID: nil, orgID: "acme", sku: "TENT-B", barcode: "400", unitCostMinor: 1, isLocationAware: false),
            Catalog.Variant(id: 102, variantID: "1010", productID: nil, orgID: "acme", sku: "TENT-B", barcode: "402", unitCostMinor: 1, isLocationAware: false),
        ]
        variants.append(Catalog.Variant(id: 103, variantID: "1011", productID: nil, orgID: "acme", sku: "TENT-B", barcode: nil, unitCostMinor: 1, isLocationAware: false))
        let catalog = Catalog(orgs: [Catalog.Org(id: 1, orgID: "acme", name: nil, defaultLocationID: "WH")],
                              locations: [Catalog.Location(id: 10, locationID: "WH", siteID: nil)], variants: variants)
        #expect(catalog.variant("400", by: .barcode) == nil)
        #expect(catalog.variant("TENT-B", by: .sku) == nil)
        #expect(catalog.variant("TENT-B", by: .any) == nil, "a shared sku does not fall through to barcodes")
        #expect(catalog.variant("402", by: .barcode)?.variantID == "1010")
        #expect(catalog.variant("TENT", by: .sku)?.variantID == "1001")
        #expect(catalog.ambiguity("400", by: .barcode)?.variants == ["1001", "1009"])
        #expect(catalog.ambiguity("TENT-B", by: .any)?.variants == ["1009", "1010", "1011"])
        let validator = AdjustmentValidator(catalog: catalog, org: Catalog.Org(id: 1, orgID: "acme", name: nil, defaultLocationID: "WH"), rules: AdjustmentRules())
        let byBarcode = InputSource(file: "f.csv", variantColumns: [VariantColumn("barcode", .barcode)])
        var row = AdjustmentInput<String>(source: byBarcode, line: 2, record: 1)
        (row.variant, row.quantity) = ("400", "3")
        guard case .invalid(let found) = validator.validate(row) else {
            Issue.record("a shared barcode was taken for one variant")
            return
        }
        #expect(found.map(\.type) == [.unknownVariant])
        #expect(found.first?.message == "barcode 400 names several variants (1001, 1009): name one by variant_id")
    }

    @Test func aLocationNameThatSeveralLocationsShareNamesNone() {
        let catalog = Catalog(
            orgs: [Catalog.Org(id: 1, orgID: "acme", name: nil, defaultLocationID: "WH")],
            locations: [
                Catalog.Location(id: 10, locationID: "WH", siteID: nil, name: "Back room"),
                Catalog.Location(id: 11, locationID: "SHOP", siteID: nil, name: "Back room"),
                Catalog.Location(id: 12, locationID: "YARD", siteID: nil, name: "Yard"),
            ],
            variants: [Catalog.Variant(id: 100, variantID: "1001", productID: nil, orgID: "acme", sku: nil, barcode: nil, unitCostMinor: 1, isLocationAware: false)])
        #expect(catalog.locationKey(named: "Back room") == nil)
        #expect(catalog.locationKey(named: "Yard") == 12)
        var mapping = SourceFormat.canonical.mapping
        mapping.locationBy = .name
        var row = AdjustmentInput<String>(source: InputSource(file: "f.csv", mapping: mapping), line: 2, record: 1)
        (row.variant, row.quantity, row.location) = ("1001", "3", "Back room")
        let validator = AdjustmentValidator(catalog: catalog, org: Catalog.Org(id: 1, orgID: "acme", name: nil, defaultLocationID: "WH"), rules: AdjustmentRules())
        guard case .invalid(let found) = validator.validate(row) else {
            Issue.record("a shared name was taken for one location")
            return
        }
        #expect(found.map(\.message) == ["locations WH, SHOP share this name: name one by location_id"])
    }

    @Test func aUnitCostBeyondExactMoneySaysSo() {
        let found = problems(input { $0.unitCost = "99999999999999999999" })
        #expect(found.map(\.type) == [.invalidCost])
        #expect(found.first?.message.hasPrefix("a unit cost is beyond what exact money holds") == true)
        #expect(problems(input { $0.unitCost = "9223372036854.75" }).isEmpty, "the largest that fits")
    }

    @Test func namesTheLocationColumnWhenAnOrgHasNoDefaultLocation() {
        let validator = AdjustmentValidator(catalog: catalog, org: catalog.orgs["other"]!, rules: AdjustmentRules())
        guard case .invalid(let found) = validator.validate(input(variant: "2001")) else {
            Issue.record("expected the row to be refused")
            return
        }
        #expect(found.map(\.type) == [.unknownLocation])
        #expect(found.first?.message.contains("name one in location_id or set the org's default_location_id") == true)
    }

    @Test func requiresAReasonWhenTheRulesSay() {
        let found = problems(input(), rules: AdjustmentRules(isReasonRequired: true))
        #expect(found.map(\.type) == [.reasonRequired])
        #expect(found.first?.location.field == "reason_code")
        #expect(problems(input { $0.reasonCode = "damaged" }, rules: AdjustmentRules(isReasonRequired: true)).isEmpty)
    }

    @Test func collectsEveryProblemOfARow() {
        let found = problems(input(variant: "9999", quantity: "0") { $0.occurredAt = "soon" })
        #expect(Set(found.map(\.type)) == [.zeroDelta, .unknownVariant, .invalidTimestamp])
    }

    @Test func keepsTheOffendingValue() {
        #expect(problems(input(quantity: "ten")).first?.input == "ten")
    }

    @Test func locationAwareVariantWithALocationIsValid() {
        #expect(problems(input(variant: "1002", location: "SHOP")).isEmpty)
    }

    @Test func findsVariantsBySKUBarcodeAndSingleVariantProduct() {
        #expect(catalog.variant("TENT", by: .sku)?.id == 100)
        #expect(catalog.variant("400", by: .barcode)?.id == 100)
        #expect(catalog.variant("P1", by: .productID)?.id == 100)
        #expect(catalog.variant("P2", by: .productID) == nil)
        #expect(catalog.isAmbiguousProduct("P2"))
        #expect(catalog.variant("LAMP", by: .any)?.id == 101)
        #expect(catalog.variant("1003", by: .any)?.id == 102)
        #expect(catalog.variant("TENT", by: .variantID) == nil)
    }

    /// A negative target is what Lightspeed's books say (-2): valid; the negative-stock rule,
    /// where forbidden, refuses it when it meets on-hand.
    @Test func setRowsTakeAnyTargetInRange() {
        #expect(problems(input(quantity: "0") { $0.mode = .set }).isEmpty)
        #expect(problems(input(quantity: "-2") { $0.mode = .set }).isEmpty)
        #expect(problems(input(quantity: "-2000000000") { $0.mode = .set }).map(\.type) == [.invalidQuantity])
    }

    @Test func contentDigestChangesWithContent() {
        let a = input { $0.naturalKey = "k" }
        let b = input(quantity: "6") { $0.naturalKey = "k" }
        #expect(a.contentDigest(.words) == input { $0.naturalKey = "k" }.contentDigest(.words))
        #expect(a.contentDigest(.words) != b.contentDigest(.words))
    }
}

@Suite struct TextIndexTests {
    @Test func findsEveryKeyThroughGrowthAndUpdates() {
        var index = TextIndex()
        let keys = (0..<5000).map { "d6cd3155-08a8-4c7f-8621-\(String($0, radix: 16))" } + ["", "a", "LOC-01", "ü-unicode"]
        for (value, key) in keys.enumerated() { index[key] = value }
        #expect(index.count == keys.count)
        for (value, key) in keys.enumerated() { #expect(index[key] == value) }
        #expect(index["missing"] == nil)
        #expect(index["d6cd3155-08a8-4c7f-8621-"] == nil)
        index["a"] = 42
        #expect(index["a"] == 42)
        #expect(index.count == keys.count)
        #expect(index[keys[7]] == 7)
    }

    /// As a dictionary would: random keys (shared prefixes, empty, repeated with new values)
    /// set and looked up as the index grows, each size probing keys it lacks, many sharing
    /// the few bits of their hash a slot keeps; then the same index built from its storage.
    @Test(arguments: [1 as UInt64, 2, 3]) func answersAsADictionaryWould(seed: UInt64) {
        var random = SplitMix64(seed: seed)
        var index = TextIndex()
        var expected: [String: Int] = [:]
        func key() -> String {
            let stems = ["", "li-", "d6cd3155-08a8-4c7f-", "LOC-", "ü"]
            let stem = stems[Int(random.next() % UInt64(stems.count))]
            return random.next() % 50 == 0 ? stem : stem + String(random.next() % 150_000, radix: 36)
        }
        for step in 0 ..< 200_000 {
            let (text, value) = (key(), Int(random.next() % 1_000_000))
            index[text] = value
            expected[text] = value
            if step % 997 == 0 {
                let probe = key() + "~"
                #expect(index[probe] == nil)
                #expect(expected.keys.prefix(50).allSatisfy { index[$0] == expected[$0] })
            }
        }
        #expect(index.count == expected.count)
        #expect(expected.allSatisfy { index[$0.key] == $0.value })
        let order = index.withStorage { arena, ends in TextIndex(arena: Array(arena), ends: ends) }
        #expect((0 ..< index.count).allSatisfy { order[index.key(ofEntry: $0)] == $0 })
    }

    /// Values that are not their entries' numbers, from the first key on.
    @Test func keepsValuesOtherThanEntryNumbers() {
        var index = TextIndex()
        index["x"] = 5
        index["y"] = 1
        index["z"] = 2
        index["x"] = 0
        #expect([index["x"], index["y"], index["z"], index["w"]] == [0, 1, 2, nil])
    }

    /// Past a few megabytes the slots come from `HugePageArray`: filled as asked, and the
    /// index over them finds every key after growing through it.
    @Test func largeTablesAreFilledAndFound() {
        let large = HugePageArray.filled(Int64(-7), count: (HugePageArray.threshold / 8) + 3)
        #expect(large.count == HugePageArray.threshold / 8 + 3)
        #expect(large.allSatisfy { $0 == -7 })
        #expect(HugePageArray.filled(UInt8(1), count: 5) == [1, 1, 1, 1, 1])
        var index = TextIndex()
        let keys = (0 ..< 300_000).map { "li-\($0)" }
        for (value, key) in keys.enumerated() { index[key] = value }
        #expect(keys.indices.allSatisfy { index[keys[$0]] == $0 })
        #expect(index["li-300000"] == nil)
    }

    /// Keys stored (bytes one after another and their ends) index back to their entries,
    /// and entries sort by their keys' bytes, keys that tie on their first eight bytes by
    /// their whole bytes.
    @Test func rebuildsFromStorageAndSortsByBytes() {
        var index = TextIndex()
        let long = (0 ..< 300).map { "line-item-\(($0 * 7919) % 300)" }
        let keys = ["zz", "b2", "é", "", "a1", "line-ite", "line-item-"] + long
        for (value, key) in keys.enumerated() { index[key] = value }
        let rebuilt = index.withStorage { arena, ends in TextIndex(arena: Array(arena), ends: ends) }
        for (value, key) in keys.enumerated() { #expect(rebuilt[key] == value) }
        #expect(rebuilt["line-item"] == nil)
        let order = rebuilt.entriesInByteOrder().map { keys[$0] }
        #expect(order == keys.sorted { Array($0.utf8).lexicographicallyPrecedes(Array($1.utf8)) })
    }
}

/// Rows checked on bytes lent by the CSV reader give what rows of strings give.
@Suite struct BorrowedTextTests {
    @Test(arguments: [
        ("1001", "5", nil), ("1001", "0", nil), ("9999", "5", nil), ("2001", "5", nil),
        ("1002", "5", nil), ("1002", "5", "SHOP"), ("TENT", "x", "MOON"),
    ] as [(String, String, String?)])
    func verdictsMatchStringRows(variant: String, quantity: String, location: String?) {
        let catalog = sampleCatalog()
        let validator = AdjustmentValidator(catalog: catalog, org: catalog.orgs["acme"]!, rules: AdjustmentRules())
        let strings = input(variant: variant, quantity: quantity, location: location) { $0.notes = "n" }
        let storage = [variant, quantity, location ?? "", "n"].map { Array($0.utf8) }
        storage[0].withUnsafeBufferPointer { v in
            storage[1].withUnsafeBufferPointer { q in
                storage[2].withUnsafeBufferPointer { l in
                    storage[3].withUnsafeBufferPointer { n in
                        var borrowed = AdjustmentInput<BorrowedText>(source: testSource, line: 7, record: 6)
                        borrowed.variant = BorrowedText(v)
                        borrowed.quantity = BorrowedText(q)
                        borrowed.location = location == nil ? nil : BorrowedText(l)
                        borrowed.notes = BorrowedText(n)
                        for kind in ContentDigest.allCases {
                            #expect(borrowed.contentDigest(kind) == strings.contentDigest(kind))
                        }
                        switch (validator.validate(borrowed), validator.validate(strings)) {
                        case let (.valid(a), .valid(b)):
                            #expect(a.variantKey == b.variantKey && a.locationID == b.locationID && a.change == b.change)
                            #expect(a.notes?.string == b.notes)
                        case let (.invalid(a), .invalid(b)):
                            #expect(a == b)
                        default:
                            Issue.record("the verdicts differ")
                        }
                    }
                }
            }
        }
    }
}
