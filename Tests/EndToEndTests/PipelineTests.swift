import Foundation
import TestSupport
import Testing

/// `stockrecon run`, `runs` and `rejections` as cron and a person in the morning use them.
@Suite struct PipelineTests {
    static let bundled = ["pipelines/nightly.yaml", "pipelines/marketplace.yaml", "pipelines/spreadsheet.yaml"]

    func json(_ text: String) throws -> [String: Any] {
        try #require(JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }

    static let countKeys = ["rows", "posted", "pending", "rejected", "unchanged", "duplicate"]

    func counts(_ object: [String: Any]) -> [Int] { Self.countKeys.map { object[$0] as? Int ?? -1 } }

    /// Each bundled pipeline runs end to end: a dry run writes nothing and counts what the
    /// real run then counts; running again posts nothing twice.
    @Test(arguments: bundled, Backend.available)
    func runsEndToEnd(pipeline: String, backend: Backend) throws {
        let scratch = Scratch(backend)
        let dry = try Binary.run(["run", pipeline, "--dry-run", "--json", "--db", scratch.database])
        #expect(dry.status == 1, "\(dry.stderr)")
        #expect(try scratch.query("SELECT count(*) FROM run_log") == "0")
        #expect(try scratch.query("SELECT count(*) FROM ledger") == "0")
        #expect(try scratch.query("SELECT count(*) FROM catalog_variants") == "0")
        if backend == .sqlite {  // the first load's indexes, dropped and built again in the dry run, are back as they were
            #expect(try scratch.query("SELECT count(*) FROM sqlite_master WHERE tbl_name = 'catalog_variants' AND type = 'index'") == "5")
        }
        let real = try Binary.run(["run", pipeline, "--json", "--db", scratch.database])
        #expect(real.status == 1, "\(real.stderr)")
        let (dryReport, realReport) = (try json(dry.stdout), try json(real.stdout))
        #expect(counts(dryReport) == counts(realReport))
        let dryStages = try #require(dryReport["stages"] as? [[String: Any]])
        let realStages = try #require(realReport["stages"] as? [[String: Any]])
        #expect(dryStages.map(counts) == realStages.map(counts))
        #expect(realStages.count >= 2)
        #expect((realReport["posted"] as? Int ?? 0) > 0)
        #expect(realReport["exit_status"] as? Int == 1)
        let balances = try scratch.query("SELECT variant, location, on_hand FROM stock_levels ORDER BY 1, 2")
        let movements = try scratch.query("SELECT count(*) FROM ledger")

        let again = try json(try Binary.run(["run", pipeline, "--json", "--db", scratch.database]).stdout)
        #expect(again["posted"] as? Int == 0)
        #expect(again["pending"] as? Int == 0)
        let handled = ["posted", "pending", "unchanged", "duplicate"].map { realReport[$0] as? Int ?? 0 }.reduce(0, +)
        #expect(again["duplicate"] as? Int == handled)
        #expect(try scratch.query("SELECT variant, location, on_hand FROM stock_levels ORDER BY 1, 2") == balances)
        #expect(try scratch.query("SELECT count(*) FROM ledger") == movements)
    }

    /// What the README shows: one line per stage, one in total, and where to look next.
    @Test func printsOneLinePerStageForCronMail() throws {
        let scratch = Scratch()
        let result = try Binary.run(["run", "pipelines/nightly.yaml", "--db", scratch.database])
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.filter { $0.hasPrefix("catalog: run 1: 13 rows: 13 loaded") }.count == 1)
        #expect(lines.contains { $0.hasPrefix("import --format synq: run 2: 10 rows: 2 posted, 2 pending, 6 rejected") })
        #expect(lines.last == "total: 28 rows: 10 posted, 5 pending, 13 rejected, 0 unchanged, 0 duplicate (rejected rows: stockrecon rejections --tenant demo --run last)")
    }

