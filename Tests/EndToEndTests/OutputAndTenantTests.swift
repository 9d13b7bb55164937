import Foundation
import TestSupport
import Testing

/// What a command may touch: `-o` never removes what is at its path, and an id of another
/// tenant is not found, without a word about that tenant (SPEC section 5).
@Suite struct OutputAndTenantTests {
    /// Tenant `acme`'s completed year-end count (count 1) on a fresh database.
    static func stocktake(_ scratch: Scratch) throws {
        let db = ["--db", scratch.database]
        for arguments in [
            ["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog,
            ["count", "start", "--tenant", "acme", "--org", "acme", "--type", "FULL", "--name", "Year end", "--user", "alice"],
            ["count", "add", "1", "--tenant", "acme", "--user", "bob", "fixtures/counts/year-end-aisle.csv"],
            ["count", "complete", "1", "--tenant", "acme", "--user", "alice"],
        ] {
            let result = try Binary.run(arguments + db)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
    }

    @Test func anOutputPathThatIsADirectoryIsRefusedAndKept() throws {
        let scratch = Scratch()
        try Self.stocktake(scratch)
        let db = ["--db", scratch.database, "--tenant", "acme"]
        let keep = scratch.url.appendingPathComponent("keep")
        try FileManager.default.createDirectory(at: keep, withIntermediateDirectories: true)
        let precious = scratch.file("keep/precious.txt", "do not remove")
        for arguments in [
            ["count", "sheet", "1", "-o", keep.path], ["count", "sheet", "1", "-o", keep.path + "/"],
            ["count", "sheet", "1", "--format", "xlsx", "-o", keep.path], ["report", "variance", "1", "-o", keep.path],
            ["report", "summary", "-o", keep.path],
        ] {
            let result = try Binary.run(arguments + db)
            #expect(result.status == 2, "\(arguments)")
            #expect(result.stderr.contains("is a directory"), "\(arguments): \(result.stderr)")
        }
        // `-o .` in the folder the command runs in: the package root, which must survive.
        let here = try Binary.run(["count", "sheet", "1", "-o", "."] + db)
        #expect(here.status == 2)
        #expect(FileManager.default.fileExists(atPath: Binary.packageRoot.appendingPathComponent("Package.swift").path))
        #expect(try String(contentsOfFile: precious, encoding: .utf8) == "do not remove")
        #expect(try FileManager.default.contentsOfDirectory(atPath: keep.path) == ["precious.txt"])
    }

    @Test func anExistingFileIsReplacedWholeAndNothingIsLeftBeside() throws {
        let scratch = Scratch()
        try Self.stocktake(scratch)
        let db = ["--db", scratch.database, "--tenant", "acme"]
        let sheet = scratch.file("sheet.csv", String(repeating: "old contents\n", count: 10_000))
        #expect(try Binary.run(["count", "sheet", "1", "-o", sheet] + db).status == 0)
        let written = try String(contentsOfFile: sheet, encoding: .utf8)
        #expect(written.hasPrefix("variant_id,"))
        #expect(!written.contains("old contents"))
        // A link is followed: its target is replaced, the link stays a link.
        let link = scratch.url.appendingPathComponent("link.md").path
        try FileManager.default.createSymbolicLink(atPath: link, withDestinationPath: sheet)
        #expect(try Binary.run(["report", "variance", "1", "-o", link] + db).status == 0)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: link) == sheet)
        #expect(try String(contentsOfFile: sheet, encoding: .utf8).hasPrefix("# "))
        let names = try FileManager.default.contentsOfDirectory(atPath: scratch.url.path).filter { $0.hasSuffix(".partial") }
        #expect(names.isEmpty, "\(names)")
    }

    @Test func idsOfAnotherTenantAreNotFoundAndNothingOfItIsNamed() throws {
        let scratch = Scratch()
        try Self.stocktake(scratch)
        let db = ["--db", scratch.database]
        // Tenant acme holds an approval too; tenant rival has a catalog of its own, with a manager.
        let held = scratch.file("held.csv", "variant_id,quantity_delta\n1001,60\n")
        #expect(try Binary.run(["import", "--tenant", "acme", "--org", "acme", "--format", "synq", "--user", "bob", held] + db).status == 0)
        let rivalUsers = scratch.file("users.csv", "user_id,role\nmallory,manager\n")
        #expect(try Binary.run(["catalog", "import", "--tenant", "rival", "fixtures/catalog/orgs.csv", rivalUsers] + db).status == 0)
        let asRival = ["--tenant", "rival"] + db
        for arguments in [
            ["count", "show", "1"], ["count", "sheet", "1", "-o", scratch.url.appendingPathComponent("s.csv").path],
            ["count", "add", "1", "--user", "mallory", "fixtures/counts/year-end-aisle.csv"],
            ["count", "complete", "1", "--user", "mallory"], ["count", "cancel", "1", "--user", "mallory"],
            ["report", "variance", "1"], ["approvals", "approve", "1", "--user", "mallory"],
            ["approvals", "reject", "1", "--user", "mallory"], ["reverse", "1", "--user", "mallory", "--reason", "x"],
        ] {
            let result = try Binary.run(arguments + asRival)
            #expect(result.status == 64, "\(arguments): \(result.stderr)")
            #expect(result.stderr.contains("tenant rival has no"), "\(arguments): \(result.stderr)")
            for secret in ["acme", "alice", "bob", "Year end"] {
                #expect(!result.stderr.contains(secret), "\(arguments) names \(secret): \(result.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("s.csv").path))
        #expect(try scratch.query("SELECT status FROM approvals WHERE id = 1") == "PENDING")

        // A made-up user of the right tenant learns nothing of who decided.
        #expect(try Binary.run(["approvals", "approve", "1", "--tenant", "acme", "--user", "alice"] + db).status == 0)
        let madeUp = try Binary.run(["approvals", "approve", "1", "--tenant", "acme", "--user", "nobody"] + db)
        #expect(madeUp.status == 64)
        #expect(!madeUp.stderr.contains("alice"), "\(madeUp.stderr)")
    }

    @Test func theTenantComesFromTheEnvironmentWhenNotGiven() throws {
        let scratch = Scratch()
        try Self.stocktake(scratch)
        let db = ["--db", scratch.database]
        let shown = try Binary.run(["count", "show", "1"] + db, environment: ["STOCKRECON_TENANT": "acme"])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdout.contains("Year end"))
        #expect(try Binary.run(["balance"] + db, environment: ["STOCKRECON_TENANT": "acme"]).status == 0)
        // --tenant wins over the environment.
        #expect(try Binary.run(["count", "show", "1", "--tenant", "rival"] + db, environment: ["STOCKRECON_TENANT": "acme"]).status == 64)
        let missing = try Binary.run(["count", "show", "1"] + db, environment: ["STOCKRECON_TENANT": ""])
        #expect(missing.status == 64)
        #expect(missing.stderr.contains("STOCKRECON_TENANT"))
    }

    /// A tenant id longer than an id may be is refused before anything, given or from the
    /// environment, in a pipeline at its line: PostgreSQL's index of tenants holds at most
    /// 2,704 bytes (it failed with a database error; SQLite created the tenant).
    @Test func aTenantLongerThanAnIdMayBeIsRefused() throws {
        let scratch = Scratch()
        let long = String(repeating: "tenant-", count: 200)  // 1,400 bytes
        let db = ["--db", scratch.database]
        for result in [
            try Binary.run(["balance", "--tenant", long] + db),
            try Binary.run(["balance"] + db, environment: ["STOCKRECON_TENANT": long]),
        ] {
            #expect(result.status == 64, "\(result.stderr)")
            #expect(result.stderr.contains("the tenant is 1400 bytes, longer than the 1024 an id may be"), "\(result.stderr)")
        }
        let pipeline = scratch.file("long.yaml", "org: acme\ntenant: \(long)\nstages:\n  - catalog: [nothing/*.csv]\n")
        let run = try Binary.run(["run", pipeline] + db)
        #expect(run.status == 64, "\(run.stderr)")
        #expect(run.stderr.contains("long.yaml:2"), "\(run.stderr)")
        #expect(run.stderr.contains("the tenant is 1400 bytes"), "\(run.stderr)")
        #expect(try Binary.run(["balance", "--tenant", String(long.prefix(1024))] + db).status == 0)
    }
}

/// A pipeline's count stage reads its sheets through a named mapping (issue 25).
@Suite struct MappedCountStageTests {
    @Test func aCountStageReadsAnExportThroughItsMapping() throws {
        let scratch = Scratch()
        _ = scratch.file("shop.yaml", "columns: {variant: SKU, variant_by: sku, quantity: Counted, location: Location, location_by: name}\n")
        _ = scratch.file("stock.csv", "variant_id,location_id,quantity_delta\n1001,WH-MAIN,5\n")
        _ = scratch.file("export.csv", "SKU,Location,Counted,Extra column\nTENT-2P,Main warehouse,3,ignored\n")
        let root = Binary.packageRoot.path
        let pipeline = scratch.file("count.yaml", """
            tenant: acme
            org: acme
            user: alice
            mappings: {shop: shop.yaml}
            stages:
              - catalog: [\(root)/fixtures/catalog/*.csv]
              - import: {format: synq, files: [stock.csv]}
              - count: {type: SPOT, name: Shelf, location: WH-MAIN, sheets: [export.csv], mapping: shop, complete: {apply: true}}

            """)
        let result = try Binary.run(["run", pipeline, "--db", scratch.database])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(try scratch.query("SELECT on_hand FROM balances WHERE variant_id = '1001'") == "3")
        #expect(try scratch.query("SELECT count(*) FROM movements WHERE transaction_type = 'count'") == "1")
    }
}
