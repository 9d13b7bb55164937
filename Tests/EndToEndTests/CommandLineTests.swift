import Foundation
import TestSupport
import Testing

/// The bundled fixtures through the built binary: what the README's first command does.
@Suite struct FixtureRunTests {
    /// The same transcript on both backends.
    @Test(arguments: Backend.available)
    func theFixtureRunMatchesItsGoldenOutput(_ backend: Backend) throws {
        let scratch = Scratch(backend)
        let db = ["--db", scratch.database]
        let catalog = try Binary.run(["catalog", "import", "--tenant", "demo"] + db + [
            "fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv", "fixtures/catalog/users.csv",
        ])
        #expect(catalog.status == 0)
        let synq = try Binary.run(["import", "--tenant", "demo", "--org", "acme", "--format", "synq", "--user", "bob"] + db + ["fixtures/imports/nightly-synq.csv"])
        #expect(synq.status == 1)
        let dayzero = try Binary.run(["import", "--tenant", "demo", "--org", "acme", "--format", "dayzero", "--user", "bob"] + db + ["fixtures/imports/nightly-dayzero.json"])
        #expect(dayzero.status == 1)
        let canonical = try Binary.run(["import", "--tenant", "demo", "--org", "acme", "--format", "canonical", "--user", "alice"] + db + ["fixtures/imports/canonical.csv"])
        #expect(canonical.status == 1)
        let adjustments = try Binary.run(["import", "--tenant", "demo", "--org", "acme", "--format", "stock-adjustments", "--user", "bob"] + db + ["fixtures/imports/stock-adjustments.csv"])
        #expect(adjustments.status == 1)
        let pending = try Binary.run(["approvals", "list", "--tenant", "demo", "--status", "pending"] + db)
        let byStaff = try Binary.run(["approvals", "approve", "1", "--tenant", "demo", "--user", "bob"] + db)
        #expect(byStaff.status == 64)
        let approved = try Binary.run(["approvals", "approve", "1", "--tenant", "demo", "--user", "alice", "--note", "checked the PO"] + db)
        #expect(approved.status == 0)
        let twice = try Binary.run(["approvals", "reject", "1", "--tenant", "demo", "--user", "alice"] + db)
        #expect(twice.status == 64)
        let rejected = try Binary.run(["approvals", "reject", "2", "--tenant", "demo", "--user", "alice", "--note", "not confirmed"] + db)
        #expect(rejected.status == 0)
        let reversed = try Binary.run(["reverse", "1", "--tenant", "demo", "--user", "alice", "--reason", "entered twice"] + db)
        #expect(reversed.status == 0)
        let reversedTwice = try Binary.run(["reverse", "1", "--tenant", "demo", "--user", "alice", "--reason", "again"] + db)
        #expect(reversedTwice.status == 64)
        let balance = try Binary.run(["balance", "--tenant", "demo"] + db)
        #expect(balance.status == 0)
        let transcript = [
            catalog, synq, dayzero, canonical, adjustments, pending, byStaff, approved, twice, rejected, reversed,
            reversedTwice, balance,
        ].map { $0.stdout + $0.stderr }.joined(separator: "---\n")
        // Decision times differ from run to run.
        let stable = transcript.replacingOccurrences(
            of: #"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z"#, with: "<time>", options: .regularExpression)
        expectGolden(stable, "fixture-run.txt")
    }
}

@Suite struct ExitStatusTests {
    let scratch = Scratch()
    var db: [String] { ["--db", scratch.database] }

    func loadCatalog() throws {
        let result = try Binary.run(["catalog", "import", "--tenant", "t"] + db + ["fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv"])
        #expect(result.status == 0)
    }

