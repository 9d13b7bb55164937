import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
@testable import StockReconStore

/// A corrected count sheet replaces the one it corrects; a copy added without saying so is
/// refused rather than counted twice (issue 25: a re-saved workbook had counted 38 + 38).
@Suite struct CorrectedSheetTests {
    @Test(arguments: Backend.available) func aCorrectedSheetReplacesTheEarlierAndACopyIsNotCountedTwice(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .spot, name: "Shelf", locationID: "WH", notes: nil, userID: "alice"))
        let add = { (name: String, text: String, addition: Counting.SheetAddition) in
            try counting.add(countID: count, tenantID: "t1", userID: "bob", files: [fixture.file(name, text)], addition: addition)
        }
        let counted = { () throws -> Int? in
            try fixture.store.read { db in
                try db.fetchValue(Int.self, sql: "SELECT sum(counted) FROM count_lines WHERE count = ?", arguments: [count])
            }
        }
        #expect(try add("a.csv", "variant_id,location_id,counted_quantity\n1001,WH,38\n", .new).counts.pending == 1)
        // The same sheet saved again (other bytes, the same items): refused, not 38 + 38.
        let copy = try add("a-saved-again.csv", "variant_id,location_id,counted_quantity,notes\r\n1001,WH,38,\r\n", .new)
        #expect(copy.hasUnreadableFiles)
        let failure = try #require(copy.files.first?.failure)
        #expect(failure.type == .sheetCountedBefore)
        #expect(failure.message.contains("a.csv") && failure.message.contains("--replacing"))
        #expect(try counted() == 38)

        // The correction replaces it in one step.
        let corrected = try add("b.csv", "variant_id,location_id,counted_quantity\n1001,WH,40\n", .replacing("a.csv"))
        #expect(corrected.counts.pending == 1)
        #expect(try counted() == 40)
        let shown = try Reporting(store: fixture.store).variance(countID: count, tenantID: "t1").rendered(as: .md)
        #expect(shown.contains("a.csv (replaced by b.csv)"), "\(shown)")
        #expect {
            _ = try add("c.csv", "variant_id,location_id,counted_quantity\n1001,WH,1\n", .replacing("a.csv"))
        } throws: { error in
            "\(error)".contains("no sheet a.csv") && "\(error)".contains("b.csv")
        }

        // A second count of the same items, said so: both count.
        #expect(try add("d.csv", "variant_id,location_id,counted_quantity\n1001,WH,2\n", .besideEarlier).counts.pending == 1)
        #expect(try counted() == 42)
        let completion = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        #expect(try completedItems(fixture.store, completion).map(\.item.countedQuantity) == [42])
    }
}

/// Count sheets read through a mapping: an export's counted column, variants by sku,
/// locations by name (issue 25).
@Suite struct MappedCountSheetTests {
    static let mappingText = """
        no_quantity: [not stocked]
        columns:
          variant: SKU
          variant_by: sku
          quantity: On hand (new)
          location: Location
          location_by: name
        """

    @Test(arguments: Backend.available) func aShopExportIsACountSheetThroughItsMapping(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .full, name: "Export", locationID: nil, notes: nil, userID: "alice"))
        let mapping = try MappingFile.parse(Self.mappingText, file: "shop.yaml")
        let sheet = fixture.file("inventory.csv", """
            Handle,Title,SKU,Location,On hand (current),On hand (new)
            tent,Tent,TENT,Warehouse,5,7
            lamp,Lamp,LAMP,Shop,not stocked,Not stocked
            lamp,Lamp,LAMP,Shop,2,
            lamp,Lamp,LAMP,Nowhere,2,3

            """)
        let report = try counting.add(countID: count, tenantID: "t1", userID: "bob", files: [sheet], mapping: mapping)
        #expect(report.counts == OutcomeCounts(rows: 4, pending: 1, rejected: 1, unchanged: 2), "\(report.sampleRejections)")
        #expect(report.sampleRejections.map(\.type) == [.unknownLocation])
        #expect(report.sampleRejections.first?.location.line == 5)
        let lines = try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT v.variant_id, l.location_id, c.counted FROM count_lines c JOIN catalog_variants v ON v.id = c.variant JOIN catalog_locations l ON l.id = c.location")
                .map { "\(try $0[0] as String)@\(try $0[1] as String)=\(try $0[2] as Int64)" }
        }
        #expect(lines == ["1001@WH=7"])

        // A location column the mapping names and the sheet lacks: refused at the mapping's line
        // (as an import's mapping is), not counted at a default location.
        let withoutLocation = fixture.file("no-location.csv", "SKU,On hand (new)\nTENT,3\n")
        #expect {
            _ = try counting.add(countID: count, tenantID: "t1", userID: "bob", files: [withoutLocation], mapping: mapping)
        } throws: { error in
            error is ConfigurationError && "\(error)".contains("shop.yaml:6") && "\(error)".contains("Location")
        }
        #expect(try fixture.store.read { try $0.fetchValue(Int.self, sql: "SELECT count(*) FROM count_lines") } == 1)
    }
}
