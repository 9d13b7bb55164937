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
}