    @Test func zeroWhenEverythingPostsAndJSONSummaries() throws {
        try loadCatalog()
        let file = scratch.file("ok.csv", "variant_id,location_id,quantity_delta\n1001,WH-MAIN,3\n1002,WH-MAIN,4\n")
        let result = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--json"] + db + [file])
        #expect(result.status == 0)
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        for key in ["run_id", "rows", "posted", "pending", "rejected", "unchanged", "duplicate"] { #expect(summary[key] != nil, "\(key)") }
        #expect(summary["rows"] as? Int == 2)
        #expect(summary["posted"] as? Int == 2)
        let again = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--json"] + db + [file])
        let second = try #require(try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])
        #expect(second["duplicate"] as? Int == 2)
        #expect(again.status == 0)
    }

    @Test func oneWhenRowsAreRejectedAndTheyAreRecorded() throws {
        try loadCatalog()
        let file = scratch.file("bad.csv", "variant_id,quantity_delta\n1001,0\n")
        let result = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq"] + db + [file])
        #expect(result.status == 1)
        #expect(result.stderr.contains("bad.csv:2: error: quantity_delta: an adjustment cannot be zero"))
        #expect(try scratch.query("SELECT type || ':' || source_line FROM rejections") == "zero_delta:2")
    }

    @Test func twoWhenAFileCannotBeRead() throws {
        try loadCatalog()
        let broken = scratch.file("cut.csv", "variant_id,quantity_delta\n1001,\"5\n")
        let good = scratch.file("good.csv", "variant_id,quantity_delta\n1001,5\n")
        let result = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq"] + db + [broken, good])
        #expect(result.status == 2)
        #expect(result.stderr.contains("closing quote"))
        #expect(try scratch.query("SELECT sum(on_hand) FROM balances") == "5")
    }

    @Test(arguments: [
        ["import", "--tenant", "t", "--org", "nobody", "--format", "synq", "fixtures/imports/nightly-synq.csv"],
        ["import", "--tenant", "t", "--org", "acme", "--format", "nonsense", "fixtures/imports/nightly-synq.csv"],
        ["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--user", "ghost", "fixtures/imports/nightly-synq.csv"],
        ["movements", "--tenant", "t", "--limit", "0"],
        ["no-such-command"],
    ])
    func sixtyFourForUsageErrors(arguments: [String]) throws {
        try loadCatalog()
        let result = try Binary.run(arguments + db)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(!result.stderr.isEmpty)
        #expect(try scratch.query("SELECT count(*) FROM movements") == "0")
    }

    @Test func readsStandardInput() throws {
        try loadCatalog()
        let data = Data("variant_id,quantity_delta\n1001,5\n".utf8)
        let first = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--json"] + db + ["-"], stdin: data)
        #expect(first.status == 0)
        #expect(first.stdout.contains("\"posted\":1"))
        let again = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--json"] + db + ["-"], stdin: data)
        #expect(again.stdout.contains("\"duplicate\":1"))
        #expect(try scratch.query("SELECT source_file FROM movements") == "<stdin>")
    }

    @Test func theDatabaseComesFromTheEnvironment() throws {
        let result = try Binary.run(
            ["catalog", "import", "--tenant", "t", "fixtures/catalog/orgs.csv"], environment: ["STOCKRECON_DB": scratch.database])
        #expect(result.status == 0)
        #expect(try scratch.query("SELECT count(*) FROM orgs") == "2")
    }
}

@Suite struct QueryCommandTests {
    let scratch = Scratch()
    var db: [String] { ["--db", scratch.database] }

    init() throws {
        // Cheap variants: no row reaches an approval threshold.
        let cheap = scratch.file("cheap.csv", "variant_id,org_id,unit_cost\n1001,acme,1.00\n1002,acme,1.00\n")
        try Binary.run(["catalog", "import", "--tenant", "t"] + db + ["fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", cheap])
        var rows = "variant_id,location_id,quantity_delta,notes\n"
        for index in 1...25 { rows += "\(index % 2 == 0 ? "1001" : "1002"),WH-MAIN,\(index),\"note, \(index)\"\n" }
        try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq"] + db + [scratch.file("rows.csv", rows)])
    }

