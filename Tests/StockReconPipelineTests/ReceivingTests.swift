import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
import StockReconBackends
@testable import StockReconStore

/// Receiving against purchase orders on a database. Variant 1001 (TENT, barcode 400) costs
/// 10.00; 2001 belongs to another org; alice is a manager, bob is staff.
@Suite struct ReceivingPipelineTests {
    func receive(
        _ fixture: Fixture, orders: [InputFile] = [], _ files: [InputFile], tolerance: Int64 = 0, priceTolerance: Int64 = 0
    ) throws -> ReceiveReport {
        try Receiving(store: fixture.store).run(ReceiveRequest(
            tenantID: "t1", orgID: "acme", userID: "bob", purchaseOrders: orders, files: files,
            receiving: ReceivingPolicy(overReceiptToleranceBasisPoints: tolerance, priceVarianceToleranceBasisPoints: priceTolerance)))
    }

    func lines(_ fixture: Fixture, po: String? = nil) throws -> [ReceiptReportLine] {
        try fixture.store.read { db in try Store.receiptReportLines(tenantID: "t1", po: po, in: db) }
    }

    func exceptions(_ fixture: Fixture, po: String?) throws -> [ReceiptException] {
        var exceptions: [ReceiptException] = []
        try fixture.store.read { db in try Store.forEachReceiptException(tenantID: "t1", po: po, in: db) { exceptions.append($0) } }
        return exceptions
    }

    func status(_ fixture: Fixture) throws -> [String: String] {
        Dictionary(uniqueKeysWithValues: try lines(fixture).map { ("\($0.poNumber ?? "-")/\($0.variantID)@\($0.locationID)", $0.status.rawValue) })
    }

    static let orders = "po_number,variant,location_id,quantity_ordered,unit_cost\nPO-1,TENT,WH,10,10.00\nPO-1,400,SHOP,5,10.00\nPO-2,1001,WH,3,10.00\nPO-3,1001,SHOP,2,9.00\n"

