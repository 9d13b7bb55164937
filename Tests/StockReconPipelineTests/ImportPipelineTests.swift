import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconBackends
import StockReconCore
import StockReconIO
import StockReconStore

@Suite struct ImportPipelineTests {
    @Test(arguments: Backend.available) func everyRowEndsSomewhereWithItsLocatedReason(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("nightly.csv", """
            variant_id,location_id,quantity_delta,unit_cost,occurred_at
            1001,WH,5,,
            ,WH,1,,
            1001,WH,x,,
            1001,WH,0,,
            9999,WH,1,,
            2001,WH,1,,
            1001,MOON,1,,
            1002,,1,,
            1001,,1,-2,
            1001,,1,,not-a-time
            1001,SHOP,-3,,2026-11-20T10:00:00Z

            """)
        let report = try fixture.importing([file])
        #expect(report.counts == OutcomeCounts(rows: 11, posted: 2, rejected: 9))
        #expect(report.counts.isBalanced)
        #expect(report.exitStatus == 1)
        let found = try fixture.rejections(report.runID)
        #expect(found.map(\.type) == [
            "missing_field", "invalid_quantity", "zero_delta", "unknown_variant", "cross_brand",
            "unknown_location", "location_required", "invalid_cost", "invalid_timestamp",
        ])
        #expect(found.map(\.line) == Array(3...11))
        #expect(found.map(\.field) == ["variant_id", "quantity_delta", "quantity_delta", "variant_id", "variant_id", "location_id", "location_id", "unit_cost", "occurred_at"])
        #expect(try fixture.balance("1001") == 5)
        #expect(try fixture.balance("1001", "SHOP") == -3)
        let stored = try fixture.count("SELECT count(*) FROM rejections WHERE msg <> '' AND ctx LIKE '{%' AND tenant_id = 't1' AND source_file = 'nightly.csv'")
        #expect(stored == 9)
    }

    @Test(arguments: Backend.available) func importingTheSameFileAgainPostsNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n1001,7\n")
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 2, posted: 2))
        let again = try fixture.importing([file])
        #expect(again.counts == OutcomeCounts(rows: 2, duplicate: 2))
        #expect(again.exitStatus == 0)
        #expect(try fixture.count("SELECT count(*) FROM movements") == 2)
        #expect(try fixture.balance("1001") == 12)
    }

    @Test(arguments: Backend.available) func aRerunAfterFixingTheCatalogPostsExactlyTheRowsThatFailed(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n3001,4\n1001,1\n3001,2\n")
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 4, posted: 2, rejected: 2))
        _ = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [
            fixture.file("more.csv", "variant_id,org_id,unit_cost\n3001,acme,1.00\n"),
        ])
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 4, posted: 2, duplicate: 2))
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 4, duplicate: 4))
        #expect(try fixture.balance("3001") == 6)
        #expect(try fixture.balance("1001") == 6)
        #expect(try fixture.count("SELECT count(*) FROM movements") == 4)
    }

    @Test(arguments: Backend.available) func naturalKeysAreDuplicatesOrConflictsAcrossFiles(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let header = "idempotency_key,variant_id,quantity_delta\n"
        let first = fixture.file("one.csv", header + "k1,1001,5\nk2,1001,1\n")
        let second = fixture.file("two.csv", header + "k1,1001,5\nk2,1001,9\nk3,1001,2\nk3,1001,2\nk4,1001,1\nk4,1001,3\n")
        #expect(try fixture.importing([first], format: .canonical).counts == OutcomeCounts(rows: 2, posted: 2))
        let report = try fixture.importing([second], format: .canonical)
        #expect(report.counts == OutcomeCounts(rows: 6, posted: 2, rejected: 2, duplicate: 2))
        #expect(try fixture.rejections(report.runID).map(\.type) == ["conflicting_duplicate", "conflicting_duplicate"])
        #expect(try fixture.balance("1001") == 9)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE idempotency_key = 'k3'") == 1)
    }

    /// A row refused when it meets the ledger does not keep its key: a later row of the same
    /// file with that key is judged afresh, and only the keys of rows that ended are kept.
    @Test(arguments: Backend.available) func aRefusedRowsKeyIsJudgedAfresh(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let header = "idempotency_key,variant_id,quantity_delta\n"
        let file = fixture.file("k.csv", header + "k1,1001,-5\nk1,1001,3\nk1,1001,3\nk2,1001,-9\n")
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: .canonical, files: [file], rules: AdjustmentRules(isNegativeStockForbidden: true)))
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 1, rejected: 2, duplicate: 1))
        #expect(try fixture.rejections(report.runID).map(\.type) == ["negative_stock", "negative_stock"])
        #expect(try fixture.balance("1001") == 3)
        let again = fixture.file("again.csv", header + "k1,1001,3\nk2,1001,1\n")
        #expect(try fixture.importing([again], format: .canonical).counts == OutcomeCounts(rows: 2, posted: 1, duplicate: 1))
        #expect(try fixture.balance("1001") == 4)
    }

    /// A long file's keys are written in blocks as its rows post: a key refused before its
    /// block was written is remembered when a later row with it posts, and one refused for
    /// good is not.
    @Test(arguments: Backend.available) func aLongFilesKeysAreWrittenAsItPosts(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let header = "idempotency_key,variant_id,quantity_delta\n"
        let keys = (1 ..< 40_000).map { "k\($0)" }
        let rows = ["k0,1001,-5"] + keys.map { "\($0),1001,1" } + ["k0,1001,1", "never,1001,-1000000"]
        let file = fixture.file("long.csv", header + rows.joined(separator: "\n") + "\n")
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: .canonical, files: [file], rules: AdjustmentRules(isNegativeStockForbidden: true)))
        #expect(report.counts == OutcomeCounts(rows: 40_002, posted: 40_000, rejected: 2))
        #expect(try fixture.count("SELECT count(*) FROM key_blocks") > 2)
        #expect(try fixture.count("SELECT sum(count) FROM key_blocks") == 40_000)
        // In another order, so that nothing resumes after the first file.
        let again = fixture.file("again.csv", header + (["k0"] + keys).reversed().map { "\($0),1001,1" }.joined(separator: "\n") + "\nnever,1001,1\n")
        #expect(try fixture.importing([again], format: .canonical).counts == OutcomeCounts(rows: 40_001, posted: 1, duplicate: 40_000))
        #expect(try fixture.balance("1001") == 40_001)
    }

    /// Rows are inserted several at a time; rows with natural keys at once. Ledger order is
    /// still file order, and before/after chain exactly.
    @Test(arguments: Backend.available) func ledgerOrderIsFileOrderAcrossHeldAndImmediateInserts(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var text = "idempotency_key,variant_id,quantity_delta\n"
        for index in 1...100 { text += "\(index % 7 == 0 ? "k\(index)" : ""),1001,\(index % 5 + 1)\n" }
        let report = try fixture.importing([fixture.file("mixed.csv", text)], format: .canonical)
        #expect(report.counts == OutcomeCounts(rows: 100, posted: 100))
        let lines = try fixture.store.read { db in
            try db.fetchValues(Int.self, sql: "SELECT source_line FROM movements ORDER BY id")
        }
        #expect(lines == Array(2...101))
        let broken = try fixture.count("""
            SELECT count(*) FROM movements m JOIN movements n ON n.id = (SELECT min(id) FROM movements WHERE id > m.id)
            WHERE n.quantity_before <> m.quantity_after
            """)
        #expect(broken == 0)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE idempotency_key LIKE 'k%'") == 14)
    }

    @Test(arguments: Backend.available) func setRowsPostTheDifferenceOrNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("c.csv", """
            variant_id,transaction_type,quantity_delta,quantity_after
            1001,adjustment,5,
            1001,set,,12
            1001,set,,12
            1001,set,,

            """)
        let report = try fixture.importing([file], format: .canonical)
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 2, rejected: 1, unchanged: 1))
        #expect(try fixture.balance("1001") == 12)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'set' AND quantity_delta = 7 AND quantity_after = 12") == 1)
    }

    @Test(arguments: Backend.available) func aDryRunWritesNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let runsBefore = try fixture.count("SELECT count(*) FROM runs")
        let report = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n9,1\n")], dryRun: true)
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(report.isDryRun)
        #expect(try fixture.count("SELECT count(*) FROM movements") == 0)
        #expect(try fixture.count("SELECT count(*) FROM rejections") == 0)
        #expect(try fixture.count("SELECT count(*) FROM runs") == runsBefore)
        #expect(try fixture.balance("1001") == nil)
    }

    @Test(arguments: Backend.available) func anUnreadableFileFailsAloneAndPostsNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let broken = fixture.file("broken.csv", "variant_id,quantity_delta\n1001,5\n1001,\"6\n")
        let wrongHeader = fixture.file("dayzero.csv", "variant_id,quantity_change,reason\n1001,5,x\n")
        let good = fixture.file("good.csv", "variant_id,quantity_delta\n1001,2\n")
        let report = try fixture.importing([broken, wrongHeader, good])
        #expect(report.exitStatus == 2)
        #expect(report.files.map { $0.failure?.type } == [.unreadableFile, .unreadableFile, nil])
        #expect(report.files[1].failure?.message.contains("--format dayzero") == true)
        #expect(report.counts == OutcomeCounts(rows: 3, posted: 1, rejected: 2))
        #expect(try fixture.balance("1001") == 2)
        #expect(try fixture.count("SELECT count(*) FROM rejections WHERE type = 'unreadable_file'") == 2)
    }

    @Test(arguments: Backend.available) func dayzeroJSONRequiresAReasonAndDefaultsTheLocation(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("d.json", #"[{"variant_id": "1001", "quantity_change": 4, "reason": "found"}, {"variant_id": "1001", "quantity_change": 1}]"#)
        let report = try fixture.importing([file], format: .dayzero)
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(try fixture.rejections(report.runID).map(\.type) == ["reason_required"])
        #expect(try fixture.rejections(report.runID).map(\.line) == [2])
        #expect(try fixture.balance("1001") == 4)
    }

    @Test(arguments: Backend.available) func tenantsNeverSeeEachOther(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n")], tenant: "t1")
        _ = try fixture.importing([fixture.file("b.csv", "variant_id,quantity_delta\n1001,40\n")], tenant: "t2")
        #expect(try fixture.balance("1001", tenant: "t1") == 5)
        #expect(try fixture.balance("1001", tenant: "t2") == 40)
        #expect(try fixture.store.movements(tenantID: "t1", variantID: nil, locationID: nil, sinceID: 0, limit: 10).rows.count == 1)
        #expect {
            _ = try fixture.importing([fixture.file("c.csv", "variant_id,quantity_delta\n1001,1\n")], tenant: "t3")
        } throws: { error in
            (error as? UsageError)?.message.contains("org acme is not in tenant t3") == true
        }
    }

    @Test(arguments: Backend.available) func oneVariantsMovementsPageByIndexWithinItsTenant(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        let rows = (1...9).map { "\($0 % 3 == 0 ? "1002" : "1001"),\($0 % 2 == 0 ? "SHOP" : "WH"),\($0)" }
        let file = fixture.file("a.csv", "variant_id,location_id,quantity_delta\n" + rows.joined(separator: "\n") + "\n")
        _ = try fixture.importing([file], tenant: "t1")
        _ = try fixture.importing([fixture.file("b.csv", "variant_id,location_id,quantity_delta\n1001,WH,40\n")], tenant: "t2")
        func deltas(_ variant: String?, _ location: String? = nil, since: Int64 = 0, limit: Int = 100) throws -> [TableValue] {
            let table = try fixture.store.movements(tenantID: "t1", variantID: variant, locationID: location, sinceID: since, limit: limit)
            let column = try #require(table.columns.firstIndex(of: "quantity_delta"))
            return table.rows.map { $0[column] }
        }
        #expect(try deltas("1001") == [1, 2, 4, 5, 7, 8].map { .integer($0) })
        #expect(try deltas("1001", limit: 2) == [.integer(1), .integer(2)])
        #expect(try deltas("1001", since: 2, limit: 2) == [.integer(4), .integer(5)])
        #expect(try deltas("1001", "SHOP") == [2, 4, 8].map { .integer($0) })
        #expect(try deltas(nil, "SHOP") == [2, 4, 6, 8].map { .integer($0) })
        #expect(try deltas("2001") == [])
        #expect(try deltas("1001", "MOON") == [])
        #expect(try fixture.variantRunsMatchLedger())
    }

    /// PostgreSQL compressed each run as it wrote it (315 ms of the server's time for a million
    /// movements); v10 has it store them as they are.
    @Test(.enabled(if: TestPostgres.url != nil || TestPostgres.isRequired, Comment(rawValue: TestPostgres.skipNote)))
    func aServerStoresMovementRunsUncompressed() throws {
        let fixture = try Fixture(.postgres)
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,location_id,quantity_delta\n1001,WH,3\n")])
        let storage = try fixture.store.read { db in
            try db.fetchValue(String.self, sql: """
                SELECT CAST(attstorage AS TEXT) FROM pg_attribute
                WHERE attrelid = CAST('variant_movements' AS regclass) AND attname = 'entries'
                """)
        }
        #expect(storage == "e", "EXTERNAL: out of line, not compressed")
        #expect(try fixture.variantRunsMatchLedger())
    }

    /// Migration v12 gave natural keys a faster content digest. A tenant whose keys were
    /// stored before it keeps the old one: its re-export's old rows stay duplicates (with
    /// the new digest they would all conflict), while a tenant without keys takes the new.
    @Test(arguments: Backend.available) func aTenantWithKeysFromBeforeV12KeepsItsDigest(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        try fixture.store.withConnection("digesting as before v12") { db in
            try db.execute(sql: "UPDATE tenants SET content_digest = ?", arguments: [ContentDigest.fnv1a.rawValue])
        }
        let header = "idempotency_key,variant_id,quantity_delta,notes\n"
        let first = fixture.file("one.csv", header + "k1,1001,5,a\nk2,1001,1,b\n")
        #expect(try fixture.importing([first], format: .canonical).counts == OutcomeCounts(rows: 2, posted: 2))
        try fixture.store.withConnection("going back to v11") { db in
            let migrations = backend == .sqlite
                ? "DELETE FROM grdb_migrations WHERE identifier LIKE 'v12:%'"
                : "DELETE FROM stockrecon_migrations WHERE name LIKE 'v12:%'"
            try db.execute(sql: migrations)
            try db.execute(sql: "ALTER TABLE tenants DROP COLUMN content_digest")
        }
        let reopened = try Store(path: fixture.databasePath)
        let digests = try reopened.read { db in
            try db.fetchAll(sql: "SELECT tenant_id, content_digest FROM tenants ORDER BY tenant_id").map { (try $0[0] as String, try $0[1] as Int64) }
        }
        #expect(digests.map(\.0) == ["t1", "t2"])
        #expect(digests.map(\.1) == [ContentDigest.fnv1a, .words].map(\.rawValue))
        // Not beginning with the first file, so that each old row is judged by its digest.
        let again = fixture.file("again.csv", header + "k2,1001,1,b\nk1,1001,5,a\nk3,1001,2,c\nk1,1001,6,a\n")
        let report = try ImportPipeline(store: reopened).run(ImportRequest(tenantID: "t1", orgID: "acme", format: .canonical, files: [again]))
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 1, rejected: 1, duplicate: 2))
        #expect(try fixture.balance("1001") == 8)
        for tenant in ["t1", "t2"] {
            let file = fixture.file("\(tenant)-new.csv", header + "n1,1001,4,d\n")
            _ = try ImportPipeline(store: reopened).run(ImportRequest(tenantID: tenant, orgID: "acme", format: .canonical, files: [file]))
            let rerun = try ImportPipeline(store: reopened).run(ImportRequest(
                tenantID: tenant, orgID: "acme", format: .canonical, files: [fixture.file("\(tenant)-later.csv", header + "n2,1001,1,e\nn1,1001,4,d\n")]))
            #expect(rerun.counts == OutcomeCounts(rows: 2, posted: 1, duplicate: 1), "\(tenant)")
        }
    }

    /// SQLite only: the runs of a ledger made before them (PostgreSQL's ledgers began with them).
    @Test func aVariantsRunsSpanFlushesAndAreWrittenForALedgerMadeBeforeThem() throws {
        let fixture = try Fixture()
        let rows = 70_000  // more than one flush of runs, and runs of 1,024 ids split
        let body = (0..<rows).map { $0 % 7 == 0 ? "1002,SHOP,1" : "1001,WH,1" }.joined(separator: "\n")
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,location_id,quantity_delta\n" + body + "\n")])
        #expect(try fixture.variantRunsMatchLedger())
        let page = try fixture.store.movements(tenantID: "t1", variantID: "1002", locationID: nil, sinceID: 7_000, limit: 3)
        #expect(page.rows.map { $0[0] } == [7_001, 7_008, 7_015].map { .integer($0) })

        try fixture.store.withConnection("going back to v7") { db in
            try db.execute(sql: "DROP TABLE variant_movements; DELETE FROM grdb_migrations WHERE identifier LIKE 'v8:%'")
        }
        let reopened = try Store(path: fixture.databasePath)
        #expect(try reopened.movements(tenantID: "t1", variantID: "1002", locationID: nil, sinceID: 7_000, limit: 3).rows.count == 3)
        #expect(try fixture.variantRunsMatchLedger())
    }

    @Test(arguments: Backend.available) func anUnknownUserIsAUsageError(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        #expect(throws: UsageError.self) {
            _ = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n")], user: "mallory")
        }
        #expect(try fixture.count("SELECT count(*) FROM runs WHERE command LIKE 'import%'") == 0)
        let report = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,5\n")], user: "bob")
        #expect(report.counts.posted == 1)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE user_id = 'bob'") == 1)
    }

    @Test(arguments: Backend.available) func twoImportsAtOnceBothFinishWithExactBalances(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var lines = "variant_id,location_id,quantity_delta\n"
        for index in 0..<20_000 { lines += "1001,\(index % 2 == 0 ? "WH" : "SHOP"),\(index % 7 + 1)\n" }
        let first = fixture.file("first.csv", lines)
        let second = fixture.file("second.csv", lines + "1001,WH,1\n")
        let path = fixture.databasePath
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let store = try Store(path: path)
                let report = try ImportPipeline(store: store).run(ImportRequest(
                    tenantID: "t1", orgID: "acme", format: .synq, files: [index == 0 ? first : second]))
                results.add(report.counts.posted)
            } catch {
                results.add(-1)
            }
        }
        #expect(results.values.sorted() == [20_000, 20_001])
        var perFile: Int64 = 0
        for index in stride(from: 0, to: 20_000, by: 2) { perFile += Int64(index % 7 + 1) }
        #expect(try fixture.balance("1001") == perFile * 2 + 1)
        #expect(try fixture.count("SELECT count(*) FROM movements") == 40_001)
        let consistent = try fixture.count("""
            SELECT count(*) FROM (SELECT variant_id, location_id, sum(quantity_delta) AS total FROM movements GROUP BY 1, 2) m
            JOIN balances b USING (variant_id, location_id) WHERE b.on_hand = m.total
            """)
        #expect(consistent == 2)
    }
}

