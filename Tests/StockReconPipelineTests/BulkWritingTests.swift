import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// Rows written many at a time (`RowInserter`: COPY on PostgreSQL) read back as they went in,
/// and a count's lines are counted by the planner as they are added.
@Suite struct BulkWritingTests {
    /// Either way: as text, or (`binary`) each value as its column's type stores it.
    @Test(arguments: Backend.available, [false, true]) func rowsReadBackAsTheyWentIn(_ backend: Backend, binary: Bool) throws {
        let fixture = try Fixture(backend)
        let awkward: [(Int64?, String?, [UInt8]?)] = [
            (.min, "tab\there, line\nnext\r\\end \u{00fc}ber", [0, 1, 0x5C, 0xFF]),
            (-1, "\u{1F4E6}", Array(0...255)),
            (nil, nil, nil),
            (.max, "", []),
            (0, "\\N", [0x5C, 0x4E]),
        ]
        // Enough rows of text to be sent in several pieces (`bytesPerSend`).
        let many = (0..<30_000).map { (Int64($0), "row \($0)\t\(String(repeating: "x", count: $0 % 50))", [UInt8(truncatingIfNeeded: $0)]) }
        let rows = awkward + many.map { (Optional($0.0), Optional($0.1), Optional($0.2)) }
        let stored = try fixture.store.write("bulk") { db -> [SQLRow] in
            let (integer, blob) = Store.isServerURL(fixture.store.path) ? ("BIGINT", "BYTEA") : ("INTEGER", "BLOB")
            try db.execute(sql: "CREATE TABLE bulk (position \(integer) NOT NULL, number \(integer), words TEXT, bytes \(blob))")
            let inserter = try RowInserter(db, table: "bulk", columns: ["position", "number", "words", "bytes"], binary: binary)
            for (position, row) in rows.enumerated() { try inserter.append([position, row.0, row.1, row.2]) }
            try inserter.finish()
            return try db.fetchAll(sql: "SELECT number, words, bytes FROM bulk ORDER BY position")
        }
        #expect(stored.count == rows.count)
        for (row, expected) in zip(stored, rows) {
            let number: Int64? = try row[0]
            let words: String? = try row[1]
            let bytes: [UInt8]? = try row[2]
            #expect(number == expected.0 && words == expected.1 && bytes == expected.2, "\(expected)")
        }
    }

