import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
@testable import StockReconCore
import StockReconIO
import StockReconStore

/// A barcode typed into a spreadsheet as a number loses its leading zeros: it names the one
/// catalog barcode that fits once they are put back, and the run says so (issue 25).
@Suite struct BarcodeZerosTests {
    @Test(arguments: Backend.available) func aBarcodeWithoutItsLeadingZerosNamesTheOneThatFits(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let variants = fixture.file("more.csv", """
            variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
            3001,P4,acme,GTIN-1,0012345678905,1.00,false
            3002,P5,acme,GTIN-2,0055555,1.00,false
            3003,P6,acme,GTIN-3,00055555,1.00,false

            """)
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants]).counts.rejected == 0)
        let mapping = try MappingFile.parse("columns: {variant_by: barcode, variant: EAN, quantity: qty}\n", file: "sheet.yaml")
        let file = fixture.file("sheet.csv", "EAN,qty\n12345678905,2\n0012345678905,1\n55555,1\n99999,1\n")
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "acme", mapping: mapping, files: [file]))
        // One fits: matched and said; two fit (0055555, 00055555) or none: unknown, as before.
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 2, rejected: 2))
        #expect(report.sampleRejections.map(\.type) == [.unknownVariant, .unknownVariant])
        #expect(report.sampleRejections.map(\.location.line) == [4, 5])
        #expect(report.files.first?.barcodesWithoutLeadingZeros == 1)
        #expect(report.text().contains("1 rows named a barcode without its leading zeros"))
        #expect(report.json.contains(#""barcodes_without_leading_zeros":1"#))
        #expect(try fixture.balance("3001") == 3)
        // A count sheet saved from a spreadsheet: the same rule, said in the sheet's report.
        let count = try Counting(store: fixture.store).start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .spot, name: "GTIN", locationID: "WH", notes: nil, userID: "alice"))
        let sheet = fixture.file("count.csv", "barcode,counted_quantity\n12345678905,7\n55555,1\n")
        let added = try Counting(store: fixture.store).add(countID: count, tenantID: "t1", userID: "bob", files: [sheet])
        #expect(added.counts == OutcomeCounts(rows: 2, pending: 1, rejected: 1))
        #expect(added.files.first?.barcodesWithoutLeadingZeros == 1)
        #expect(added.text().contains("1 rows named a barcode without its leading zeros"))
        // A barcode with letters is never stripped.
        #expect(Catalog.significantDigits("00A1") == nil)
        #expect(Catalog.significantDigits("000") == nil)
    }
}

/// A workbook saved by a script keeps formulas without their values: the row says what to do.
@Suite struct UnsavedFormulaTests {
    @Test func aFormulaWithoutItsValueSaysToSaveTheWorkbookInASpreadsheet() throws {
        let fixture = try Fixture()
        let report = try fixture.importing([fixture.file("f.csv", "variant_id,quantity_delta,unit_cost\n1001,=B3+1,1.00\n1001,1,=C2*2\n1001,x,1.00\n")])
        #expect(report.counts.rejected == 3)
        let messages = report.sampleRejections.map(\.message)
        #expect(messages[0].contains("formula =B3+1") && messages[0].contains("save it"))
        #expect(messages[1].contains("formula =C2*2"))
        #expect(!messages[2].contains("formula"))
        #expect(Diagnostic.unsavedFormula("=") == nil)
    }
}
