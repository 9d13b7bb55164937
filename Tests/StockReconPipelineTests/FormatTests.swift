import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconStore

/// The built-in formats' rules, through the whole import.
@Suite struct FormatTests {
    @Test(arguments: Backend.available) func haravanListingPostsLineItemsWithTheirAdjustmentsFields(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let listing = fixture.file("h.json", """
            {"adjustments": [
              {"id": 71, "location_id": "WH", "type": "adjust", "reason": "damaged", "note": " torn ", "adjust_number": "A-71",
               "tran_date": "2026-11-20T10:00:00+07:00",
               "line_items": [{"id": 963414, "product_variant_id": 1001, "quantity": -2, "cost_amount": "21.00"},
                              {"id": 963415, "sku": "TENT", "quantity": 3, "cost_amount": "10.00"}]},
              {"line_items": [{"id": 963416, "barcode": "400", "quantity": 8}, {"id": 963417, "product_variant_id": 1001, "quantity": 8},
                              {"id": 963418, "product_variant_id": 1001, "quantity": 6}],
               "id": 72, "type": "set"},
              {"id": 73, "line_items": [{"product_variant_id": 1001, "quantity": 1}]}
            ]}
            """)
        let report = try fixture.importing([listing], format: .haravan)
        #expect(report.counts == OutcomeCounts(rows: 6, posted: 5, unchanged: 1))
        let rows = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT transaction_type, adjustment_type, quantity_delta, quantity_after, reason_code, notes, reference_id,
                       unit_cost_minor, occurred_at, source_line, idempotency_key FROM movements ORDER BY id
                """)
        }
        #expect(try rows.map { try $0["quantity_delta"] as Int64 } == [-2, 3, 7, -2, 1])
        #expect(try rows.map { try $0["quantity_after"] as Int64 } == [-2, 1, 8, 6, 7])
        #expect(try rows.map { try $0["transaction_type"] as String } == ["adjustment", "adjustment", "set", "set", "adjustment"])
        #expect(try rows[0]["adjustment_type"] as String? == "DAMAGE")
        #expect(try rows[0]["notes"] as String? == " torn ")
        #expect(try rows[0]["reference_id"] as String? == "A-71")
        #expect(try rows[0]["occurred_at"] as String? == "2026-11-20T03:00:00Z")
        #expect(try rows[0]["unit_cost_minor"] as Int64? == 1050, "21.00 over 2 units divides exactly")
        #expect(try rows[1]["unit_cost_minor"] as Int64? == 1000, "10.00 over 3 does not: the catalog's cost")
        #expect(try rows[2]["reason_code"] as String? == "newproduct", "a missing reason is newproduct")
        #expect(try rows.map { try $0["source_line"] as Int } == [1, 2, 3, 5, 6])
        #expect(try rows.map { try $0["idempotency_key"] as String } == ["963414", "963415", "963416", "963418", "73:1"])
        #expect(try fixture.balance("1001") == 7)
    }

    @Test(arguments: Backend.available) func haravanReExportPostsOnlyTheNewLineItems(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        func listing(_ items: Int) -> String {
            let lines = (1...items).map { #"{"id": \#($0), "product_variant_id": 1001, "quantity": 1}"# }
            return #"{"adjustments": [{"id": 1, "location_id": "WH", "line_items": ["# + lines.joined(separator: ",") + "]}]}"
        }
        #expect(try fixture.importing([fixture.file("night1.json", listing(50))], format: .haravan).counts == OutcomeCounts(rows: 50, posted: 50))
        let second = try fixture.importing([fixture.file("night2.json", listing(60))], format: .haravan)
        #expect(second.counts == OutcomeCounts(rows: 60, posted: 10, duplicate: 50))
        #expect(try fixture.balance("1001") == 60)
        let changed = fixture.file("night3.json", listing(60).replacingOccurrences(of: #""id": 7, "product_variant_id": 1001, "quantity": 1"#, with: #""id": 7, "product_variant_id": 1001, "quantity": 2"#))
        let third = try fixture.importing([changed], format: .haravan)
        #expect(third.counts == OutcomeCounts(rows: 60, rejected: 1, duplicate: 59))
        #expect(try fixture.rejections(third.runID).map(\.type) == ["conflicting_duplicate"])
    }

    @Test(arguments: Backend.available) func haravanInventoryFormAndReasonsAsAChoice(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("i.json", #"{"inventory": {"location_id": "WH", "reason": "teleported", "line_items": [{"product_variant_id": "1001", "quantity": 2}]}}"#)
        let report = try fixture.importing([file], format: .haravan)
        #expect(try fixture.rejections(report.runID).map(\.type) == ["invalid_choice"])
        let ok = fixture.file("j.json", #"{"inventory": {"location_id": "WH", "line_items": [{"product_variant_id": "1001", "quantity": 2}]}}"#)
        #expect(try fixture.importing([ok], format: .haravan).counts.posted == 1)
    }

    @Test(arguments: Backend.available) func brandAPIResolvesProductsChecksSitesAndKeepsReasonText(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("b.json", """
            [{"product_id": "P1", "quantity": 2, "reason_code": "Found in aisle", "reason_description": " back shelf ", "site_id": "s1"},
             {"product_id": "P1", "quantity": 2, "site_id": "s9"},
             {"product_id": "P2", "quantity": 1},
             {"product_id": "P3", "quantity": 1}]
            """)
        let report = try fixture.importing([file], format: .brandAPI)
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 1, rejected: 3))
        #expect(try fixture.rejections(report.runID).map(\.type) == ["unknown_location", "location_required", "cross_brand"])
        let row = try fixture.store.read { db in try db.fetchOne(sql: "SELECT reason_code, reason_description FROM movements") }
        #expect(try row?["reason_code"] as String? == "Found in aisle")
        #expect(try row?["reason_description"] as String? == " back shelf ")
    }

    @Test(arguments: Backend.available) func severalSetLinesForOneVariantInOneFile(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("s.csv", "variant_id,transaction_type,quantity_after,quantity_delta\n1001,set,10,\n1001,set,4,\n1001,,,3\n1001,set,7,\n1001,set,7,\n")
        let report = try fixture.importing([file], format: .canonical)
        #expect(report.counts == OutcomeCounts(rows: 5, posted: 3, unchanged: 2))
        let deltas = try fixture.store.read { db in try db.fetchValues(Int64.self, sql: "SELECT quantity_delta FROM movements ORDER BY id") }
        #expect(deltas == [10, -6, 3])
        #expect(try fixture.balance("1001") == 7)
    }

    @Test(arguments: Backend.available) func freeTextIsKeptByteForByte(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let notes = [" ", "\tlead", "trail  ", " both\t", "multi\nline", "quote \"q\"", "ünï ☃", "a,b"]
        let csv = "variant_id,quantity_delta,notes,reference_id\n" + notes.enumerated().map { index, note in
            "1001,\(index + 1),\"\(note.replacingOccurrences(of: "\"", with: "\"\""))\", r\(index) \n"
        }.joined()
        _ = try fixture.importing([fixture.file("n.csv", csv)])
        let stored = try fixture.store.read { db in try db.fetchAll(sql: "SELECT notes, reference_id FROM movements ORDER BY id") }
        #expect(try stored.map { try $0["notes"] as String } == notes)
        #expect(try stored.map { try $0["reference_id"] as String } == notes.indices.map { " r\($0) " })
    }

    @Test(arguments: Backend.available) func aMappedReasonDrivesTheApprovalRules(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var mapping = SourceFormat.haravan.mapping
        mapping.reasons = mapping.reasons.merging(ReasonMap(["shrinkage": .theft]))
        let file = fixture.file("s.json", #"{"inventory": {"location_id": "WH", "reason": "shrinkage", "line_items": [{"product_variant_id": "1001", "quantity": -1}]}}"#)
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "acme", mapping: mapping, files: [file]))
        #expect(report.counts == OutcomeCounts(rows: 1, pending: 1))
    }

    @Test(arguments: Backend.available) func jsonMalformedInTheMiddlePostsNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rows = (1...9000).map { _ in #"{"variant_id": "1001", "quantity_change": 1, "reason": "x"}"# }
        let file = fixture.file("m.json", "[" + rows.joined(separator: ",\n") + ",\n{\"variant_id\": }]")
        let report = try fixture.importing([file], format: .dayzero)
        #expect(report.exitStatus == 2)
        #expect(report.counts == OutcomeCounts(rows: 1, rejected: 1))
        #expect(try fixture.count("SELECT count(*) FROM movements") == 0)
        #expect(try fixture.rejections(report.runID).first?.line == 9001)
    }
}
