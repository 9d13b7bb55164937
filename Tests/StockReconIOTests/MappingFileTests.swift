import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

@Suite struct MappingFileTests {
    let directory = TemporaryDirectory()

    @Test func readsEveryKey() throws {
        let mapping = try MappingFile.load(path: Workspace.packageRoot.appendingPathComponent("pipelines/mappings/pos.yaml").path)
        #expect(mapping.separator == .semicolon)
        #expect(mapping.decimalMark == .comma)
        #expect(mapping.variantColumns == [VariantColumn("EAN", .barcode)])
        #expect(mapping.names(.quantity) == ["Menge"])
        #expect(mapping.locationBy == .name)
        #expect(mapping.dateFormat == "%d.%m.%Y")
        #expect(mapping.reasons.type(of: "Diebstahl") == .theft)
        #expect(mapping.reasons.isStrict)
        #expect(mapping.defaults[.reason] == "correction")
        #expect(mapping.origins["Menge"]?.line == 8)
        let onHand = try MappingFile.parse("sheet: Stock\nseparator: \"\\t\"\ncolumns: {variant: SKU, variant_by: sku, quantity: Qty, quantity_is: on_hand}\n", file: "m.yaml")
        #expect(onHand.quantityIs == .onHand)
        #expect(onHand.sheet == "Stock")
        #expect(onHand.separator == .tab)
    }

    @Test(arguments: [
        ("colums: {variant: A, quantity: B}\n", "1:1", "did you mean `columns`?"),
        ("columns: {variant: A, quantiy: B}\n", "1:23", "did you mean `quantity`?"),
        ("columns: {variant: A}\n", "1:10", "columns has no `quantity:`"),
        ("columns: {variant: A, quantity: B, variant_by: ean}\n", "1:48", "ean is not one of"),
        ("columns: {variant: A, quantity: B}\nquantity_is: delta\n", "2:1", "unknown key `quantity_is` in mapping"),
        ("columns: {variant: A, quantity: B}\ndate_format: \"%d/%Q\"\n", "2:14", "unknown directive %Q"),
        ("columns: {variant: A, quantity: B}\nreasons: {Bruch: BROKEN}\n", "2:18", "BROKEN is not an adjustment type"),
        ("columns: {variant: A, quantity: B}\nstrict_reasons: maybe\n", "2:17", "expected true or false"),
        ("columns: {variant: A, quantity: B}\ndecimal_mark: \";\"\n", "2:15", "; is not one of ., ,"),
        ("columns: [variant, quantity]\n", "1:10", "columns must be a mapping"),
        ("base: &b {variant: A, quantity: B}\ncolumns: *b\n", "1:7", "anchors and aliases"),
        ("columns: {variant: A, quantity: B\n", "2:1", "malformed YAML"),
        ("columns:\n  variant: A\n  quantity: B\n  variant: C\n", "4:3", "`variant` given twice in one mapping"),
        ("columns: {variant: A, quantity: B}\nreasons:\n  Bruch: DAMAGE\n  bruch: THEFT\n", "4:10", "bruch and Bruch are one reason"),
    ])
    func reportsEachMistakeAtItsLine(yaml: String, at: String, message: String) {
        #expect {
            _ = try MappingFile.parse(yaml, file: "m.yaml")
        } throws: { error in
            guard let problem = (error as? ConfigurationError)?.problems.first else { return false }
            return problem.description.hasPrefix("m.yaml:\(at): error:") && problem.message.contains(message)
        }
    }

    @Test func reportsEveryMistakeAtOnce() {
        #expect {
            _ = try MappingFile.parse("colums: 1\ncolumns: {variant: A, quantity: B, variant_by: x}\ndecimal_mark: x\n", file: "m.yaml")
        } throws: { error in
            (error as? ConfigurationError)?.problems.count == 3
        }
    }

    @Test func aColumnTheHeaderLacksIsReportedAtTheMappingsLine() throws {
        let mapping = try MappingFile.parse("columns:\n  variant: EAN\n  quantity: Mengen\n", file: "m.yaml")
        let file = InputFile(path: directory.file("e.csv", "EAN,Menge\n1,2\n"), displayName: "e.csv")
        #expect {
            try Importers.checkHeaders(of: [file], mapping: mapping)
        } throws: { error in
            (error as? ConfigurationError)?.description == "m.yaml:3:13: error: column \"Mengen\" is not in the header of e.csv: its columns are EAN, Menge"
        }
    }

    @Test func readsAnExportThroughItsMapping() throws {
        let mapping = try MappingFile.parse("""
            separator: ";"
            decimal_mark: ","
            columns: {variant: EAN, variant_by: barcode, quantity: Menge, unit_cost: EK, notes: Notiz}
            defaults: {location: WH}
            """, file: "m.yaml")
        let rows = try readRows(directory.file("p.csv", "EAN;Menge;EK;Notiz\n400;-2;1,50; a,b \n"), mapping)
        let input = try #require(rows.first).input
        #expect(input.variant == "400")
        #expect(input.variantKey.kind == .barcode)
        #expect(input.unitCost == "1,50")
        #expect(input.notes == " a,b ")
        #expect(input.location == "WH")
    }
}