final class ConcurrentResults: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [Int] = []
    func add(_ value: Int) { lock.withLock { stored.append(value) } }
    var values: [Int] { lock.withLock { stored } }

    /// A NUL byte in a row's text refuses the row at its field, on both backends: PostgreSQL's
    /// text cannot hold one, and SQLite's reads of text (GRDB's, `length()`) end at it, so
    /// `movements` showed "a" for "a\0b". The file's other rows post.
    @Test(arguments: Backend.available) func aNulByteInTextIsRejectedAtItsField(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("nul.csv", """
            variant_id,location_id,quantity_delta,notes,reference_id
            1001,WH,3,"a\u{0}b",
            1001,WH,2,plain,
            2x,WH,1,"\u{0}",
            1001,WH,4,,"r\u{0}"

            """)
        let report = try fixture.importing([file])
        let rejected = try fixture.rejections(report.runID)
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 1, rejected: 3))
        #expect(rejected.contains { $0.line == 2 && $0.field == "notes" && $0.type == "invalid_text" })
        #expect(rejected.contains { $0.line == 5 && $0.field == "reference_id" && $0.type == "invalid_text" })
        #expect(try fixture.store.read { try $0.fetchValues(String.self, sql: "SELECT notes FROM movements ORDER BY id") } == ["plain"])
        #expect(rejected.contains { $0.line == 4 && $0.type == "unknown_variant" })
        #expect(try fixture.balance("1001") == 2)
    }
}
