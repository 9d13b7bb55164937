import Foundation
import TestSupport
import Testing

/// The stock date from the command line (issue 28): Saturday's count keyed in on Monday by a
/// pipeline, balances as of a day, movements of a period, a count's time refused in the future.
@Suite struct StockDateCommandTests {
    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    @Test(arguments: Backend.available) func mondaysPipelineTakesSaturdaysCountAtSaturday(_ backend: Backend) throws {
        let scratch = Scratch(backend)
        let catalog = Binary.fixtureCatalog.map { Binary.packageRoot.appendingPathComponent($0).path }
        _ = scratch.file("weekend.csv", """
            variant_id,location_id,quantity_delta,occurred_at
            1002,WH-MAIN,10,2026-11-27T15:00:00Z
            1002,WH-MAIN,-2,2026-11-29T11:00:00Z

            """)
        _ = scratch.file("saturday.csv", "variant_id,location_id,counted_quantity\n1002,WH-MAIN,9\n")
        let pipeline = scratch.file("monday.yaml", """
            tenant: acme
            org: acme
            user: alice
            stages:
              - catalog: [\(catalog.joined(separator: ", "))]
              - import: {format: synq, files: [weekend.csv]}
              - count: {type: SPOT, name: "Saturday", location: WH-MAIN, counted_at: "2026-11-28", sheets: [saturday.csv],
                        complete: {apply: true, uncounted: keep}}

            """)
        let run = try Binary.run(["run", pipeline, "--db", scratch.database])
        #expect(run.status == 0, "\(run.stdout)\(run.stderr)")
        // Counted 9 on Saturday night against 10 then; Sunday's sale stands: 9 − 2 = 7 today.
        #expect(try scratch.query("SELECT system_quantity, moved_during_count, variance FROM variance_report") == "10|-2|-1")
        #expect(try scratch.query("SELECT on_hand FROM balances") == "7")
        #expect(try scratch.query("SELECT occurred_at FROM movements WHERE transaction_type = 'count'") == "2026-11-28T23:59:59Z")
        let saturday = try json(try Binary.run(["balance", "--tenant", "acme", "--as-of", "2026-11-28", "--json", "--db", scratch.database]).stdout)
        let rows = try #require(saturday["balances"] as? [[String: Any]])
        #expect(rows.map { $0["on_hand"] as? Int } == [9])
        #expect(rows.map { $0["value_minor"] as? Int } == [9 * 2450])
        let august = try Binary.run(["report", "summary", "--tenant", "acme", "--from", "2026-11-01", "--to", "2026-11-30", "--format", "md", "--db", scratch.database])
        #expect(august.stdout.contains("| Saturday |"), "\(august.stdout)")
        let period = try json(try Binary.run([
            "movements", "--tenant", "acme", "--from", "2026-11-28", "--to", "2026-11-29", "--json", "--db", scratch.database,
        ]).stdout)
        #expect(try #require(period["movements"] as? [[String: Any]]).map { $0["quantity_delta"] as? Int } == [-2, -1])
        let again = try Binary.run(["run", pipeline, "--db", scratch.database])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(try scratch.query("SELECT on_hand FROM balances") == "7")
    }

    @Test func aCountCannotBeTakenInTheFuture() throws {
        let scratch = Scratch()
        #expect(try Binary.run(["catalog", "import", "--tenant", "t", "--db", scratch.database] + Binary.fixtureCatalog).status == 0)
        let start = ["count", "start", "--tenant", "t", "--org", "acme", "--type", "SPOT", "--name", "x", "--user", "alice", "--db", scratch.database]
        let future = try Binary.run(start + ["--counted-at", "2999-01-01"])
        #expect(future.status == 64 && future.stderr.contains("in the future"), "\(future.stderr)")
        let garbled = try Binary.run(start + ["--counted-at", "28.11.2026"])
        #expect(garbled.status == 64 && garbled.stderr.contains("is not a time"), "\(garbled.stderr)")
        #expect(try Binary.run(["balance", "--tenant", "t", "--as-of", "yesterday", "--db", scratch.database]).status == 64)
    }

    /// ERPNext's reconciliation dated 14 August, as a new user tries it: imported, its rows set
    /// on-hand at that time; added to a count started without a time, the count takes the
    /// sheet's; either way the August summary shows it.
    @Test(arguments: Backend.available) func anERPNextReconciliationCountsInItsOwnMonth(_ backend: Backend) throws {
        let sheet = "fixtures/presets/erpnext-stock-reconciliation.csv"
        let counted = Scratch(backend)
        let db = ["--tenant", "acme", "--db", counted.database]
        #expect(try Binary.run(["catalog", "import"] + db + Binary.fixtureCatalog).status == 0)
        let history = counted.file("history.csv", "variant_id,location_id,quantity_delta,occurred_at\n1001,WH-MAIN,5,2026-08-01T09:00:00Z\n1001,WH-MAIN,-1,2026-08-20T09:00:00Z\n")
        #expect(try Binary.run(["import", "--org", "acme", "--format", "synq", history] + db).status == 0)
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "SPOT", "--name", "August", "--user", "alice"] + db).status == 0)
        let added = try Binary.run(["count", "add", "1", "--user", "alice", "--format", "erpnext-stock-reconciliation", sheet] + db)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(try counted.query("SELECT counted_at FROM stock_counts") == "2026-08-14T17:30:00Z")
        #expect(try Binary.run(["count", "complete", "1", "--user", "alice", "--apply"] + db).status == 0)
        // The tent: 5 then, counted 4 (variance -1, dated then); the sale of the 20th stands: 3 today.
        #expect(try counted.query("SELECT system_quantity, counted_quantity, variance FROM variance_report WHERE variant_id = '1001'") == "5|4|-1")
        #expect(try counted.query("SELECT on_hand FROM balances WHERE variant_id = '1001'") == "3")
        let august = try Binary.run(["report", "summary", "--from", "2026-08-01", "--to", "2026-08-31", "--format", "md"] + db)
        #expect(august.stdout.contains("| August |"), "\(august.stdout)")
        let reading = counted.file("other-day.csv", "ID,Company,Purpose,Posting Date,Posting Time,ID (Items),Item Code (Items),Warehouse (Items),Quantity (Items),Valuation Rate (Items),Batch No (Items),Serial No (Items)\nMAT-2,Acme Outdoor,Stock Reconciliation,15-08-2026,09:00:00,,TENT-2P,Main warehouse,4,89.90,,\n")
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "SPOT", "--name", "Fixed", "--counted-at", "2026-08-14T17:30:00Z", "--user", "alice"] + db).status == 0)
        let refused = try Binary.run(["count", "add", "2", "--user", "alice", "--format", "erpnext-stock-reconciliation", reading] + db)
        #expect(refused.status == 64 && refused.stderr.contains("was taken at 2026-08-14T17:30:00Z"), "\(refused.stderr)")

        let imported = Scratch(backend)
        let tenant = ["--tenant", "acme", "--db", imported.database]
        #expect(try Binary.run(["catalog", "import"] + tenant + Binary.fixtureCatalog).status == 0)
        #expect(try Binary.run(["import", "--org", "acme", "--format", "erpnext-stock-reconciliation", sheet] + tenant).status == 0)
        let summary = try Binary.run(["report", "summary", "--from", "2026-08-01", "--to", "2026-08-31", "--format", "md"] + tenant)
        #expect(summary.stdout.contains("| 2026-08-14 | WH-MAIN | 2 |") && summary.stdout.contains("| 2026-08-14 | WH-BACK | 1 |"), "\(summary.stdout)")
    }
}