    /// `runs` names each stage's pipeline; `rejections --run last` lists the whole pipeline
    /// run's rejections, in text, CSV and JSON; `--run N` one run's.
    @Test func listsRunsAndTheLastPipelinesRejections() throws {
        let scratch = Scratch()
        let report = try json(try Binary.run(["run", "pipelines/nightly.yaml", "--json", "--db", scratch.database]).stdout)
        let runs = try Binary.run(["runs", "--tenant", "demo", "--db", scratch.database, "--limit", "3", "--json"])
        let listed = try #require(try json(runs.stdout)["runs"] as? [[String: Any]])
        #expect(listed.count == 3)
        #expect(listed.first?["command"] as? String == "run pipelines/nightly.yaml: import --mapping pos")
        #expect(listed.first?["finished_at"] is String)

        let csv = try Binary.run(["rejections", "--tenant", "demo", "--db", scratch.database, "--run", "last", "--format", "csv"])
        #expect(csv.status == 0)
        #expect(csv.stdout.hasPrefix("id,run_id,source_file,source_line,field,type,msg,input,ctx\n"))
        let last = try json(try Binary.run(["rejections", "--tenant", "demo", "--db", scratch.database, "--json"]).stdout)
        let all = try #require(last["rejections"] as? [[String: Any]])
        // One rejection per problem: a row with two problems has two.
        let rowsRejected = Set(all.map { "\($0["source_file"] ?? ""):\($0["source_line"] ?? "")" })
        #expect(rowsRejected.count == report["rejected"] as? Int)
        #expect(Set(all.compactMap { $0["run_id"] as? Int }) == [2, 3, 4, 5, 6])
        let byRun = try json(try Binary.run(["rejections", "--tenant", "demo", "--db", scratch.database, "--run", "2", "--json"]).stdout)
        #expect((byRun["rejections"] as? [Any])?.count == 6)
        let text = try Binary.run(["rejections", "--tenant", "demo", "--db", scratch.database])
        #expect(text.stdout.contains("cross_brand"))
        // Another tenant sees none of it.
        let other = try Binary.run(["rejections", "--tenant", "other", "--db", scratch.database, "--run", "2"])
        #expect(other.status == 64)
        #expect(other.stderr.contains("tenant other has no run"))
    }

