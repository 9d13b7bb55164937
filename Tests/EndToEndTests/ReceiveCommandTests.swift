import Foundation
import TestSupport
import Testing

/// `stockrecon receive` and `report receipts` as a warehouse uses them.
@Suite struct ReceiveCommandTests {

    @Test func theReceivingPipelineRunsAndRunsAgainAsDuplicates() throws {
        let scratch = Scratch()
        let dry = try Binary.run(["run", "pipelines/receiving.yaml", "--dry-run", "--json", "--db", scratch.database])
        #expect(dry.status == 1, "\(dry.stderr)")
        #expect(try scratch.query("SELECT count(*) FROM order_lines") == "0")
        let first = try Binary.run(["run", "pipelines/receiving.yaml", "--json", "--db", scratch.database])
        #expect(first.status == 1, "\(first.stderr)")
        let totals = #""rows":8,"posted":6,"pending":1,"rejected":1,"unchanged":0,"duplicate":0"#
        #expect(first.stdout.contains(totals), "\(first.stdout)")
        #expect(dry.stdout.contains(totals), "\(dry.stdout)")
        let received = "SELECT group_concat(po_number || ':' || variant_id || '@' || location_id || '=' || quantity_received, ' ') FROM (SELECT * FROM purchase_orders ORDER BY 1, 2, 3, 4)"
        let before = try scratch.query(received)
        #expect(before == "PO-7781:1001@WH-MAIN=10 PO-7781:1002@WH-MAIN=21 PO-7781:1003@STORE-1=5 PO-7790:1002@WH-BACK=6 PO-7790:1004@WH-MAIN=0")
        let again = try Binary.run(["run", "pipelines/receiving.yaml", "--json", "--db", scratch.database])
        #expect(again.stdout.contains(#""rows":8,"posted":0,"pending":0,"rejected":1,"unchanged":0,"duplicate":7"#), "\(again.stdout)")
        #expect(try scratch.query(received) == before)
        #expect(try scratch.query("SELECT count(*) FROM approvals WHERE status = 'PENDING'") == "1")
    }

    @Test(arguments: ["md", "csv", "json", "html"], Backend.available)
    func theReceiptsReportMatchesItsGoldenFile(format: String, backend: Backend) throws {
        let scratch = Scratch(backend)
        _ = try Binary.run(["run", "pipelines/receiving.yaml", "--db", scratch.database])
        let report = try Binary.run(["report", "receipts", "--tenant", "acme", "--format", format, "--db", scratch.database])
        #expect(report.status == 0, "\(report.stderr)")
        expectGolden(withoutTimes(report.stdout), "receipts.\(format)")
        let one = try Binary.run(["report", "receipts", "--tenant", "acme", "--po", "PO-7790", "--format", "csv", "--db", scratch.database])
        #expect(!one.stdout.contains("PO-7781"))
        #expect(one.stdout.contains("PO-7790,1004,TENT-4P,Trail tent – 4-person,WH-MAIN,4,0,0,4,149.00,unreceived"))
    }

