import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// On PostgreSQL every table's keys hold its tenant, so that a distributed PostgreSQL (Citus)
/// can shard every table by tenant, co-located; rows that reach their tenant through a parent
/// carry the parent's.
@Suite struct TenantKeysTests {
    @Test func everyKeyOnPostgreSQLHoldsTheTenant() throws {
        guard Backend.available.contains(.postgres) else {
            print("note: TenantKeysTests need PostgreSQL, which is not configured here (STOCKRECON_TEST_POSTGRES)")
            return
        }
        let fixture = try Fixture(.postgres)
        // Primary keys, unique constraints and foreign keys, and unique indexes that are no
        // constraint: the columns of each.
        let keys = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT CAST(c.conrelid::regclass AS TEXT) AS tbl, c.conname AS name,
                    (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = c.conrelid AND a.attnum = ANY (c.conkey)) AS cols
                FROM pg_constraint c WHERE c.connamespace = current_schema()::regnamespace AND c.contype IN ('p', 'u', 'f')
                UNION ALL
                SELECT CAST(i.indrelid::regclass AS TEXT), CAST(i.indexrelid::regclass AS TEXT),
                    (SELECT string_agg(a.attname, ',') FROM pg_attribute a WHERE a.attrelid = i.indrelid AND a.attnum = ANY (i.indkey))
                FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid
                WHERE x.relnamespace = current_schema()::regnamespace AND i.indisunique
                  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
                """).map { (table: try $0["tbl"] as String, name: try $0["name"] as String, columns: (try $0["cols"] as String).split(separator: ",")) }
        }
        // The tenants themselves (a reference table when distributed) and the migrations' record.
        let exempt: Set<String> = ["tenants", "stockrecon_migrations"]
        let tables = Set(keys.map(\.table)).subtracting(exempt)
        #expect(tables.count >= 20, "\(tables.sorted())")
        #expect(keys.contains { $0.table == "ledger" && $0.name == "ledger_pkey" })
        for key in keys where !exempt.contains(key.table) {
            #expect(key.columns.contains("tenant"), "\(key.table): \(key.name) is (\(key.columns.joined(separator: ", "))), without the tenant")
        }
    }

    @Test func rowsNamedThroughAParentCarryTheParentsTenant() throws {
        guard Backend.available.contains(.postgres) else { return }
        let fixture = try Fixture(.postgres, tenants: ["t1", "t2"])
        try PublicViewsTests.work(fixture)
        _ = try fixture.importing([fixture.file("t2.csv", "variant_id,quantity_delta\n1001,4\n9999,1\n")], tenant: "t2")
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(tenantID: "t2", orgID: "acme", type: .cycle, name: "Aisle", locationID: nil, notes: nil, userID: "alice"))
        let sheet = fixture.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH,3\n1002,SHOP,1\n")
        _ = try counting.add(countID: count, tenantID: "t2", userID: "bob", files: [sheet])
        _ = try counting.complete(countID: count, tenantID: "t2", userID: "alice", apply: true, uncounted: .keep)
        let parents = [
            ("ledger", "postings p ON p.id = x.posting"), ("outstanding_records", "source_files p ON p.id = x.file"),
            ("rejections", "run_log p ON p.id = x.run_id"), ("variant_movements", "ledger p ON p.id = x.last_id"),
            ("count_snapshots", "count_sessions p ON p.id = x.count"), ("count_sheets", "count_sessions p ON p.id = x.count"),
            ("count_lines", "count_sessions p ON p.id = x.count"), ("count_results", "count_sessions p ON p.id = x.count"),
        ]
        try fixture.store.read { db in
            for (table, parent) in parents {
                let tenants = try db.fetchValues(Int64.self, sql: "SELECT DISTINCT x.tenant FROM \(table) x")
                let wrong = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM \(table) x JOIN \(parent) WHERE x.tenant <> p.tenant") ?? -1
                #expect(tenants.count == (table.hasPrefix("count_") ? 1 : 2), "\(table) holds rows of tenants \(tenants)")
                #expect(wrong == 0, "\(table): \(wrong) rows name another tenant than their parent")
            }
        }
    }

    @Test func oneTransactionHoldsOneTenant() throws {
        guard Backend.available.contains(.postgres) else { return }
        let fixture = try Fixture(.postgres, tenants: ["t1", "t2"])
        let (first, second) = try fixture.store.read { db in
            (try #require(try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = 't1'")),
             try #require(try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = 't2'")))
        }
        #expect(throws: (any Error).self) {
            try fixture.store.write("two tenants") { db in
                try db.lockLedger(tenant: first)
                try db.lockLedger(tenant: first)
                try db.lockLedger(tenant: second)
            }
        }
        // Each in a transaction of its own, after a refused one: the tenant is the transaction's.
        try fixture.store.write("one tenant") { try $0.lockLedger(tenant: second) }
        try fixture.store.write("the other") { try $0.lockLedger(tenant: first) }
    }
}
