import Testing
import StockReconCore

/// The variance arithmetic of SPEC section 8, the count's decision, and count sheet checks.
@Suite struct StockCountTests {
    func item(system: Int64, counted: Int64?, moved: Int64 = 0, cost: Int64? = 1_999) -> CountItem {
        CountItem(variantID: "v", locationID: "L", systemQuantity: system, countedQuantity: counted, movedDuringCount: moved, unitCostMinor: cost)
    }

    @Test func varianceIsCountedMinusSystemAndItsValueIsExactToTheCent() {
        let short = item(system: 10, counted: 7)
        #expect(short.variance == -3)
        #expect(short.varianceValueMinor == -5_997)  // 3 × 19.99
        let over = item(system: 2, counted: 5, cost: 333)
        #expect(over.varianceValueMinor == 999)
        #expect(item(system: 4, counted: nil).variance == nil)
        #expect(item(system: 4, counted: 4, cost: nil).varianceValueMinor == 0)
        // Neither wraps nor saturates: a value beyond 64 bits has no figure, and says so.
        #expect(item(system: 0, counted: 1_000_000_000, cost: .max / 2).varianceValueMinor == nil)
        #expect(item(system: 0, counted: 1_000_000_000, cost: .max / 2).isValueBeyondRange)
    }

    @Test func totalsSumMissingAndExcessAndAccuracy() throws {
        let items = [
            item(system: 10, counted: 7),             // -59.97
            item(system: 2, counted: 5, cost: 333),   // +9.99
            item(system: 4, counted: 4),              // match
            item(system: 1, counted: 1),              // match
            item(system: 9, counted: nil),            // uncounted
        ]
        let totals = try CountTotals(items)
        #expect(totals.itemsCounted == 4)
        #expect(totals.itemsWithDiscrepancy == 2)
        #expect(totals.itemsUncounted == 1)
        #expect(totals.missingValueMinor == -5_997)
        #expect(totals.excessValueMinor == 999)
        #expect(totals.netVarianceMinor == -4_998)
        #expect(totals.unitsMissing == -3 && totals.unitsExcess == 3)
        #expect(totals.accuracyBasisPoints == 5_000)
        #expect(try CountTotals([item(system: 1, counted: nil)]).accuracyBasisPoints == nil)
    }

    @Test func reviewFlagsOnlyAboveTheThreshold() throws {
        let rules = CountRules(reviewOverValueMinor: 5_997)
        #expect(!item(system: 10, counted: 7).needsReview(rules))  // exactly 59.97
        #expect(item(system: 10, counted: 6).needsReview(rules))
        #expect(try CountTotals([item(system: 10, counted: 6), item(system: 1, counted: 1)], rules: rules).itemsFlagged == 1)
    }

    @Test func completingPostsTheVarianceOnTopOfWhatMovedAndNeverUndoesIt() {
        // Counted 8 when the books said 10; a delivery of 5 arrived while counting (on-hand now 15).
        let counted = item(system: 10, counted: 8, moved: 5)
        #expect(counted.fate() == .post(.count, delta: -2))
        #expect(counted.onHandNow == 15)
        #expect(counted.onHandAfterApplying == 13)
        // Large variances are pre-approved; a match and an uncounted item post nothing.
        #expect(item(system: 0, counted: 5_000, cost: 100_000).fate() == .post(.count, delta: 5_000))
        #expect(item(system: 3, counted: 3, moved: -2).fate() == .unchanged)
        #expect(item(system: 3, counted: nil).fate() == .unchanged)
    }
}

@Suite struct CountSheetCheckerTests {
    let catalog = Catalog(
        orgs: [Catalog.Org(id: 1, orgID: "acme", name: nil, defaultLocationID: "WH"),
               Catalog.Org(id: 2, orgID: "other", name: nil, defaultLocationID: "WH")],
        locations: [Catalog.Location(id: 10, locationID: "WH", siteID: nil), Catalog.Location(id: 11, locationID: "SHOP", siteID: nil)],
        variants: [
            Catalog.Variant(id: 100, variantID: "1001", productID: nil, orgID: "acme", sku: "TENT", barcode: "0012345678905", unitCostMinor: 1_000, isLocationAware: false),
            Catalog.Variant(id: 101, variantID: "1002", productID: nil, orgID: "acme", sku: "LAMP", barcode: nil, unitCostMinor: 250, isLocationAware: true),
            Catalog.Variant(id: 200, variantID: "2001", productID: nil, orgID: "other", sku: "CANDLE", barcode: nil, unitCostMinor: 100, isLocationAware: false),
        ])