    @Test func receiveFromTheCommandLineWithJSONAndRefusals() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database]
        #expect(try Binary.run(["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog + db).status == 0)
        let result = try Binary.run([
            "receive", "--tenant", "acme", "--org", "acme", "--purchase-orders", "fixtures/receiving/po-2026-11.csv",
            "--over-receipt-tolerance", "10%", "--user", "bob", "--json", "fixtures/receiving/receipts-2026-11-20.csv",
        ] + db)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains(#""rows":5,"posted":4,"pending":0,"rejected":1"#), "\(result.stdout)")
        #expect(result.stdout.contains(#""purchase_orders":{"run_id":2,"rows":5,"loaded":5,"rejected":0}"#), "\(result.stdout)")
        let bad = try Binary.run(["receive", "--tenant", "acme", "--org", "acme", "--over-receipt-tolerance", "ten", "x.csv"] + db)
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("must be a percentage"))
        #expect(try Binary.run(["runs", "--tenant", "acme"] + db).stdout.contains("receive --purchase-orders"))
    }

    /// A supplier's purchase orders in its own layout (`;`, decimal comma, thousands, €, warehouses
    /// by name) load through a mapping, from the command line and from a pipeline, the same
    /// order lines as the file in stockrecon's own columns; a row naming no known warehouse is
    /// rejected at its line and field.
    @Test(arguments: Backend.available) func purchaseOrdersReadThroughAMapping(_ backend: Backend) throws {
        let orders = "fixtures/receiving/mapped/bestellungen-2026-11.csv"
        let mapping = "pipelines/mappings/supplier-orders.yaml"
        let lines = "SELECT po_number || ' ' || variant_id || ' ' || location_id || ' ' || quantity_ordered || ' ' || unit_cost_minor "
            + "FROM purchase_orders ORDER BY po_number, variant_id, location_id"
        let canonical = Scratch(backend)
        #expect(try Binary.run(["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog + ["--db", canonical.database]).status == 0)
        #expect(try Binary.run([
            "receive", "--tenant", "acme", "--org", "acme", "--purchase-orders", "fixtures/receiving/po-2026-11.csv", "--db", canonical.database,
        ]).status == 0)

        let scratch = Scratch(backend)
        let db = ["--db", scratch.database]
        #expect(try Binary.run(["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog + db).status == 0)
        let result = try Binary.run([
            "receive", "--tenant", "acme", "--org", "acme", "--purchase-orders", orders, "--orders-mapping", mapping, "--json",
        ] + db)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.contains(#""rows":7,"loaded":6,"rejected":1"#), "\(result.stdout)")
        let rejected = try scratch.query("SELECT source_line || ' ' || field || ' ' || type || ' ' || input FROM rejections WHERE run_id = 2")
        #expect(rejected == "8 location unknown_location Nowhere")
        let loaded = try scratch.query(lines).split(separator: "\n")
        let expected = try canonical.query(lines).split(separator: "\n")
        #expect(Array(loaded.filter { !$0.hasPrefix("PO-7792") }) == expected)
        #expect(loaded.contains("PO-7792 1002 WH-BACK 1200 102450"))
        let missing = try Binary.run(["receive", "--tenant", "acme", "--org", "acme", "--orders-mapping", mapping, "x.csv"] + db)
        #expect(missing.status == 64 && missing.stderr.contains("--orders-mapping reads --purchase-orders"))

        let pipelined = Scratch(backend)
        let root = FileManager.default.currentDirectoryPath
        let pipeline = pipelined.file("orders.yaml", """
            tenant: acme
            org: acme
            user: bob
            mappings:
              supplier: \(root)/\(mapping)
            stages:
              - catalog: [\(root)/fixtures/catalog/*.csv]
              - receive: {purchase_orders: [\(root)/\(orders)], orders_mapping: supplier}
            """)
        let run = try Binary.run(["run", pipeline, "--db", pipelined.database])
        #expect(run.status == 1, "\(run.stdout)\(run.stderr)")
        let viaPipeline = try pipelined.query(lines)
        #expect(try viaPipeline == scratch.query(lines))
    }

    /// A receive killed at any point leaves whole files: rerun, the order lines and the ledger
    /// are those of one clean run.
    @Test func aKilledReceiveLeavesWholeFiles() throws {
        let clean = Scratch()
        var orders = "po_number,variant_id,location_id,quantity_ordered,unit_cost\n"
        for index in 0..<200 { orders += "PO-\(index),\(["1001", "1002"][index % 2]),WH-MAIN,1000000,1.00\n" }
        let orderFile = clean.file("po.csv", orders)
        var receipts: [String] = []
        for file in 0..<2 {
            var text = "po_number,variant_id,location_id,quantity_received,unit_cost\n"
            for row in 0..<60_000 { text += "PO-\(row % 200),\(["1001", "1002"][row % 2]),WH-MAIN,\(row % 7 + 1),1.00\n" }
            receipts.append(clean.file("r\(file).csv", text))
        }
        let arguments = ["receive", "--tenant", "acme", "--org", "acme", "--user", "alice"] + receipts
        let fingerprint = "SELECT (SELECT sum(quantity_received) || '/' || count(*) FROM order_lines), (SELECT count(*) || '/' || sum(quantity_delta) FROM movements), (SELECT count(*) FROM receipt_lines)"
        func prepare(_ scratch: Scratch) throws {
            #expect(try Binary.run(["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog + ["--db", scratch.database]).status == 0)
            #expect(try Binary.run(["receive", "--tenant", "acme", "--org", "acme", "--purchase-orders", orderFile, "--db", scratch.database]).status == 0)
        }
        try prepare(clean)
        let started = Date()
        #expect(try Binary.run(arguments + ["--db", clean.database]).status == 0)
        guard let killed = try killedRun(arguments, after: Date().timeIntervalSince(started) * 0.5, prepare: prepare) else {
            Issue.record("every receive finished before it could be killed: nothing was tested")
            return
        }
        #expect(["0", "60000", "120000"].contains(try killed.query("SELECT count(*) FROM receipt_lines")))
        #expect(try Binary.run(arguments + ["--db", killed.database]).status == 0)
        #expect(try killed.query(fingerprint) == clean.query(fingerprint))
    }
}
