import Foundation
import TestSupport
import Testing

/// Stocktakes and reports from the command line, as a manager and counters use them.
@Suite struct CountCommandTests {
    /// The stocktake fixtures by hand: opening stock, the aisle's sheet, a delivery while
    /// counting, the back room's XLSX sheet, completion with --apply. The count is count 1.
    func countedStocktake(_ scratch: Scratch) throws {
        let db = ["--db", scratch.database]
        let steps: [[String]] = [
            ["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog,
            ["import", "--tenant", "acme", "--org", "acme", "--format", "synq", "fixtures/counts/opening-stock.csv"],
            ["count", "start", "--tenant", "acme", "--org", "acme", "--type", "FULL", "--name", "Year end <b>2026</b>", "--user", "alice"],
            ["count", "add", "1", "--tenant", "acme", "--user", "bob", "fixtures/counts/year-end-aisle.csv"],
            ["import", "--tenant", "acme", "--org", "acme", "--format", "synq", "fixtures/counts/delivery-during-count.csv"],
            ["count", "add", "1", "--tenant", "acme", "--user", "bob", "fixtures/counts/year-end-back-room.xlsx"],
            ["count", "complete", "1", "--tenant", "acme", "--apply", "--review-over", "50.00", "--user", "alice"],
        ]
        for step in steps {
            let result = try Binary.run(step + db)
            #expect(result.status == 0, "\(step.joined(separator: " ")): \(result.stderr)")
        }
    }


    /// The same reports on both backends (PostgreSQL sums the summary on the server).
    @Test(arguments: ["md", "csv", "json", "html"], Backend.available)
    func reportsMatchTheirGoldenFiles(format: String, backend: Backend) throws {
        let scratch = Scratch(backend)
        try countedStocktake(scratch)
        let variance = try Binary.run(["report", "variance", "1", "--tenant", "acme", "--format", format, "--db", scratch.database])
        #expect(variance.status == 0, "\(variance.stderr)")
        expectGolden(withoutTimes(variance.stdout), "variance.\(format)")
        let summary = try Binary.run(["report", "summary", "--tenant", "acme", "--format", format, "--db", scratch.database])
        #expect(summary.status == 0, "\(summary.stderr)")
        expectGolden(withoutTimes(summary.stdout), "summary.\(format)")
    }

    /// A sku holding control characters, OOXML's own `_x000B_` and a line break (issue 26):
    /// the blind sheet stockrecon writes, XLSX or CSV, is one it reads back, its item found.
    @Test(arguments: ["xlsx", "csv"])
    func aBlindSheetOfOddTextsReadsBack(format: String) throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "t"]
        var variants = try String(contentsOfFile: "fixtures/catalog/variants.csv", encoding: .utf8)
        variants += "9001,P-X,acme,\"CTRL\u{0B}\u{01}_x000B_\r\nSKU\",9001,1.00,false,Odd,\n"
        let catalog = ["orgs.csv", "locations.csv", "users.csv"].map { "fixtures/catalog/\($0)" } + [scratch.file("variants.csv", variants)]
        #expect(try Binary.run(["catalog", "import"] + catalog + db).status == 0)
        let stock = scratch.file("stock.csv", "variant_id,location_id,quantity_delta\n9001,WH-MAIN,3\n")
        #expect(try Binary.run(["import", "--org", "acme", "--format", "synq", "--user", "bob", stock] + db).status == 0)
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "SPOT", "--location", "WH-MAIN", "--name", "c", "--user", "alice"] + db).status == 0)
        let sheet = scratch.url.appendingPathComponent("blind.\(format)").path
        #expect(try Binary.run(["count", "sheet", "1", "-o", sheet] + db).status == 0)
        let added = try Binary.run(["count", "add", "1", "--user", "bob", "--json", sheet] + db)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stdout.contains(#""rejected":0"#) && !added.stdout.contains("unreadable"), "\(added.stdout)")
    }

    @Test func reportsAreSafeFromTheTextTheyShow() throws {
        let scratch = Scratch()
        try countedStocktake(scratch)
        // Flagged over the threshold the count was completed with (50.00), unless told otherwise.
        let csv = try Binary.run(["report", "variance", "1", "--tenant", "acme", "--format", "csv", "--db", scratch.database]).stdout
        let lenient = try Binary.run(["report", "variance", "1", "--tenant", "acme", "--format", "csv", "--review-over", "100", "--db", scratch.database]).stdout
        #expect(lenient.contains(",-89.90,missing,,"))
        #expect(csv.contains(",'=1+1\r\n"))         // a note that is a formula is neutralised
        #expect(csv.contains(",-89.90,missing,yes,"))  // numbers stay numbers, negative ones too
        let html = try Binary.run(["report", "variance", "1", "--tenant", "acme", "--format", "html", "--db", scratch.database]).stdout
        #expect(!html.contains("<script"))
        #expect(!html.contains("<img"))
        #expect(!html.contains("<b>2026"))
        #expect(html.contains("&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"))
        #expect(html.contains("Content-Security-Policy"))
        #expect(html.components(separatedBy: "<rect").count - 1 == 3)  // three lines have a variance
        let markdown = try Binary.run(["report", "variance", "1", "--tenant", "acme", "--db", scratch.database]).stdout
        #expect(!markdown.contains("<script"))
        let json = try #require(JSONSerialization.jsonObject(with: Data(
            try Binary.run(["report", "variance", "1", "--tenant", "acme", "--json", "--db", scratch.database]).stdout.utf8)) as? [String: Any])
        #expect(json["net_variance_minor"] as? Int == -12_690)
        #expect(json["missing_value_minor"] as? Int == -13_890)
        #expect(json["excess_value_minor"] as? Int == 1_200)
    }

    @Test func refusalsExit64AndChangeNothing() throws {
        let scratch = Scratch()
        try countedStocktake(scratch)
        let db = ["--db", scratch.database]
        let staff = try Binary.run(["count", "start", "--tenant", "acme", "--org", "acme", "--type", "SPOT", "--name", "x", "--user", "bob"] + db)
        #expect(staff.status == 64)
        #expect(staff.stderr.contains("only a manager may start a count"))
        let finished = try Binary.run(["count", "add", "1", "--tenant", "acme", "--user", "bob", "fixtures/counts/year-end-aisle.csv"] + db)
        #expect(finished.status == 64)
        #expect(finished.stderr.contains("count 1 is completed"))
        #expect(try Binary.run(["count", "complete", "1", "--tenant", "acme", "--user", "alice"] + db).status == 64)
        #expect(try Binary.run(["count", "show", "9", "--tenant", "acme"] + db).status == 64)
        #expect(try scratch.query("SELECT count(*) FROM count_sessions") == "1")
        let open = try Binary.run(["count", "start", "--tenant", "acme", "--org", "acme", "--type", "cycle", "--name", "Shop", "--location", "STORE-1", "--user", "alice", "--json"] + db)
        #expect(open.stdout == #"{"count_id":2}"# + "\n")
        let overlapping = try Binary.run(["count", "start", "--tenant", "acme", "--org", "acme", "--type", "SPOT", "--name", "All", "--user", "alice"] + db)
        #expect(overlapping.status == 64)
        #expect(overlapping.stderr.contains("count 2 (\"Shop\", location STORE-1) is in progress"))
    }

    @Test func outputThatCannotBeWrittenAndSheetsThatCannotBeReadAreFatal() throws {
        let scratch = Scratch()
        try countedStocktake(scratch)
        let db = ["--db", scratch.database]
        let report = try Binary.run(["report", "variance", "1", "--tenant", "acme", "-o", "/nonexistent/folder/v.html"] + db)
        #expect(report.status == 2)
        #expect(report.stderr.contains("cannot write /nonexistent/folder/v.html: No such file or directory"))
        #expect(try Binary.run(["count", "sheet", "1", "--tenant", "acme", "-o", "/nonexistent/folder/s.xlsx"] + db).status == 2)
        #expect(try Binary.run(["count", "start", "--tenant", "acme", "--org", "acme", "--type", "SPOT", "--name", "x", "--user", "alice"] + db).status == 0)
        let damaged = scratch.file("sheet.xlsx", "not a workbook")
        let added = try Binary.run(["count", "add", "2", "--tenant", "acme", "--user", "bob", damaged] + db)
        #expect(added.status == 2)
        #expect(added.stderr.contains("not an XLSX workbook"))
        #expect(try scratch.query("SELECT count(*) FROM count_lines WHERE count = 2") == "0")
    }

    @Test func theBlindSheetListsTheScopeWithoutQuantitiesAndComesBackAsCounts() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database]
        try countedStocktake(scratch)
        #expect(try Binary.run(["count", "start", "--tenant", "acme", "--org", "acme", "--type", "CYCLE", "--name", "Main", "--location", "WH-MAIN", "--user", "alice"] + db).status == 0)
        let csvPath = scratch.url.appendingPathComponent("sheet.csv").path
        #expect(try Binary.run(["count", "sheet", "2", "--tenant", "acme", "-o", csvPath] + db).status == 0)
        let sheet = try String(contentsOfFile: csvPath, encoding: .utf8)
        #expect(sheet.hasPrefix("variant_id,sku,barcode,location_id,batch,counted_quantity,reason,notes\r\n"))
        #expect(sheet.contains("1001,TENT-2P,4006381333931,WH-MAIN,,,,\r\n"))
        #expect(!sheet.contains("2001"))  // another org's variant
        #expect(sheet.components(separatedBy: "\r\n").count - 2 == 4)  // acme's four variants at WH-MAIN
        // Nothing tells the counter what the books say: no quantity column has a value.
        #expect(sheet.split(separator: "\r\n").dropFirst().allSatisfy { $0.hasSuffix(",,,,") })
        let xlsxPath = scratch.url.appendingPathComponent("sheet.xlsx").path
        #expect(try Binary.run(["count", "sheet", "2", "--tenant", "acme", "-o", xlsxPath] + db).status == 0)
        // Handed back as it is, nothing was counted.
        let blank = try Binary.run(["count", "add", "2", "--tenant", "acme", "--user", "bob", xlsxPath, "--json"] + db)
        #expect(blank.status == 0, "\(blank.stderr)")
        #expect(blank.stdout.contains(#""rows":4,"posted":0,"pending":0,"rejected":0,"unchanged":4"#))
    }

    @Test func theStocktakePipelineRunsAndRunsAgainAsDuplicates() throws {
        let scratch = Scratch()
        let dry = try Binary.run(["run", "pipelines/stocktake.yaml", "--dry-run", "--json", "--db", scratch.database])
        #expect(dry.status == 0, "\(dry.stderr)")
        #expect(try scratch.query("SELECT count(*) FROM count_sessions") == "0")
        let first = try Binary.run(["run", "pipelines/stocktake.yaml", "--json", "--db", scratch.database])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains(#""rows":12,"posted":10,"pending":0,"rejected":0,"unchanged":2,"duplicate":0"#), "\(first.stdout)")
        #expect(dry.stdout.contains(#""rows":12,"posted":10,"pending":0,"rejected":0,"unchanged":2,"duplicate":0"#), "\(dry.stdout)")
        #expect(try scratch.query("SELECT status, net_variance_minor FROM stock_counts") == "COMPLETED|-12690")
        let again = try Binary.run(["run", "pipelines/stocktake.yaml", "--json", "--db", scratch.database])
        #expect(again.stdout.contains(#""rows":12,"posted":0,"pending":0,"rejected":0,"unchanged":0,"duplicate":12"#), "\(again.stdout)")
        #expect(try scratch.query("SELECT count(*) FROM count_sessions") == "1")
        #expect(try scratch.query("SELECT count(*) FROM movements WHERE transaction_type = 'count'") == "3")
        let report = try String(contentsOfFile: Binary.packageRoot.appendingPathComponent("reports/variance.html").path, encoding: .utf8)
        #expect(report.contains("-126.90"))
    }

    /// SPEC section 9 in a real browser: CI installs chromium, so there this runs.
    @Test func htmlReportsRenderInARealBrowserWithoutRunningScriptsFromTheData() throws {
        let browsers = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        guard browsers.contains(where: FileManager.default.isExecutableFile(atPath:)) else {
            print("skipped: no chromium here (scripts/setup.sh --browser installs it); CI runs this check")
            return
        }
        let scratch = Scratch()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = ["scripts/check-html-reports.sh", scratch.url.path]
        process.currentDirectoryURL = Binary.packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(["STOCKRECON_BIN": Binary.url.path]) { $1 }
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        if process.terminationStatus == 3 {
            print("skipped: chromium is installed but cannot render a page on this machine (see the script's output)")
            return
        }
        #expect(process.terminationStatus == 0, "\(text)")
        #expect(text.components(separatedBy: "ok: ").count - 1 == 2, "\(text)")
        #expect(FileManager.default.fileExists(atPath: scratch.url.appendingPathComponent("variance.png").path))
    }
}