    /// PO numbers go to PostgreSQL as an array literal: quotes, backslashes, braces and commas
    /// in them come back as written, and a receipt finds its line by them.
    @Test(arguments: Backend.available) func poNumbersAreKeptAsWritten(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let awkward = [#"PO "7""#, #"PO\8"#, "PO {9},10", "NULL", "ü-11"]
        func quoted(_ text: String) -> String { "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" }
        let orders = fixture.file("po.csv", "po_number,variant,location_id,quantity_ordered,unit_cost\n"
            + awkward.map { "\(quoted($0)),TENT,WH,4,10.00\n" }.joined())
        let receipts = fixture.file("r.csv", "po_number,variant_id,location_id,quantity_received,unit_cost\n"
            + awkward.map { "\(quoted($0)),1001,WH,4,10.00\n" }.joined())
        let report = try receive(fixture, orders: [orders], [receipts])
        #expect(report.receipts.counts == OutcomeCounts(rows: 5, posted: 5))
        #expect(try status(fixture) == Dictionary(uniqueKeysWithValues: awkward.map { ("\($0)/1001@WH", "complete") }))
    }

    /// A receipt file reads the order lines of the POs it names, a batch at a time, each PO
    /// once: what earlier batches received adds up with the later ones' (read again, a PO's
    /// lines would forget them), POs a file never names are not read, and another tenant's
    /// order of the same number is not met.
    @Test(arguments: Backend.available) func orderLinesAreReadAsTheirPOsAreNamedAndAddUpAcrossBatches(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        let many = 3 * RowChecker.batchSize + 17
        var orders = "po_number,variant,location_id,quantity_ordered,unit_cost\nPO-BIG,TENT,WH,\(many),10.00\nPO-LATE,TENT,SHOP,4,10.00\n"
        orders += (0 ..< 300).map { "PO-IDLE-\($0),TENT,WH,1,10.00\n" }.joined()
        _ = try Receiving(store: fixture.store).run(ReceiveRequest(
            tenantID: "t2", orgID: "acme", userID: "bob", purchaseOrders: [fixture.file("other.csv", "po_number,variant,location_id,quantity_ordered,unit_cost\nPO-LATE,TENT,SHOP,1,10.00\n")],
            files: []))
        var receipts = "po_number,variant_id,location_id,quantity_received,unit_cost\n"
        receipts += String(repeating: "PO-BIG,1001,WH,1,10.00\n", count: many)
        receipts += "PO-LATE,1001,SHOP,3,10.00\nPO-NONE,1001,WH,2,10.00\n"
        let report = try receive(fixture, orders: [fixture.file("po.csv", orders)], [fixture.file("r.csv", receipts)])
        #expect(report.receipts.counts == OutcomeCounts(rows: many + 2, posted: many + 2))
        let status = try status(fixture)
        #expect(status["PO-BIG/1001@WH"] == "complete")
        #expect(status["PO-LATE/1001@SHOP"] == "short")
        #expect(status["PO-NONE/1001@WH"] == "unexpected")
        #expect(status["PO-IDLE-7/1001@WH"] == "unreceived")
        let received = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT o.po_number, o.quantity_received FROM order_lines o JOIN tenants t ON t.id = o.tenant
                WHERE t.tenant_id = ? AND o.po_number IN ('PO-BIG', 'PO-LATE') ORDER BY o.po_number
                """, arguments: ["t1"]).map { "\(try $0[0] as String) \(try $0[1] as Int64)" }
        }
        #expect(received == ["PO-BIG \(many)", "PO-LATE 3"])
        #expect(try fixture.count("SELECT count(*) FROM order_lines o JOIN tenants t ON t.id = o.tenant WHERE t.tenant_id = 't2' AND o.quantity_received = 0") == 1)
    }

    @Test(arguments: Backend.available) func eachOrderLineEndsInItsStateAndUnexpectedReceiptsArePostedAndFlagged(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let orders = fixture.file("po.csv", Self.orders)
        let receipts = fixture.file("r.csv", """
            po_number,variant_id,location_id,quantity_received,unit_cost
            PO-1,1001,WH,10,10.00
            PO-1,1001,SHOP,2,10.00
            PO-2,1001,WH,3,10.00
            PO-9,1001,WH,4,10.00

            """)
        let report = try receive(fixture, orders: [orders], [receipts], tolerance: 5_000)
        #expect(report.orders?.counts == OutcomeCounts(rows: 4, posted: 4))
        #expect(report.receipts.counts == OutcomeCounts(rows: 4, posted: 4))
        #expect(try status(fixture) == [
            "PO-1/1001@WH": "complete", "PO-1/1001@SHOP": "short", "PO-2/1001@WH": "complete", "PO-3/1001@SHOP": "unreceived",
            "PO-9/1001@WH": "unexpected",
        ])
        let extra = fixture.file("r2.csv", "po_number,barcode,location_id,quantity_received,unit_cost\nPO-2,400,WH,1,10.00\n")
        _ = try receive(fixture, [extra], tolerance: 5_000)
        #expect(try status(fixture)["PO-2/1001@WH"] == "over-received")
        // Movements of type receipt, the PO as reference, the receipt's unit cost kept.
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'receipt' AND reference_id = 'PO-9' AND unit_cost_minor = 1000") == 1)
        #expect(try fixture.balance("1001") == 18)
        let exceptions = try exceptions(fixture, po: "PO-9")
        #expect(exceptions.map(\.reason) == ["unexpected: no order line"])
    }

    @Test(arguments: Backend.available) func partialReceiptsOverTwoFilesAddUpAndRerunsChangeNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let first = fixture.file("a.csv", "po_number,sku,location_id,quantity_received\nPO-1,TENT,WH,4\n")
        let second = fixture.file("b.json", #"[{"po_number": "PO-1", "sku": "TENT", "location_id": "WH", "quantity_received": 5}]"#)
        _ = try receive(fixture, orders: [fixture.file("po.csv", Self.orders)], [first])
        #expect(try lines(fixture, po: "PO-1").first { $0.locationID == "WH" }?.received == 4)
        _ = try receive(fixture, [second])
        let again = try receive(fixture, [first, second])
        #expect(again.receipts.counts == OutcomeCounts(rows: 2, duplicate: 2))
        let line = try #require(try lines(fixture, po: "PO-1").first { $0.locationID == "WH" })
        #expect(line.received == 9 && line.status == .short)
        #expect(try fixture.balance("1001") == 9)
    }

    @Test(arguments: Backend.available) func theToleranceHoldsAcrossReceiptsAndApprovalCountsTheHeldOne(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try receive(fixture, orders: [fixture.file("po.csv", Self.orders)], [])
        // 10 ordered at 20%: 12 may arrive, in any number of receipts.
        let day1 = fixture.file("d1.csv", "po_number,sku,location_id,quantity_received\nPO-1,TENT,WH,7\nPO-1,TENT,WH,5\n")
        #expect(try receive(fixture, [day1], tolerance: 2_000).receipts.counts == OutcomeCounts(rows: 2, posted: 2))  // 12: at
        let day2 = fixture.file("d2.csv", "po_number,sku,location_id,quantity_received\nPO-1,TENT,WH,1\nPO-1,TENT,WH,1\n")
        #expect(try receive(fixture, [day2], tolerance: 2_000).receipts.counts == OutcomeCounts(rows: 2, pending: 2))  // 13: just over
        #expect(try lines(fixture, po: "PO-1").first { $0.locationID == "WH" }?.pending == 2)
        let approvals = try fixture.store.read { db in try db.fetchValues(Int64.self, sql: "SELECT id FROM approvals WHERE status = 'PENDING' ORDER BY id") }
        #expect(throws: Refusal.self) { try fixture.store.decide(approvalID: approvals[0], tenantID: "t1", userID: "bob", note: nil, approve: true) }
        _ = try fixture.store.decide(approvalID: approvals[0], tenantID: "t1", userID: "alice", note: "counted them", approve: true)
        _ = try fixture.store.decide(approvalID: approvals[1], tenantID: "t1", userID: "alice", note: "sent back", approve: false)
        let line = try #require(try lines(fixture, po: "PO-1").first { $0.locationID == "WH" })
        #expect(line.received == 13 && line.pending == 0 && line.status == .overReceived)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'receipt' AND approved_by = 'alice'") == 1)
        #expect(try fixture.balance("1001") == 13)
        #expect(try fixture.count("SELECT count(*) FROM receipt_lines WHERE status = 'refused'") == 1)
    }

    /// Held receipt rows are written with the file's other held rows; each pending receipt
    /// line names the approval of its own row, and approving one receives it on its line.
    @Test(arguments: Backend.available) func eachHeldReceiptLineNamesItsOwnApproval(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try receive(fixture, orders: [fixture.file("po.csv", Self.orders)], [])
        let day = fixture.file("held.csv", """
            po_number,sku,location_id,quantity_received
            PO-1,TENT,WH,2
            PO-1,TENT,WH,3
            PO-1,TENT,SHOP,1
            PO-2,TENT,WH,1
            PO-1,TENT,SHOP,5
            PO-2,TENT,WH,5

            """)
        // At 0% tolerance a row past its line's order is held: 5 of 10 fits, 1 of 5 and 1 of 3 too; 1 + 5 and 1 + 5 do not.
        let report = try receive(fixture, [day])
        #expect(report.receipts.counts == OutcomeCounts(rows: 6, posted: 4, pending: 2))
        let named = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT r.source_line, a.source_line, a.quantity_delta FROM receipt_lines r JOIN approval_requests a ON a.id = r.approval
                WHERE r.status = 'pending' ORDER BY r.source_line
                """).map { [try $0[0] as Int64, try $0[1] as Int64, try $0[2] as Int64] }
        }
        #expect(named == [[6, 6, 5], [7, 7, 5]])
        let approvals = try fixture.store.read { db in try db.fetchValues(Int64.self, sql: "SELECT id FROM approvals WHERE status = 'PENDING' ORDER BY id") }
        _ = try fixture.store.decide(approvalID: try #require(approvals.last), tenantID: "t1", userID: "alice", note: nil, approve: true)
        #expect(try lines(fixture, po: "PO-2").first?.received == 6)
    }