    @Test func balanceFiltersAndFormats() throws {
        let csv = try Binary.run(["balance", "--tenant", "t", "--format", "csv"] + db)
        #expect(csv.stdout == "variant_id,location_id,on_hand,name\n1001,WH-MAIN,156,\n1002,WH-MAIN,169,\n")
        let one = try Binary.run(["balance", "--tenant", "t", "--variant", "1002", "--json"] + db)
        #expect(one.stdout == #"{"balances":[{"variant_id":"1002","location_id":"WH-MAIN","on_hand":169,"name":null}]}"# + "\n")
        let other = try Binary.run(["balance", "--tenant", "someone-else"] + db)
        #expect(other.stdout == "no balances\n")
    }

    /// `balance` prints a row at a time, a megabyte at a time: a listing over its buffer comes out
    /// whole and in order in every format, the text aligned on its widest cells.
    @Test func aBalanceListingLargerThanItsBufferPrintsWhole() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "big"]
        let variants = 60_000
        var catalog = "variant_id,org_id,unit_cost\n", rows = "variant_id,location_id,quantity_delta\n"
        for index in 1...variants {
            catalog += "V\(String(format: "%06d", index)),acme,0.01\n"
            rows += "V\(String(format: "%06d", index)),WH-MAIN,\(index % 7 + 1)\n"
        }
        #expect(try Binary.run(["catalog", "import"] + db + ["fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", scratch.file("v.csv", catalog)]).status == 0)
        #expect(try Binary.run(["import", "--org", "acme", "--format", "synq"] + db + [scratch.file("rows.csv", rows)]).status == 0)
        let csv = try Binary.run(["balance", "--format", "csv"] + db)
        #expect(csv.stdout.utf8.count > 1 << 20)
        let lines = csv.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == variants + 1 && lines.first == "variant_id,location_id,on_hand,name")
        #expect(Array(lines.dropFirst()) == (1...variants).map { "V\(String(format: "%06d", $0)),WH-MAIN,\($0 % 7 + 1)," })
        let json = try Binary.run(["balance", "--json"] + db)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: [[String: Any]]])
        #expect(object["balances"]?.count == variants && object["balances"]?.last?["on_hand"] as? Int == variants % 7 + 1)
        let text = try Binary.run(["balance"] + db).stdout.split(separator: "\n").map(String.init)
        #expect(text.count == variants + 1)
        #expect(text.first == "variant_id  location_id  on_hand  name")
        #expect(text[1] == "V000001     WH-MAIN      2" && text.last == "V060000     WH-MAIN      4")
    }

    @Test func movementsPageWithSinceIDAndLimit() throws {
        let first = try Binary.run(["movements", "--tenant", "t", "--limit", "10", "--json"] + db)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(first.stdout.utf8)) as? [String: Any])
        let items = try #require(page["movements"] as? [[String: Any]])
        #expect(items.count == 10)
        #expect(page["next_since_id"] as? Int == 10)
        #expect(items.first?["notes"] as? String == "note, 1")
        let last = try Binary.run(["movements", "--tenant", "t", "--since-id", "20", "--limit", "10", "--format", "csv"] + db)
        let lines = last.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(lines.count == 7)  // header, five rows, final newline
        #expect(lines[1].hasPrefix("21,t,acme,1002,WH-MAIN,adjustment,,21,"))
        #expect(last.stdout.contains("\"note, 25\""))
        let filtered = try Binary.run(["movements", "--tenant", "t", "--variant", "1001", "--location", "WH-MAIN", "--limit", "100", "--format", "csv"] + db)
        #expect(filtered.stdout.split(separator: "\n").count == 13)
        // Printed as read: a page short of its limit is the last (no next id), a full one names its last id.
        func next(_ arguments: [String]) throws -> Any? {
            let page = try Binary.run(["movements", "--tenant", "t", "--json"] + arguments + db)
            return try #require(try JSONSerialization.jsonObject(with: Data(page.stdout.utf8)) as? [String: Any])["next_since_id"]
        }
        #expect(try next(["--since-id", "20", "--limit", "10"]) is NSNull)
        #expect(try next(["--since-id", "20", "--limit", "5"]) as? Int == 25)
        let text = try Binary.run(["movements", "--tenant", "t", "--since-id", "20", "--limit", "10"] + db).stdout.split(separator: "\n")
        #expect(text.count == 6 && text[0].hasPrefix("id  tenant_id  org_id  variant_id") && text[1].hasPrefix("21  t          acme    1002"))
    }
}

