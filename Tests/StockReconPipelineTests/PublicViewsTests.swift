import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
@testable import StockReconStore

/// SPEC section 8's public names are the same on both backends, column for column, and after
/// the same work hold the same rows: each backend has its own migrations, so this is what
/// keeps them one schema.
@Suite struct PublicViewsTests {
    /// The public views and their columns, in order.
    static func views(_ fixture: Fixture, _ backend: Backend) throws -> [String: [String]] {
        try fixture.store.read { db in
            let names: [String] = backend == .sqlite
                ? try db.fetchValues(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'view'")
                : try db.fetchValues(String.self, sql: "SELECT table_name FROM information_schema.views WHERE table_schema = current_schema()")
            var views: [String: [String]] = [:]
            for name in names {
                views[name] = backend == .sqlite
                    ? try db.fetchValues(String.self, sql: "SELECT name FROM pragma_table_info(?) ORDER BY cid", arguments: [name])
                    : try db.fetchValues(String.self, sql: """
                        SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = ?
                        ORDER BY ordinal_position
                        """, arguments: [name])
            }
            return views
        }
    }

    /// A view's rows as text, times left out (each run has its own), in a stable order.
    static func rows(_ fixture: Fixture, view: String, columns: [String]) throws -> [String] {
        let compared = columns.filter { !$0.hasSuffix("_at") && $0 != "started" && $0 != "finished" }
        let select = compared.map { "COALESCE(CAST(\($0) AS TEXT), '∅')" }.joined(separator: " || '|' || ")
        return try fixture.store.read { db in try db.fetchValues(String.self, sql: "SELECT \(select) FROM \(view)") }.sorted()
    }

    /// The same work on a fresh database: imports with every fate, a decision, a reversal.
    /// Dated, so that each backend's work means the same whatever the clock: undated, the set's
    /// stock check fell after the first movement's date whenever the two files were imported in
    /// different seconds, and the reversal of that movement was absorbed at it on one backend only.
    static func work(_ fixture: Fixture) throws {
        _ = try fixture.importing([fixture.file("a.csv", """
            external_id,variant_id,location_id,quantity_delta,notes,occurred_at
            e-1,1001,WH,5,first,2026-08-01T00:00:00Z
            e-2,1002,SHOP,70,held,2026-08-01T00:00:00Z
            e-3,9999,WH,1,unknown,2026-08-01T00:00:00Z
            ,1001,WH,0,zero,2026-08-01T00:00:00Z
            e-4,2001,WH,2,other org,2026-08-01T00:00:00Z

            """)], format: .canonical)
        _ = try fixture.importing([fixture.file("b.csv", "variant_id,quantity_after,transaction_type,occurred_at\n1001,3,set,2026-08-01T00:00:00Z\n")],
                                  format: .canonical)
        let approval = try #require(try fixture.store.read { try $0.fetchValue(Int64.self, sql: "SELECT min(id) FROM approval_requests") })
        _ = try fixture.store.decide(approvalID: approval, tenantID: "t1", userID: "alice", note: "ok", approve: true)
        let first = try #require(try fixture.store.read { try $0.fetchValue(Int64.self, sql: "SELECT min(id) FROM ledger") })
        _ = try fixture.store.reverse(movementID: first, tenantID: "t1", userID: "alice", reason: "wrong")
    }

    @Test func thePublicViewsAreTheSameOnBothBackends() throws {
        guard Backend.available.contains(.postgres) else {
            print("note: PublicViewsTests compare with PostgreSQL, which is not configured here (STOCKRECON_TEST_POSTGRES)")
            return
        }
        let (sqlite, postgres) = (try Fixture(.sqlite), try Fixture(.postgres))
        let (sqliteViews, postgresViews) = (try Self.views(sqlite, .sqlite), try Self.views(postgres, .postgres))
        #expect(sqliteViews == postgresViews)
        #expect(sqliteViews.keys.contains("movements") && sqliteViews.keys.contains("balances"))
        try Self.work(sqlite)
        try Self.work(postgres)
        for (view, columns) in sqliteViews.sorted(by: { $0.key < $1.key }) {
            let (left, right) = (try Self.rows(sqlite, view: view, columns: columns), try Self.rows(postgres, view: view, columns: columns))
            #expect(left == right, "view \(view)")
        }
        #expect(try Self.rows(sqlite, view: "movements", columns: sqliteViews["movements"] ?? []).count == 4, "a post, a set, an approval, a reversal")
        #expect(sqliteViews.count >= 10, "\(sqliteViews.keys.sorted())")
    }
}
