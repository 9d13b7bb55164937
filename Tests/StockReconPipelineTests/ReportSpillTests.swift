import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// A variance report of a million lines is written, never held: its lines past the first
/// ones go to a file as they are read, and the chart keeps only its bars (issue 29).
@Suite struct ReportSpillTests {
    /// Lines spilled after the first are written, in every format, as the same lines held:
    /// text that each format escapes, empty cells, money below zero, flags, and a second table
    /// (movements absorbed), which makes the CSV one of sections.
    @Test(arguments: Backend.available) func aReportsSpilledLinesAreWrittenAsHeldOnes(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let posted = "variant_id,location_id,quantity_delta,occurred_at\n1001,WH,20,2026-08-01T09:00:00Z\n1002,WH,5,2026-08-01T09:00:00Z\n1002,SHOP,3,2026-08-01T09:00:00Z\n"
        #expect(try fixture.importing([fixture.file("opening.csv", posted)]).counts.posted == 3)
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .full, name: "All | <b>", locationID: nil, notes: nil, userID: "alice",
            countedAt: "2026-08-15T00:00:00Z"))
        let sheet = """
            variant_id,location_id,counted_quantity,reason,notes
            1001,WH,18,damaged,"a|b <c> & ""d"" *e* =1+1"
            1002,WH,5,,
            1002,SHOP,1,lost,"two
            lines"

            """
        _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [fixture.file("sheet.csv", sheet)])
        _ = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        let late = "variant_id,location_id,quantity_delta,occurred_at\n1001,WH,6,2026-08-11T09:00:00Z\n"
        #expect(try fixture.importing([fixture.file("late.csv", late)]).counts.posted == 1)

        func document(holding limit: Int) throws -> ReportDocument {
            try fixture.store.read { db in
                let session = try Store.countSession(count, tenantID: "t1", in: db)
                return try VarianceReport.document(
                    session, rules: CountRules(reviewOverValueMinor: 1_000), absorbed: try Store.absorbedMovements(count: count, in: db), holding: limit
                ) { each in try Store.forEachCountItem(session, in: db, each) }
            }
        }
        let held = try document(holding: .max)
        let spilled = try document(holding: 1)
        #expect(held.tables.map(\.key) == ["lines", "absorbed"])
        #expect(held.tables[0].rows.count == 3 && held.tables[0].spilled == nil)
        #expect(spilled.tables[0].rows.count == 1 && spilled.tables[0].spilled?.count == 2)
        for format in ReportFormat.allCases {
            let text = try spilled.rendered(as: format)
            #expect(text == (try held.rendered(as: format)), "\(format)")
            #expect(text.contains("SHOP"), "\(format): the last line, spilled, is written")
        }
        // Holding none, the first line is held all the same: each format's head is written from it.
        let none = try document(holding: 0)
        #expect(none.tables[0].rows.count == 1)
        for format in ReportFormat.allCases { #expect(try none.rendered(as: format) == (try held.rendered(as: format)), "\(format)") }
        // A second writing reads the spilled lines again, from their start.
        #expect(try spilled.rendered(as: .csv) == (try held.rendered(as: .csv)))
    }

    /// The receipts report reads its order lines and receipts to look at once each (a tenant's
    /// order lines grow with every order): both tables spilled after their first row are
    /// written as held, and its figures, counted as the lines go by, are those of the lines.
    @Test(arguments: Backend.available) func aReceiptsReportsSpilledLinesAreWrittenAsHeldOnes(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let orders = """
            po_number,variant,location_id,quantity_ordered,unit_cost
            PO-1,TENT,WH,10,10.00
            PO-1,400,SHOP,5,10.00
            PO-2,1001,WH,3,10.00
            "PO-3 | <b>",1001,SHOP,2,9.00

            """
        let receipts = """
            po_number,variant_id,location_id,quantity_received,unit_cost
            PO-1,1001,WH,4,10.00
            PO-1,1001,SHOP,5,12.50
            PO-2,1001,WH,3,10.00
            PO-9,1001,WH,7,10.00
            PO-1,1001,WH,1,8.00

            """
        let report = try Receiving(store: fixture.store).run(ReceiveRequest(
            tenantID: "t1", orgID: "acme", userID: "bob", purchaseOrders: [fixture.file("po.csv", orders)],
            files: [fixture.file("r.csv", receipts)], receiving: ReceivingPolicy(overReceiptToleranceBasisPoints: 0, priceVarianceToleranceBasisPoints: 0)))
        #expect(report.receipts.counts == OutcomeCounts(rows: 5, posted: 5))

        func document(holding limit: Int) throws -> ReportDocument {
            try fixture.store.read { db in
                try ReceiptsReport.document(
                    tenantID: "t1", po: nil, holding: limit,
                    lines: { try Store.forEachReceiptReportLine(tenantID: "t1", po: nil, in: db, $0) },
                    exceptions: { try Store.forEachReceiptException(tenantID: "t1", po: nil, in: db, $0) })
            }
        }
        let held = try document(holding: .max)
        let spilled = try document(holding: 1)
        #expect(held.tables.map(\.key) == ["lines", "exceptions"])
        #expect(held.tables.map { $0.rows.count } == [5, 3] && held.tables.allSatisfy { $0.spilled == nil })
        #expect(spilled.tables.map { $0.rows.count } == [1, 1] && spilled.tables.map { $0.spilled?.count } == [4, 2])
        for format in ReportFormat.allCases {
            let text = try spilled.rendered(as: format)
            #expect(text == (try held.rendered(as: format)), "\(format)")
            #expect(text.contains("PO-9"), "\(format): the last order line, spilled, is written")
        }
        // The figures, against the lines themselves.
        let lines = try fixture.store.read { db in try Store.receiptReportLines(tenantID: "t1", po: nil, in: db) }
        let facts = Dictionary(uniqueKeysWithValues: spilled.facts.map { ($0.key, $0.value) })
        #expect(facts["order_lines"] == .integer(Int64(lines.filter { $0.status != .unexpected }.count)))
        #expect(facts["unexpected"] == .integer(1) && facts["short"] == .integer(1) && facts["complete"] == .integer(2) && facts["unreceived"] == .integer(1))
        #expect(facts["units_ordered"] == .integer(20) && facts["units_received"] == .integer(20))
        #expect(facts["price_variance"] == .money(minor: lines.reduce(0) { $0 + $1.priceVarianceMinor }))
        #expect(spilled.chart == held.chart && spilled.chart.bars.first?.label == "PO-1 TENT @ WH")
    }

    /// Where no file can be made for the lines, the report says where and what to do.
    @Test func linesThatCannotBeSpilledSayWhereAndWhatToDo() {
        #expect {
            _ = try SpilledRows(directory: URL(fileURLWithPath: "/nonexistent-stockrecon-folder"))
        } throws: { error in
            "\(error)".contains("/nonexistent-stockrecon-folder/") && "\(error)".contains("TMPDIR")
        }
    }

    /// The chart's bars chosen as the values go by are the ones a sort of every value picks:
    /// the largest magnitudes, ties by label, zeros left out.
    @Test func theLargestBarsChosenAsTheyComeAreTheSortedOnes() {
        var random = SplitMix64(seed: 2_029)
        for count in [0, 1, 9, 10, 11, 500] {
            for limit in [0, 1, 10] {
                let values = (0 ..< count).map { _ -> (label: String, valueMinor: Int64) in
                    // Few magnitudes and labels, so that ties are many; both signs and zeros.
                    ("L\(Int.random(in: 0 ..< 40, using: &random))", Int64.random(in: -6 ... 6, using: &random) * 100)
                }
                let expected = values.filter { $0.valueMinor != 0 }
                    .sorted { ($0.valueMinor.magnitude, $1.label) > ($1.valueMinor.magnitude, $0.label) }.prefix(limit)
                let chart = ReportChart.largest("t", values, limit: limit)
                #expect(chart.bars.map(\.label) == expected.map(\.label), "\(count) values, limit \(limit)")
                #expect(chart.bars.map(\.valueMinor) == expected.map(\.valueMinor), "\(count) values, limit \(limit)")
            }
        }
    }
}