@Suite struct ApprovalCommandTests {
    let scratch = Scratch()
    var db: [String] { ["--db", scratch.database] }

    @Test func listsApprovalsAsJSONWithFiltersAndForbidsNegativeStockOnRequest() throws {
        try Binary.run(["catalog", "import", "--tenant", "t"] + db + [
            "fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv", "fixtures/catalog/users.csv",
        ])
        let file = scratch.file("a.csv", "product,type,quantity\n1001,THEFT,-1\n1002,FOUND,2\n1002,CORRECTION,51\n")
        let imported = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "stock-adjustments", "--user", "bob", "--json"] + db + [file])
        #expect(imported.status == 0)
        #expect(imported.stdout.contains(#""rows":3,"posted":1,"pending":2"#))
        let list = try Binary.run(["approvals", "list", "--tenant", "t", "--status", "PENDING", "--variant", "1002", "--json"] + db)
        let page = try #require(try JSONSerialization.jsonObject(with: Data(list.stdout.utf8)) as? [String: Any])
        let items = try #require(page["approvals"] as? [[String: Any]])
        #expect(items.count == 1)
        #expect(items.first?["quantity_delta"] as? Int == 51)
        #expect(items.first?["cost_impact_minor"] as? Int == 124_950)
        #expect(items.first?["requested_by"] as? String == "bob")
        let decided = try Binary.run(["approvals", "approve", "2", "--tenant", "t", "--user", "alice", "--json"] + db)
        #expect(decided.stdout.contains(#""status":"APPROVED""#))
        #expect(try Binary.run(["approvals", "list", "--tenant", "t", "--status", "nonsense"] + db).status == 64)

        let strict = scratch.file("b.csv", "variant_id,quantity_delta\n1002,-100\n")
        let refused = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", "--forbid-negative-stock"] + db + [strict])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("[negative_stock]"))
        #expect(try scratch.query("SELECT on_hand FROM balances WHERE variant_id = '1002'") == "53")
    }
}

@Suite struct GlobalOptionTests {
    let scratch = Scratch()

    @Test func dbAndJSONWorkBeforeAndAfterTheCommand() throws {
        let load = try Binary.run(["--db", scratch.database, "catalog", "import", "--tenant", "t", "fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv"])
        #expect(load.status == 0, "\(load.stderr)")
        let file = scratch.file("ok.csv", "variant_id,quantity_delta\n1001,3\n")
        let before = try Binary.run(["--db=\(scratch.database)", "--json", "import", "--tenant", "t", "--org", "acme", "--format", "synq", file])
        #expect(before.status == 0, "\(before.stderr)")
        #expect(before.stdout.contains(#""posted":1"#))
        let after = try Binary.run(["balance", "--tenant", "t", "--db", scratch.database, "--format", "csv"])
        // The catalog's names for the variant: its product's, then its own title.
        #expect(after.stdout == "variant_id,location_id,on_hand,name\n1001,WH-MAIN,3,Trail tent – 2-person\n")
        let both = try Binary.run(["--db", scratch.database, "balance", "--tenant", "t", "--json"])
        #expect(both.stdout.contains(#""on_hand":3"#))
    }

    @Test func aMappingMistakeIsAUsageErrorAtItsLine() throws {
        let mapping = scratch.file("m.yaml", "columns:\n  variant: EAN\n  quantiy: Menge\n")
        let result = try Binary.run(["import", "--db", scratch.database, "--tenant", "t", "--org", "acme", "--mapping", mapping, "fixtures/exports/pos-2026-11-21.csv"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("m.yaml:3:3: error: unknown key `quantiy` in columns: did you mean `quantity`?"))
        #expect(!FileManager.default.fileExists(atPath: scratch.database))
    }
}