    /// The backend's own writer of held rows (SQLite binds them from the batch's arena) writes
    /// every column as the rows of values do: texts absent, empty and not ASCII, sets and
    /// deltas, costs and none, in full statements and the rest.
    @Test(arguments: Backend.available) func heldRowsAreWrittenAsRowsOfValuesWouldBe(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try fixture.importing([fixture.file("in.csv", "variant_id,quantity_delta\n1001,5\n")])
        var random = SplitMix64(seed: 29)
        let texts = [nil, "", "R-1", "tab\tand, comma", "\u{00fc}ber \u{1F4E6}", String(repeating: "long ", count: 40)]
        var batch = PostingBatch()
        for row in 0..<301 {
            func text() -> String? { texts[Int(random.next() % UInt64(texts.count))] }
            batch.append(ValidAdjustment<String>(
                record: row, line: row + 2, variantKey: Int64(random.next() % 3 + 1), locationID: Int64(random.next() % 2 + 1),
                change: row % 3 == 0 ? .set(onHand: Int64(row) - 50) : .delta(Int64(row) + 1), adjustmentType: text(),
                reasonCode: text(), reasonDescription: text(), reference: text(), unitCostMinor: row % 4 == 0 ? nil : Int64(row * 7),
                notes: text(), occurredAt: row % 5 == 0 ? nil : "2026-12-0\(row % 9 + 1)T10:00:00Z", naturalKey: text()))
        }
        let stored = try fixture.store.write("held") { db -> [String] in
            func id(_ sql: String) throws -> Int64 { try #require(try db.fetchValue(Int64.self, sql: sql)) }
            let tenant = try id("SELECT id FROM tenants WHERE tenant_id = 't1'")
            let org = try id("SELECT id FROM catalog_orgs WHERE tenant = \(tenant) AND org_id = 'acme'")
            let user = try id("SELECT id FROM catalog_users WHERE tenant = \(tenant) AND user_id = 'bob'")
            let run = try id("SELECT max(id) FROM run_log"), file = try id("SELECT max(id) FROM source_files")
            let files = [
                HeldFile(tenant: tenant, org: org, requestedBy: nil, run: run, file: file, kind: nil, isNegativeStockForbidden: false),
                HeldFile(tenant: tenant, org: org, requestedBy: user, run: run, file: file, kind: 2, isNegativeStockForbidden: true),
            ]
            for file in files {
                let values = ApprovalRows(try db.rowAppender(table: "approval_requests", columns: BulkSQL.approvalColumns), file: file)
                for appender in [try db.approvalAppender(file), values] {
                    try batch.arena.withUnsafeBufferPointer { arena in
                        for row in 0..<batch.validRows {
                            var target: Int64?
                            if case .set(let onHand) = batch.changes[row] { target = onHand }
                            let held = HeldRow(
                                row: row, delta: row % 7 == 3 ? 1 : Int64(row % 7) - 3, costImpactMinor: Int64(row) * -11, setOnHand: target)
                            try appender.append(held, of: batch, arena: arena.baseAddress)
                        }
                        try appender.endBatch(batch, arena: arena.baseAddress)
                    }
                    try appender.finish()
                }
            }
            let columns = BulkSQL.approvalColumns.map { "COALESCE(CAST(\($0) AS TEXT), '~')" }.joined(separator: " || '|' || ")
            return try db.fetchAll(sql: "SELECT \(columns) FROM approval_requests ORDER BY id").map { row in try row[0] as String }
        }
        #expect(stored.count == 4 * 301)
        for file in 0..<2 {
            let own = Array(stored[(2 * file) * 301 ..< (2 * file + 1) * 301])
            let values = Array(stored[(2 * file + 1) * 301 ..< (2 * file + 2) * 301])
            #expect(own.indices.filter { own[$0] != values[$0] } == [], "rows written unlike rows of values")
        }
        #expect(Set(stored).count == 2 * 301)
    }

    /// On PostgreSQL, statistics from before a sheet's lines made completing a 100,000-line
    /// count a nested loop that ran for minutes.
    @Test(arguments: Backend.available.filter { $0 == .postgres }) func addingASheetLeavesThePlannerItsLines(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try Counting(store: fixture.store).start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .cycle, name: "Aisle", locationID: nil, notes: nil, userID: "alice"))
        let lines = (1...500).map { "1001,WH,\($0),batch-\($0)" }.joined(separator: "\n")
        let sheet = fixture.file("sheet.csv", "variant_id,location_id,counted_quantity,batch\n" + lines + "\n")
        _ = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        let planned = try fixture.store.read { db in
            try db.fetchValue(Int64.self, sql: "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = CAST('count_lines' AS regclass)")
        }
        #expect(planned == 500)
    }

    /// A posting that at least doubles the ledger has the planner count it, from the columns
    /// statements filter and group on (a fresh ledger's as-of of one variant took 1.5 s planned
    /// on statistics from before).
    @Test(arguments: Backend.available.filter { $0 == .postgres }) func aLargePostingLeavesThePlannerTheLedgersRows(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rows = (0..<600).map { "\(["1001,WH", "1002,WH", "1001,SHOP"][$0 % 3]),\($0 % 7 + 1)\n" }.joined()
        try Store.$checkpointEvery.withValue(500) {
            _ = try fixture.importing([fixture.file("large.csv", "variant_id,location_id,quantity_delta\n" + rows)])
        }
        let (planned, columns) = try fixture.store.read { db in
            (try db.fetchValue(Int64.self, sql: "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = CAST('ledger' AS regclass)"),
             Set(try db.fetchAll(sql: "SELECT attname FROM pg_stats WHERE schemaname = current_schema() AND tablename = 'ledger'").map { try $0[0] as String }))
        }
        #expect(planned == 600)
        #expect(columns == Set(Store.ledgerColumnsPlanned))
    }
}