    /// A receipt file's lines are written a batch at a time, held ones with the approval their
    /// batch wrote (on PostgreSQL the held rows' COPY ends with each batch): the lines keep the
    /// file's order whichever batch a row was held in, each held line names its own approval,
    /// and what the batches received adds up.
    @Test(arguments: Backend.available) func receiptLinesKeepTheFilesOrderWhenARowIsHeldInALaterBatch(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let ordered = RowChecker.batchSize + 10
        _ = try receive(fixture, orders: [fixture.file("po.csv", "po_number,variant,location_id,quantity_ordered,unit_cost\nPO-BIG,TENT,WH,\(ordered),10.00\nPO-LATE,TENT,SHOP,9,10.00\n")], [])
        var receipts = "po_number,variant_id,location_id,quantity_received\n"
        receipts += String(repeating: "PO-BIG,1001,WH,1\n", count: ordered + 5)  // the last five over the order: held
        receipts += String(repeating: "PO-LATE,1001,SHOP,2\n", count: RowChecker.batchSize)  // past the fourth, held too
        let report = try receive(fixture, [fixture.file("r.csv", receipts)])
        let rows = ordered + 5 + RowChecker.batchSize
        #expect(report.receipts.counts == OutcomeCounts(rows: rows, posted: ordered + 4, pending: rows - ordered - 4))
        let written = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT r.source_line, r.status, a.source_line FROM receipt_lines r LEFT JOIN approval_requests a ON a.id = r.approval ORDER BY r.id
                """).map { (line: try $0[0] as Int64, status: try $0[1] as String, approvalLine: try $0[2] as Int64?) }
        }
        #expect(written.map(\.line) == Array(2 ... Int64(rows + 1)), "in the file's order")
        #expect(written.filter { $0.status == "pending" }.allSatisfy { $0.approvalLine == $0.line })
        #expect(written.filter { $0.status == "pending" }.count == rows - ordered - 4)
        #expect(written[ordered].status == "pending" && written[ordered - 1].status == "posted", "the first held is the row past the order")
        #expect(try lines(fixture).map { "\($0.poNumber ?? "") \($0.received)" }.sorted() == ["PO-BIG \(ordered)", "PO-LATE 8"])
    }

    /// Two receipt files at once against the same order lines, each over several batches (the
    /// lines' totals written back after each batch, and read again by the next): both post,
    /// and each line's received quantity is the sum of both files', none lost.
    @Test(arguments: Backend.available) func twoReceiptFilesAtOnceAddUpOnTheSameOrderLines(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let many = RowChecker.batchSize + 101
        let orders = "po_number,variant,location_id,quantity_ordered,unit_cost\nPO-A,TENT,WH,\(4 * many),10.00\nPO-B,TENT,SHOP,\(8 * many),10.00\n"
        _ = try receive(fixture, orders: [fixture.file("po.csv", orders)], [])
        var text = "po_number,variant_id,location_id,quantity_received,unit_cost\n"
        for row in 0 ..< many { text += row % 2 == 0 ? "PO-A,1001,WH,2,10.00\n" : "PO-B,1001,SHOP,4,10.00\n" }
        let files = [fixture.file("r1.csv", text), fixture.file("r2.csv", text + "PO-A,1001,WH,1,10.00\n")]
        let path = fixture.databasePath
        let results = ConcurrentResults()
        DispatchQueue.concurrentPerform(iterations: 2) { index in
            do {
                let report = try Receiving(store: try Store(path: path)).run(ReceiveRequest(
                    tenantID: "t1", orgID: "acme", userID: "bob", files: [files[index]], receiving: ReceivingPolicy(overReceiptToleranceBasisPoints: 0)))
                results.add(report.receipts.counts.posted)
            } catch {
                results.add(-1)
            }
        }
        #expect(results.values.sorted() == [many, many + 1])
        let evens = (many + 1) / 2
        #expect(try lines(fixture).map { "\($0.poNumber ?? "") \($0.received) \($0.status.rawValue)" }.sorted()
            == ["PO-A \(2 * 2 * evens + 1) short", "PO-B \(2 * 4 * (many - evens)) short"])
        #expect(try fixture.count("SELECT count(*) FROM receipt_lines") == 2 * many + 1)
    }

    @Test(arguments: Backend.available) func aPriceOffTheOrdersIsFlaggedWithItsVariance(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let receipts = fixture.file("r.csv", """
            po_number,sku,location_id,quantity_received,unit_cost
            PO-1,TENT,WH,4,10.20
            PO-1,TENT,SHOP,2,10.21
            PO-3,TENT,SHOP,2,8.50

            """)
        _ = try receive(fixture, orders: [fixture.file("po.csv", Self.orders)], [receipts], priceTolerance: 200)
        let flagged = try exceptions(fixture, po: nil)
        #expect(flagged.map(\.poNumber) == ["PO-1", "PO-3"])  // 10.20 is exactly 2% over 10.00: not flagged
        #expect(flagged.map(\.priceVarianceMinor) == [42, -100])  // 2 × 0.21; 2 × -0.50
        #expect(try lines(fixture, po: "PO-3").first?.priceVarianceMinor == -100)
    }

    @Test(arguments: Backend.available) func badRowsAreRejectedAndOrdersReloadedKeepWhatWasReceived(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try receive(fixture, orders: [fixture.file("po.csv", Self.orders)], [])
        let receipts = fixture.file("r.csv", """
            po_number,variant_id,location_id,quantity_received
            PO-1,1001,WH,0
            PO-1,1001,WH,-3
            PO-1,2001,WH,1
            PO-1,9999,WH,1
            PO-1,1001,WH,2

            """)
        let report = try receive(fixture, [receipts])
        #expect(report.receipts.counts == OutcomeCounts(rows: 5, posted: 1, rejected: 4))
        #expect(try fixture.rejections(report.receipts.runID).map(\.type) == ["invalid_quantity", "invalid_quantity", "cross_brand", "unknown_variant"])
        let reload = fixture.file("po2.csv", "po_number,sku,location_id,quantity_ordered,unit_cost\nPO-1,TENT,WH,15,9.50\nPO-1,CANDLE,WH,1,1.00\n")
        let loaded = try receive(fixture, orders: [reload], [])
        #expect(loaded.orders?.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        let line = try #require(try lines(fixture, po: "PO-1").first { $0.locationID == "WH" })
        #expect(line.ordered == 15 && line.received == 2 && line.unitCostMinor == 950)
    }

    /// A file of purchase orders is read in its transaction and written a chunk of lines at a
    /// time: lines of every chunk load, each refusal is recorded once at its line, a line given
    /// twice (by another of its variant's ids, in its chunk and in a later one) ends with its
    /// last figures on both backends (PostgreSQL failed the file), and a file that breaks after
    /// chunks were written leaves nothing of itself but its rejection.
    @Test(arguments: Backend.available) func aLargeOrdersFileLoadsAChunkAtATimeEachLineItsLastFigures(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let many = 2 * Receiving.ordersChunk.rows + 123
        var orders = "po_number,variant,location_id,quantity_ordered,unit_cost\n"
        var refused: [String] = []
        for i in 0 ..< many {
            let line = i + 2
            if i % 997 == 5 {
                orders += "PO-\(i),NOPE,WH,1,10.00\n"
                refused.append("\(line) unknown_variant")
            } else if i % 1009 == 7 {
                orders += "PO-\(i),2001,WH,1,10.00\n"
                refused.append("\(line) cross_brand")
            } else if i == 10 {
                orders += "PO-3,400,SHOP,77,11.00\n"  // PO-3's line again, by its barcode, in its chunk
            } else {
                orders += "PO-\(i),\(i % 2 == 0 ? "TENT" : "1001"),\(i % 3 == 0 ? "SHOP" : "WH"),\(i % 50 + 1),10.00\n"
            }
        }
        orders += "PO-4,1001,WH,66,12.00\n"  // PO-4's line again, in the last chunk
        let loaded = try receive(fixture, orders: [fixture.file("po.csv", orders)], [])
        #expect(loaded.orders?.counts == OutcomeCounts(rows: many + 1, posted: many + 1 - refused.count, rejected: refused.count))
        #expect(try fixture.rejections(loaded.orders?.runID).map { "\($0.line ?? 0) \($0.type)" } == refused)
        #expect(loaded.orders?.sampleRejections.count == RunReport.sampleLimit)
        let stored = try lines(fixture)
        #expect(stored.count == many + 1 - refused.count - 2, "two lines given twice")
        #expect(stored.first { $0.poNumber == "PO-3" }.map { "\($0.locationID) \($0.ordered) \($0.unitCostMinor ?? 0)" } == "SHOP 77 1100")
        #expect(stored.first { $0.poNumber == "PO-4" }.map { "\($0.locationID) \($0.ordered) \($0.unitCostMinor ?? 0)" } == "WH 66 1200")
        #expect(stored.first { $0.poNumber == "PO-\(many - 1)" } != nil, "the last chunk's lines")

        // Broken after two chunks were written: nothing of it stays.
        var broken = #"{"purchase_orders": ["#
        broken += (0 ..< many).map { #"{"po_number": "PB-\#($0)", "variant": "TENT", "location_id": "WH", "quantity_ordered": "1", "unit_cost": "1.00"}, "# }.joined()
        broken += #"{"po_number": "PB-end", "#
        let failed = try receive(fixture, orders: [fixture.file("broken.json", broken)], [])
        #expect(failed.orders?.counts == OutcomeCounts(rows: 1, rejected: 1))
        #expect(try lines(fixture).count == stored.count)
        #expect(try fixture.count("SELECT count(*) FROM order_lines WHERE po_number LIKE 'PB-%'") == 0)
    }

    /// A NUL byte in an order's text refuses its row at the field, on both backends (it failed
    /// the whole file on PostgreSQL, and SQLite read `PO-9\0` back as `PO-9`).
    @Test(arguments: Backend.available) func aNulByteInAnOrderRefusesItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let orders = fixture.file("po.csv", "po_number,sku,location_id,quantity_ordered,unit_cost\nPO-9\u{0},TENT,WH,3,9.50\nPO-8,TENT,WH,2,9.50\n")
        let loaded = try receive(fixture, orders: [orders], [])
        #expect(loaded.orders?.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(try fixture.rejections(loaded.orders?.runID).map { "\($0.line ?? 0) \($0.field ?? "") \($0.type)" } == ["2 po_number invalid_text"])
    }

    /// A PO number longer than an id may be refuses its row at the field, on both backends
    /// (PostgreSQL's index of order lines holds at most 2,704 bytes: it failed the whole file).
    @Test(arguments: Backend.available) func aPONumberLongerThanAnIdMayBeRefusesItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let long = String((0 ..< 5000).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement() ?? "a" })
        let longest = String(long.prefix(Diagnostic.identifierLimit))
        let orders = fixture.file("po.csv", "po_number,sku,location_id,quantity_ordered,unit_cost\n\(long),TENT,WH,3,9.50\n\(longest),TENT,WH,2,9.50\n")
        let loaded = try receive(fixture, orders: [orders], [])
        #expect(loaded.orders?.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(try fixture.rejections(loaded.orders?.runID).map { "\($0.line ?? 0) \($0.field ?? "") \($0.type)" } == ["2 po_number invalid_text"])
        #expect(try lines(fixture, po: longest).count == 1)
    }
}