    /// The pipeline's rules apply to every import stage, whatever its format.
    @Test func rulesTakeEffectInEveryFormat() throws {
        let scratch = Scratch()
        let fixtures = Binary.packageRoot.appendingPathComponent("fixtures").path
        let pipeline = scratch.file("strict.yaml", """
            tenant: demo
            org: acme
            rules:
              approval: {max_units: 0}
              require_reason: true
            stages:
              - catalog: ["\(fixtures)/catalog/*.csv"]
              - import: {format: synq, files: ["\(fixtures)/imports/nightly-synq.csv"]}
              - import: {format: dayzero, files: ["\(fixtures)/imports/nightly-dayzero.json"]}
              - import: {format: canonical, files: ["\(fixtures)/imports/canonical.csv"]}
              - import: {format: stock-adjustments, files: ["\(fixtures)/imports/stock-adjustments.csv"]}
              - import: {format: haravan, files: ["\(fixtures)/imports/haravan-listing.json"]}
            """)
        let result = try Binary.run(["run", pipeline, "--json", "--db", scratch.database])
        let stages = try #require(try json(result.stdout)["stages"] as? [[String: Any]])
        // max_units 0: no valid change posts without a manager, in any format.
        for stage in stages.dropFirst() { #expect(stage["posted"] as? Int == 0, "\(stage)") }
        #expect(try scratch.query("SELECT count(*) FROM ledger") == "0")
        // require_reason: synq rows carry no reason, so none of them is held.
        #expect(try scratch.query("SELECT count(*) FROM rejections WHERE type = 'reason_required' AND source_file LIKE '%nightly-synq.csv'") != "0")
        #expect(try scratch.query("SELECT count(DISTINCT run) FROM approval_requests") == "4")
    }

    /// A broken pipeline is refused whole, with every mistake located, and nothing is written.
    @Test func refusesABrokenPipelineBeforeAnything() throws {
        let scratch = Scratch()
        let pipeline = scratch.file("broken.yaml", "tenant: demo\norg: acme\nstages:\n  - catalog: [nothing/*.csv]\n  - import: {format: synk, files: [x.csv]}\n")
        let result = try Binary.run(["run", pipeline, "--db", scratch.database])
        #expect(result.status == 64)
        #expect(result.stderr.contains("broken.yaml:4:15: error: nothing/*.csv matches no file"))
        #expect(result.stderr.contains("broken.yaml:5:22: error: synk is not one of"))
        #expect(!FileManager.default.fileExists(atPath: scratch.database))
    }

    /// A stage that fails fatally stops the pipeline with exit 2; the stages after it do not run.
    @Test func aFatalStageStopsThePipeline() throws {
        let scratch = Scratch()
        let fixtures = Binary.packageRoot.appendingPathComponent("fixtures").path
        let pipeline = scratch.file("stops.yaml", """
            tenant: demo
            org: nowhere
            stages:
              - catalog: ["\(fixtures)/catalog/*.csv"]
              - import: {format: synq, files: ["\(fixtures)/imports/nightly-synq.csv"]}
              - import: {format: canonical, files: ["\(fixtures)/imports/canonical.csv"]}
            """)
        let result = try Binary.run(["run", pipeline, "--json", "--db", scratch.database])
        #expect(result.status == 2)
        let report = try json(result.stdout)
        #expect((report["stages"] as? [Any])?.count == 2)
        #expect((report["error"] as? String)?.contains("org nowhere is not in tenant demo's catalog") == true)
        #expect(try scratch.query("SELECT count(*) FROM catalog_variants") != "0")
    }

    /// Which database: --db, else the file's `database:`, else $STOCKRECON_DB.
    @Test func choosesTheDatabaseAsTheSpecSays() throws {
        let scratch = Scratch()
        let fixtures = Binary.packageRoot.appendingPathComponent("fixtures").path
        let named = scratch.file("named.yaml", "tenant: demo\norg: acme\ndatabase: from-file.sqlite\nstages:\n  - catalog: [\"\(fixtures)/catalog/orgs.csv\"]\n")
        let unnamed = scratch.file("unnamed.yaml", "tenant: demo\norg: acme\nstages:\n  - catalog: [\"\(fixtures)/catalog/orgs.csv\"]\n")
        let fromEnvironment = scratch.url.appendingPathComponent("from-env.sqlite").path
        let fromFile = scratch.url.appendingPathComponent("from-file.sqlite").path
        #expect(try Binary.run(["run", named, "--db", scratch.database]).status == 0)
        #expect(FileManager.default.fileExists(atPath: scratch.database) && !FileManager.default.fileExists(atPath: fromFile))
        #expect(try Binary.run(["run", named], environment: ["STOCKRECON_DB": fromEnvironment]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromFile) && !FileManager.default.fileExists(atPath: fromEnvironment))
        #expect(try Binary.run(["run", unnamed], environment: ["STOCKRECON_DB": fromEnvironment]).status == 0)
        #expect(FileManager.default.fileExists(atPath: fromEnvironment))
    }

    /// A database of schema v18 (made by that build: Tests/Fixtures) keeps working with
    /// today's stockrecon: the pipelines it ran run again as duplicates, and nothing posts twice.
    @Test func aDatabaseMadeByAnEarlierBuildRunsItsPipelinesAgainAsDuplicates() throws {
        let folder = TemporaryDirectory()
        let copy = folder.path("legacy.sqlite")
        try FileManager.default.copyItem(
            atPath: Binary.packageRoot.appendingPathComponent("Tests/Fixtures/schema-v18.sqlite").path, toPath: copy)
        for pipeline in ["pipelines/nightly.yaml", "pipelines/receiving.yaml"] {
            let again = try json(try Binary.run(["run", pipeline, "--json", "--db", copy]).stdout)
            #expect(again["posted"] as? Int == 0, "\(pipeline)")
            #expect(again["pending"] as? Int == 0, "\(pipeline)")
            #expect((again["duplicate"] as? Int ?? 0) > 0, "\(pipeline)")
        }
        let balance = try Binary.run(["balance", "--tenant", "demo", "--db", copy, "--format", "csv"])
        #expect(balance.status == 0 && balance.stdout.split(separator: "\n").count > 2, "\(balance.stderr)")
    }
}
