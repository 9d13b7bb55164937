import Foundation
import TestSupport
import Testing

/// A file is identified by its bytes and how it is read (SPEC section 4): a wide export read
/// for one column and then another is not silently "duplicate", and a wrong import is undone
/// by `reverse --run`.
@Suite struct ReadingIdentityTests {
    static func runID(_ result: Binary.Result) throws -> Int {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any], "\(result.stdout) \(result.stderr)")
        return try #require(json["run_id"] as? Int)
    }

    @Test(arguments: Backend.available) func theSameBytesReadAnotherWayAreRefusedWholeOrReadAsNewRows(_ backend: Backend) throws {
        let scratch = Scratch(backend)
        let db = ["--db", scratch.database]
        #expect(try Binary.run(["catalog", "import", "--tenant", "t"] + Binary.fixtureCatalog + db).status == 0)
        let wide = scratch.file("wide.csv", "variant_id,main_qty,back_qty\n1001,5,2\n1002,3,4\n")
        let main = scratch.file("main.yaml", "columns: {variant: variant_id, quantity: main_qty}\ndefaults: {location: WH-MAIN}\n")
        // The same meaning, laid out otherwise: the same reading.
        let mainAgain = scratch.file("main-again.yaml", """
            # the main street column
            defaults:
              location: WH-MAIN
            columns:
              quantity: main_qty
              variant: variant_id

            """)
        let back = scratch.file("back.yaml", "columns: {variant: variant_id, quantity: back_qty}\ndefaults: {location: WH-BACK}\n")
        let importing = { (mapping: String, extra: [String]) in
            try Binary.run(["import", "--tenant", "t", "--org", "acme", "--mapping", mapping, "--json"] + extra + db + [wide])
        }
        let first = try importing(main, [])
        #expect(first.stdout.contains(#""posted":2"#), "\(first.stdout)")
        let firstRun = try Self.runID(first)

        let refused = try importing(back, [])
        #expect(refused.status == 2)
        #expect(refused.stdout.contains(#""posted":0"#) && refused.stdout.contains("read_differently"), "\(refused.stdout)")
        #expect(refused.stdout.contains("run \(firstRun)") && refused.stdout.contains("main.yaml"), "\(refused.stdout)")
        #expect(try scratch.query("SELECT count(*) FROM movements") == "2")

        let asNew = try importing(back, ["--as-new-rows"])
        #expect(asNew.status == 0)
        #expect(asNew.stdout.contains(#""posted":2"#), "\(asNew.stdout)")
        // Each reading again: duplicates, with or without the option.
        for (mapping, extra) in [(back, [String]()), (back, ["--as-new-rows"]), (main, []), (mainAgain, []), (main, ["--as-new-rows"])] {
            let again = try importing(mapping, extra)
            #expect(again.status == 0, "\(mapping) \(extra): \(again.stderr)")
            #expect(again.stdout.contains(#""rows":2,"posted":0,"pending":0,"rejected":0,"unchanged":0,"duplicate":2"#), "\(mapping) \(extra): \(again.stdout)")
        }
        #expect(try scratch.query("SELECT \(scratch.concatenated("location_id || '=' || on_hand")) FROM (SELECT * FROM balances WHERE variant_id = '1001' ORDER BY location_id) AS b")
                == "WH-BACK=2;WH-MAIN=5")

        // Undo the second reading: one reversal a movement, once.
        let undo = try Binary.run(["reverse", "--run", String(try Self.runID(asNew)), "--tenant", "t", "--user", "alice", "--reason", "wrong column", "--json"] + db)
        #expect(undo.status == 0, "\(undo.stderr)")
        #expect(undo.stdout.contains(#""reversals":2"#), "\(undo.stdout)")
        #expect(try scratch.query("SELECT \(scratch.concatenated("location_id || '=' || on_hand")) FROM (SELECT * FROM balances WHERE variant_id = '1001' ORDER BY location_id) AS b")
                == "WH-BACK=0;WH-MAIN=5")
        #expect(try scratch.query("SELECT count(*) FROM movements WHERE transaction_type = 'reversal' AND reason_code = 'wrong column'") == "2")
        let twice = try Binary.run(["reverse", "--run", String(try Self.runID(asNew)), "--tenant", "t", "--user", "alice", "--reason", "again"] + db)
        #expect(twice.status == 64)
        #expect(twice.stderr.contains("already reversed"))
        #expect(try Binary.run(["reverse", "--run", String(firstRun), "--tenant", "other", "--user", "alice", "--reason", "x"] + db).status == 64)
    }
}
