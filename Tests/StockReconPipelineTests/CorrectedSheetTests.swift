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
        #expect(completion.items.map(\.item.countedQuantity) == [42])
    }
}
