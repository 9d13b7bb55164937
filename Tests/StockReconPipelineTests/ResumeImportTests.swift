import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconStore

/// A nightly re-export that begins with an earlier clean file's bytes is read from after
/// them, and ends exactly as reading it whole would.
@Suite struct ResumeImportTests {
    /// A haravan listing of adjustments `range`, two line items each (1001 at WH, 1002 at SHOP).
    static func listing(_ range: ClosedRange<Int>, quantity: (Int) -> Int = { $0 }, extra: String = "") -> String {
        "{\"adjustments\": [\n" + range.map { number in
            #"{"id": \#(number), "location_id": "WH", "line_items": [{"id": "li-\#(number)-1", "product_variant_id": "1001", "quantity": \#(quantity(number))}"#
                + #", {"id": "li-\#(number)-2", "product_variant_id": "1002", "quantity": 1}\#(extra)]}"#
        }.joined(separator: ",\n") + "\n]}\n"
    }

    func movements(_ fixture: Fixture) throws -> [String] {
        try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT idempotency_key, quantity_delta, quantity_before, source_line FROM movements ORDER BY idempotency_key
                """).map { "\(try $0[0] as String) \(try $0[1] as Int64) \(try $0[2] as Int64) \(try $0[3] as Int)" }
        }
    }

    @Test(arguments: Backend.available) func aReExportIsReadFromAfterTheEarlierFileAndEndsAsReadingItWhole(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let first = try fixture.importing([fixture.file("night1.json", Self.listing(1...5))], format: .haravan)
        #expect(first.counts == OutcomeCounts(rows: 10, posted: 10))
        #expect(first.files.first?.resumedRows == 0)
        let second = try fixture.importing([fixture.file("night2.json", Self.listing(1...8))], format: .haravan)
        #expect(second.counts == OutcomeCounts(rows: 16, posted: 6, duplicate: 10))
        #expect(second.files.first?.resumedRows == 8, "all but the first adjustment's two line items")
        #expect(second.text().contains("night2.json: resumed after an earlier file it begins with: 8 rows not read again"))
        #expect(second.json.contains(#""resumed_rows":8"#))
        // The next night resumes after this one.
        let third = try fixture.importing([fixture.file("night3.json", Self.listing(1...9))], format: .haravan)
        #expect(third.counts == OutcomeCounts(rows: 18, posted: 2, duplicate: 16))
        #expect(third.files.first?.resumedRows == 14)

        let whole = try Fixture(backend)
        #expect(try whole.importing([whole.file("night3.json", Self.listing(1...9))], format: .haravan).counts.posted == 18)
        #expect(try movements(fixture) == movements(whole), "keys, deltas, quantities before and lines alike")
        #expect(try fixture.balance("1001") == whole.balance("1001"))
    }

    @Test(arguments: Backend.available) func aCSVReExportIsReadFromAfterTheEarlierFile(_ backend: Backend) throws {
        func csv(_ range: ClosedRange<Int>) -> String {
            "external_id,variant_id,location_id,quantity_delta,notes\n"
                + range.map { "e-\($0),1001,WH,\($0),\($0 == 2 ? "\"two\nlines\"" : "n")\n" }.joined()
        }
        let fixture = try Fixture(backend)
        #expect(try fixture.importing([fixture.file("a.csv", csv(1...5))], format: .canonical).counts.posted == 5)
        let again = try fixture.importing([fixture.file("b.csv", csv(1...8))], format: .canonical)
        #expect(again.counts == OutcomeCounts(rows: 8, posted: 3, duplicate: 5))
        #expect(again.files.first?.resumedRows == 5)
        let whole = try Fixture(backend)
        _ = try whole.importing([whole.file("b.csv", csv(1...8))], format: .canonical)
        #expect(try movements(fixture) == movements(whole))
    }

    /// Rows without natural keys are known by their file: an extended export posts them again,
    /// as SPEC section 4 has it, and the report says so, naming the earlier file.
    @Test(arguments: Backend.available) func aKeylessExportThatRepeatsAnEarlierOneIsWarnedOf(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        func synq(_ range: ClosedRange<Int>) -> String {
            "variant_id,location_id,quantity_delta\n" + range.map { "1001,WH,\($0)\n" }.joined()
        }
        let first = try fixture.importing([fixture.file("stock-1.csv", synq(1...2))])
        #expect(first.files.first?.repeats == nil)
        let dry = try fixture.importing([fixture.file("stock-2.csv", synq(1...3))], dryRun: true)
        #expect(dry.text().contains("stock-2.csv: warning: it begins with the 2 rows of stock-1.csv (run \(first.runID ?? 0)), which have no natural keys, so they would be posted again"))
        let second = try fixture.importing([fixture.file("stock-2.csv", synq(1...3))])
        #expect(second.counts == OutcomeCounts(rows: 3, posted: 3))
        #expect(second.files.first?.repeats?.file == "stock-1.csv" && second.files.first?.repeats?.rows == 2)
        #expect(second.json.contains(#""repeats":{"file":"stock-1.csv","run_id":\#(first.runID ?? 0),"rows":2}"#))
        #expect(try fixture.balance("1001") == 1 + 2 + 1 + 2 + 3)
        // Another file that does not begin with either, and the same file again, are not warned of.
        #expect(try fixture.importing([fixture.file("other.csv", "variant_id,location_id,quantity_delta\n1001,WH,9\n")]).files.first?.repeats == nil)
        #expect(try fixture.importing([fixture.file("stock-2-again.csv", synq(1...3))]).files.first?.repeats == nil)
    }

    @Test(arguments: Backend.available) func aFileWithARejectedRowIsReadWholeAgain(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        // Adjustment 3's first line item is rejected (zero quantity): it must be checked again.
        let night1 = Self.listing(1...5) { $0 == 3 ? 0 : $0 }
        #expect(try fixture.importing([fixture.file("n1.json", night1)], format: .haravan).counts == OutcomeCounts(rows: 10, posted: 9, rejected: 1))
        let night2 = try fixture.importing([fixture.file("n2.json", Self.listing(1...6) { $0 == 3 ? 0 : $0 })], format: .haravan)
        #expect(night2.counts == OutcomeCounts(rows: 12, posted: 2, rejected: 1, duplicate: 9))
        #expect(night2.files.first?.resumedRows == 0)
        #expect(try fixture.count("SELECT count(*) FROM file_prefixes") == 0, "neither night is clean")
    }

    @Test(arguments: Backend.available) func rowsWithoutNaturalKeysAreReadWholeAgain(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rows = (1...4).map { #"{"variant_id": "1001", "quantity_delta": \#($0)}"# }
        _ = try fixture.importing([fixture.file("a.json", "[" + rows.joined(separator: ",\n") + "]")], format: .canonical)
        let again = try fixture.importing([fixture.file("b.json", "[" + (rows + rows.prefix(1)).joined(separator: ",\n") + "]")], format: .canonical)
        #expect(again.counts == OutcomeCounts(rows: 5, posted: 5), "the default key is the file's hash and the row's place")
        #expect(again.files.first?.resumedRows == 0)
        #expect(again.files.first?.repeats?.rows == 4, "told that a.json's rows were posted again")
        #expect(try fixture.count("SELECT count(*) FROM file_prefixes WHERE resumable = 1") == 0)
    }

    @Test(arguments: Backend.available) func noResumeReadsEveryByteAndTenantsAndFormatsDoNotShare(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        _ = try fixture.importing([fixture.file("n1.json", Self.listing(1...5))], format: .haravan)
        var request = ImportRequest(tenantID: "t1", orgID: "acme", format: .haravan, files: [fixture.file("n2.json", Self.listing(1...6))])
        request.resumesAfterEarlierFiles = false
        let unresumed = try ImportPipeline(store: fixture.store).run(request)
        #expect(unresumed.counts == OutcomeCounts(rows: 12, posted: 2, duplicate: 10))
        #expect(unresumed.files.first?.resumedRows == 0)
        let otherTenant = try fixture.importing([fixture.file("n3.json", Self.listing(1...7))], format: .haravan, tenant: "t2")
        #expect(otherTenant.counts == OutcomeCounts(rows: 14, posted: 14))
        #expect(otherTenant.files.first?.resumedRows == 0)
    }

    @Test(arguments: Backend.available) func aChangedEarlierRowIsNotSkipped(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try fixture.importing([fixture.file("n1.json", Self.listing(1...5))], format: .haravan)
        // Same length, one byte different inside the earlier rows: the prefix's digest differs.
        let changed = try fixture.importing([fixture.file("n2.json", Self.listing(1...6) { $0 == 4 ? 5 : $0 })], format: .haravan)
        #expect(changed.files.first?.resumedRows == 0)
        #expect(changed.counts == OutcomeCounts(rows: 12, posted: 2, rejected: 1, duplicate: 9))
        #expect(try fixture.rejections(changed.runID).map(\.type) == ["conflicting_duplicate"])
    }
}