    func check(_ row: CountSheetRow, scope: Int64? = nil) -> CountSheetVerdict {
        let org = catalog.orgs["acme"] ?? Catalog.Org(id: 0, orgID: "", name: nil, defaultLocationID: nil)
        return CountSheetChecker(catalog: catalog, org: org, scope: scope).check(row)
    }

    func types(_ verdict: CountSheetVerdict) -> [RejectionType] {
        if case .invalid(let problems) = verdict { return problems.map(\.type) }
        return []
    }

    @Test func aVariantByIdSkuOrBarcodeAtItsOrDefaultLocation() {
        guard case .counted(let byBarcode) = check(CountSheetRow(file: "f", line: 2, barcode: "0012345678905", countedQuantity: "8.0", batch: "B1", notes: " as is ")) else {
            Issue.record("not counted")
            return
        }
        #expect(byBarcode.variant == 100 && byBarcode.location == 10 && byBarcode.counted == 8 && byBarcode.batch == "B1" && byBarcode.notes == " as is ")
        guard case .counted(let bySKU) = check(CountSheetRow(file: "f", line: 3, sku: "LAMP", countedQuantity: "0", locationID: "SHOP")) else {
            Issue.record("not counted")
            return
        }
        #expect(bySKU.variant == 101 && bySKU.location == 11 && bySKU.counted == 0)
    }

    @Test func aBlankCountIsNotCountedNotZero() {
        #expect(check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: nil)) == .notCounted)
    }

    @Test func problemsAreRejectedWithTheirCodes() {
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: "-1"))) == [.invalidQuantity])
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: "8.5"))) == [.invalidQuantity])
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "9999", countedQuantity: "1"))) == [.unknownVariant])
        #expect(types(check(CountSheetRow(file: "f", line: 2, countedQuantity: "1"))) == [.missingField])
        #expect(types(check(CountSheetRow(file: "f", line: 2, sku: "CANDLE", countedQuantity: "1"))) == [.crossBrand])
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "1002", countedQuantity: "1"))) == [.locationRequired])
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: "1", locationID: "MOON"))) == [.unknownLocation])
        #expect(types(check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: "x", locationID: "MOON"))) == [.invalidQuantity, .unknownLocation])
    }

    @Test func aScopedCountTakesItsLocationAndRefusesOthers() {
        guard case .counted(let line) = check(CountSheetRow(file: "f", line: 2, variantID: "1002", countedQuantity: "3"), scope: 11) else {
            Issue.record("a location-aware variant takes the count's location")
            return
        }
        #expect(line.location == 11)
        let outside = check(CountSheetRow(file: "f", line: 2, variantID: "1001", countedQuantity: "3", locationID: "WH"), scope: 11)
        guard case .invalid(let problems) = outside else {
            Issue.record("a line outside the scope was accepted")
            return
        }
        #expect(problems.map(\.type) == [.unknownLocation])
        #expect(problems.first?.context["count_location_id"] == .text("SHOP"))
    }
}

@Suite struct OutputTextTests {
    @Test(arguments: [
        ("=1+1", "'=1+1"), ("-1-2", "'-1-2"), ("+SUM(A1)", "'+SUM(A1)"), ("-2+3", "'-2+3"), ("@cmd", "'@cmd"), ("\tx", "'\tx"), ("\rx", "'\rx"),
        ("-5", "-5"), ("+1.25", "+1.25"), ("plain", "plain"), ("", ""), ("a=b", "a=b"),
    ])
    func formulasAreNeutralisedAndNumbersStayNumbers(input: String, expected: String) {
        #expect(CSVText.neutralised(input) == expected)
        #expect(CSVText.unguarded(CSVText.neutralised(input)) == input)
    }

    @Test func csvFieldsAreQuotedWhenTheyMustBe() {
        #expect(CSVText.field("a,b") == "\"a,b\"")
        #expect(CSVText.field("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVText.safeField("=HYPERLINK(\"x\")") == "\"'=HYPERLINK(\"\"x\"\")\"")
    }

    @Test func htmlEscapesEveryMarkupCharacter() {
        #expect(HTMLText.escape("<script>alert('x') & \"y\"</script>") == "&lt;script&gt;alert(&#39;x&#39;) &amp; &quot;y&quot;&lt;/script&gt;")
    }
}
