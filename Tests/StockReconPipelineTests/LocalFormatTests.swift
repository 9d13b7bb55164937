import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
import StockReconStore

/// Exports as shops write them, read through a mapping's number and blank rules (issue 25):
/// every value still exact, a fraction still `invalid_quantity`. Variant 1001 costs 10.00.
@Suite struct LocalFormatTests {
    func importing(_ fixture: Fixture, _ mappingText: String, _ text: String) throws -> RunReport {
        let mapping = try MappingFile.parse(mappingText, file: "till.yaml")
        return try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", mapping: mapping, files: [fixture.file("till.csv", text)],
            rules: AdjustmentRules(approval: .never)))
    }

    @Test(arguments: Backend.available) func aEuropeanTillsNumbersAreReadExactly(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try importing(fixture, """
            separator: ";"
            decimal_mark: ","
            thousands_separator: "."
            currency: [€, EUR]
            columns: {variant: Artikel, quantity: Menge, unit_cost: Preis}
            """, """
            Artikel;Menge;Preis
            1001;1.200;3.300,00 €
            1001;-3,000;EUR 12,50
            1001;2,5;1,00
            1001;1.20;1,00
            1001;1;12,345

            """)
        #expect(report.counts == OutcomeCounts(rows: 5, posted: 2, rejected: 3))
        #expect(report.sampleRejections.map(\.type) == [.invalidQuantity, .invalidQuantity, .invalidCost])
        #expect(report.sampleRejections.map(\.location.line) == [4, 5, 6])
        #expect(try fixture.balance("1001") == 1197)
        let costs = try fixture.store.read { db in
            try db.fetchValues(Int64.self, sql: "SELECT unit_cost_minor FROM movements ORDER BY id")
        }
        #expect(costs == [330_000, 1_250])
    }

    @Test(arguments: Backend.available) func noQuantityValuesAndBlanksAreUnchangedNotRejected(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let mapping = """
            columns: {variant: sku_col, quantity: on_hand}
            no_quantity: [not stocked]
            blank_quantity: unchanged
            """
        let text = "sku_col,on_hand\n1001,3\n1001,Not stocked\n1001,\n9999,not stocked\n1001,x\n"
        let first = try importing(fixture, mapping, text)
        #expect(first.counts == OutcomeCounts(rows: 5, posted: 1, rejected: 1, unchanged: 3))
        #expect(try fixture.balance("1001") == 3)
        // Without the keys, the same cells are rejected as before (in a file of other bytes:
        // these, read by another mapping, would be refused whole).
        let strict = try importing(fixture, "columns: {variant: sku_col, quantity: on_hand}\n", text + "1001,1\n")
        #expect(strict.counts.rejected == 4)
    }

    @Test func mistakesInTheNewKeysAreReportedAtTheirLine() throws {
        #expect {
            _ = try MappingFile.parse("decimal_mark: \",\"\nthousands_separator: \",\"\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        } throws: { error in
            "\(error)".contains("m.yaml:2") && "\(error)".contains("both")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("currency: [\"$1\"]\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("blank_quantity: zero\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        }
    }
}
