import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// A count's completion is read and written a page of items at a time (`CountCompletionWriter`),
/// so that a count of a million lines is never held whole. Pages of one item must leave exactly
/// what one page leaves: movements (ids included), results, balances, stock checks, spans and
/// runs, with items counted, uncounted and counted as zero, and a count absorbed at a later check.
@Suite struct CountPagesTests {
    /// Two counts: a FULL one at 2026-08-20 (1001 at SHOP not counted: counted as zero), then a
    /// SPOT one taken at 2026-08-15, before the first one's checks, whose movements are absorbed.
    static func work(_ fixture: Fixture, pageSize: Int?) throws -> [CountCompletion] {
        let rows = ["1001,WH,20", "1001,SHOP,3", "1002,SHOP,4", "1002,WH,7"].map { "\($0),2026-08-01T00:00:00Z\n" }.joined()
        let stock = try fixture.importing([fixture.file("stock.csv", "variant_id,location_id,quantity_delta,occurred_at\n" + rows)])
        #expect(stock.counts.posted == 4)
        let counting = Counting(store: fixture.store)
        var completions: [CountCompletion] = []
        for (type, countedAt, sheet, uncounted) in [
            (CountType.full, "2026-08-20T00:00:00Z", "1001,WH,18\n1002,SHOP,5\n1002,WH,7\n", UncountedPolicy.zero),
            (CountType.spot, "2026-08-15T00:00:00Z", "1001,WH,19\n1002,WH,6\n", UncountedPolicy.keep),
        ] {
            let id = try counting.start(CountRequest(
                tenantID: "t1", orgID: "acme", type: type, name: "n", locationID: nil, notes: nil, userID: "alice", countedAt: countedAt))
            _ = try counting.add(countID: id, tenantID: "t1", userID: "bob", files: [
                fixture.file("sheet-\(id).csv", "variant_id,location_id,counted_quantity\n" + sheet),
            ])
            completions.append(try fixture.store.write("completing") { db in
                try Store.completeCount(
                    id, tenantID: "t1", userID: "alice", apply: true, uncounted: uncounted, rules: CountRules(),
                    command: RunCommand(.countComplete(id)), pageSize: pageSize, in: db)
            })
        }
        return completions
    }

    /// What the work left, times of recording left out (each run has its own).
    static func kept(_ fixture: Fixture) throws -> [String: [String]] {
        let queries = [
            "ledger": "SELECT id, posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor, reference_id, idempotency_key, occurred_at, absorbs_id FROM ledger",
            "results": "SELECT count, variant, location, system_quantity, counted_quantity, moved_during_count, rows, movement FROM count_results",
            "balances": "SELECT variant, location, on_hand FROM stock_levels",
            "checks": "SELECT variant, location, checked_at, count, movement FROM stock_checks",
            "spans": "SELECT posting, first_id, last_id, earliest, latest FROM posting_spans",
            "runs": "SELECT variant_group, last_id, entries FROM variant_movements",
            "counts": "SELECT id, items_counted, items_with_discrepancy, missing_value_minor, excess_value_minor, net_variance_minor FROM count_sessions",
        ]
        return try fixture.store.read { db in
            try queries.mapValues { sql in try db.fetchAll(sql: sql).map { "\($0.values)" }.sorted() }
        }
    }

    @Test(arguments: Backend.available) func pagesOfOneItemLeaveWhatOnePageLeaves(_ backend: Backend) throws {
        let (whole, paged) = (try Fixture(backend), try Fixture(backend))
        let wholeCompletions = try Self.work(whole, pageSize: nil)
        let pagedCompletions = try Self.work(paged, pageSize: 1)
        for (a, b) in zip(wholeCompletions, pagedCompletions) {
            #expect(a.totals == b.totals && a.counts == b.counts && a.movementsPosted == b.movementsPosted)
        }
        // The work did what it says: four items of the FULL count, three posted; two of the
        // SPOT one posted, and both absorbed at the FULL count's later check.
        #expect(wholeCompletions.map(\.movementsPosted) == [3, 2])
        #expect(try whole.count("SELECT count(*) FROM ledger WHERE absorbs_id IS NOT NULL") == 2)
        #expect(try whole.balance("1001", "SHOP") == 0 && whole.balance("1001") == 18 && whole.balance("1002") == 7)
        let (wholeKept, pagedKept) = (try Self.kept(whole), try Self.kept(paged))
        for (table, rows) in wholeKept {
            #expect(!rows.isEmpty, "\(table) is empty")
            #expect(pagedKept[table] == rows, "\(table) differs")
        }
        #expect(try whole.variantRunsMatchLedger() && paged.variantRunsMatchLedger())
    }
}
