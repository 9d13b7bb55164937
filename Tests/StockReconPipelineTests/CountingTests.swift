import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
@testable import StockReconStore

/// Stocktakes against a database: variance with deliveries during the count, roles, the
/// one-count rule, duplicate sheets, blank cells, the uncounted policy. Variant 1001 costs
/// 10.00 and 1002 (location-aware) 2.50; alice is a manager, bob is staff.
@Suite struct CountingTests {
    func start(_ fixture: Fixture, type: CountType = .cycle, location: String? = nil, user: String = "alice", org: String = "acme") throws -> Int64 {
        try Counting(store: fixture.store).start(CountRequest(
            tenantID: "t1", orgID: org, type: type, name: "Aisle", locationID: location, notes: nil, userID: user))
    }

    func stock(_ fixture: Fixture, _ rows: String) throws {
        let report = try fixture.importing([fixture.file("stock-\(UUID().uuidString).csv", "variant_id,location_id,quantity_delta\n" + rows)])
        precondition(report.counts.rejected == 0 && report.counts.pending == 0)
    }

    /// A blind sheet is written a line at a time from the database, in both formats, on both
    /// backends: at one location every variant of the org there, by sku; without one, each
    /// where it has stock, and at the org's default location where it has none.
    @Test(arguments: Backend.available) func aBlindSheetListsItsScopeInEitherFormat(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try stock(fixture, "1002,SHOP,4\n")
        let counting = Counting(store: fixture.store)
        func lines(_ count: Int64, _ format: SheetFormat) throws -> [String] {
            let path = fixture.directory.appendingPathComponent("blind-\(count).\(format.rawValue)").path
            let written = try counting.writeBlindSheet(countID: count, tenantID: "t1", format: format, to: path)
            let rows = try CountSheetReader.read(InputFile(path: path, displayName: "blind"))
            #expect(rows.count == written)
            return rows.map { "\($0.variantID ?? "")/\($0.sku ?? "")/\($0.barcode ?? "")@\($0.locationID ?? "")" }
        }
        let atShop = try start(fixture, location: "SHOP")
        for format in SheetFormat.allCases {
            #expect(try lines(atShop, format) == ["1002/LAMP/401@SHOP", "1001/TENT/400@SHOP"])
        }
        _ = try Counting(store: fixture.store).cancel(countID: atShop, tenantID: "t1", userID: "alice")
        let everywhere = try start(fixture)
        for format in SheetFormat.allCases {
            #expect(try lines(everywhere, format) == ["1002/LAMP/401@SHOP", "1001/TENT/400@WH"])
        }
    }

    @Test(arguments: Backend.available) func aDeliveryWhileCountingIsCarriedThroughNotMistakenForAMiscount(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try stock(fixture, "1001,WH,20\n1002,SHOP,4\n")
        let id = try start(fixture)
        try stock(fixture, "1001,WH,12\n")  // delivered while the aisle was counted
        let sheet = fixture.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH,17\n1002,SHOP,4\n")
        let added = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        #expect(added.counts == OutcomeCounts(rows: 2, pending: 2))
        let completion = try Counting(store: fixture.store).complete(countID: id, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        let tent = try #require(try completedItems(fixture.store, completion).first { $0.item.variantID == "1001" })
        #expect(tent.item.systemQuantity == 20 && tent.item.movedDuringCount == 12 && tent.item.variance == -3)
        #expect(tent.item.varianceValueMinor == -3_000)
        #expect(completion.movementsPosted == 1)
        #expect(completion.counts == OutcomeCounts(rows: 2, posted: 1, unchanged: 1))
        // 20 + 12 delivered − 3 missing: the delivery stands.
        #expect(try fixture.balance("1001") == 29)
        #expect(try fixture.count("SELECT COUNT(*) FROM movements WHERE transaction_type = 'count' AND quantity_delta = -3 AND approved_by = 'alice'") == 1)
        let totals = completion.totals
        #expect(totals.missingValueMinor == -3_000 && totals.excessValueMinor == 0 && totals.netVarianceMinor == -3_000)
        #expect(try fixture.count("SELECT net_variance_minor FROM stock_counts WHERE id = ?", [id]) == -3_000)
        #expect(try fixture.variantRunsMatchLedger())
    }

    @Test(arguments: Backend.available) func linesOfOneItemAddUpAcrossBatchesAndSheetsAndTheSameSheetIsADuplicate(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try stock(fixture, "1001,WH,10\n")
        let id = try start(fixture)
        let counting = Counting(store: fixture.store)
        let front = fixture.file("front.csv", "sku,batch,counted_quantity\nTENT,A,4\nTENT,B,3\n")
        let back = fixture.file("back.json", #"[{"barcode": "400", "batch": "A", "counted_quantity": 2}]"#)
        #expect(try counting.add(countID: id, tenantID: "t1", userID: "bob", files: [front, back]).counts == OutcomeCounts(rows: 3, pending: 3))
        let again = try counting.add(countID: id, tenantID: "t1", userID: "bob", files: [front])
        #expect(again.counts == OutcomeCounts(rows: 2, duplicate: 2))
        #expect(again.exitStatus == 0)
        let items = try counting.items(try counting.session(id, tenantID: "t1"))
        #expect(items.count == 1)
        #expect(items.first?.item.countedQuantity == 9)
        #expect(items.first?.item.batch?.split(separator: ",").sorted() == ["A"[...], "B"[...]])
        #expect(items.first?.rows == 3)
    }

    @Test(arguments: Backend.available) func blankCountedCellsAreNotCountedAndBadRowsAreRejectedAtTheirLine(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try start(fixture)
        let sheet = fixture.file("s.csv", "variant_id,counted_quantity\n1001,\n1001,-2\n2001,1\n1001,0\n")
        let report = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        #expect(report.counts == OutcomeCounts(rows: 4, pending: 1, rejected: 2, unchanged: 1))
        #expect(report.exitStatus == 1)
        #expect(try fixture.rejections(report.runID).map(\.type) == ["invalid_quantity", "cross_brand"])
        #expect(try fixture.rejections(report.runID).map(\.line) == [3, 4])
    }

    /// A sheet is read as it is checked, a batch of lines handed over at a time; one that cannot
    /// be read to its end (a bare quote past the first batch) adds none of its lines.
    @Test(arguments: Backend.available) func aSheetUnreadablePastItsFirstBatchAddsNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try start(fixture)
        let good = String(repeating: "1001,WH,1\n", count: CountSheetReading.batchSize + 10)
        let sheet = fixture.file("s.csv", "variant_id,location_id,counted_quantity\n" + good + "1001,W\"H,1\n1001,WH,1\n")
        let report = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        #expect(report.counts.pending == 0)
        #expect(try fixture.rejections(report.runID).map(\.type) == ["unreadable_file"])
        #expect(try fixture.store.read { db in try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM count_lines") } == 0)
        // The same lines, readable, are added.
        let fixed = fixture.file("fixed.csv", "variant_id,location_id,counted_quantity\n" + good)
        #expect(try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [fixed]).counts.pending == CountSheetReading.batchSize + 10)
    }

    /// A sheet's refused rows are handed over with its lines, a batch at a time, and recorded
    /// as they come (a million held took 270 MB): each once, in file order, the first shown;
    /// a sheet refused whole once read leaves only its file's refusal.
    @Test(arguments: Backend.available) func refusedRowsAreRecordedAsTheSheetIsRead(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try start(fixture)
        let count = 3 * CountSheetReading.batchSize + 123
        var rows = ["variant_id,location_id,counted_quantity"]
        var refused: [Int] = []
        for index in 0 ..< count {
            let bad = index % 3 != 0
            if bad { refused.append(index + 2) }
            rows.append("1001,WH,\(bad ? "x" : "")\(index % 5)")
        }
        let sheet = rows.joined(separator: "\n") + "\n"
        let report = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [fixture.file("s.csv", sheet)])
        #expect(report.counts == OutcomeCounts(rows: count, pending: count - refused.count, rejected: refused.count))
        #expect(try fixture.rejections(report.runID).map(\.line) == refused, "each refused row recorded once, in file order")
        #expect(report.sampleRejections.map(\.location.line) == Array(refused.prefix(RunReport.sampleLimit)))
        // The same items counted again, in a sheet of its own: refused whole once read (a second
        // count of the same items), its rows' refusals recorded meanwhile undone with it.
        let again = sheet.replacingOccurrences(of: ",x", with: ",y")
        let whole = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [fixture.file("again.csv", again)])
        #expect(try fixture.rejections(whole.runID).map(\.type) == ["sheet_counted_before"])
        #expect(whole.counts == OutcomeCounts(rows: 1, rejected: 1))
    }

    /// A NUL byte in a sheet's text refuses its row at the field, on both backends (it failed
    /// the whole sheet on PostgreSQL as a database error, and SQLite read the note back cut).
    @Test(arguments: Backend.available) func aNulByteInASheetRefusesItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try start(fixture)
        let sheet = fixture.file("s.csv", "variant_id,counted_quantity,notes\n1001,4,\"x\u{0}y\"\n1001,1,ok\n")
        let report = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        #expect(report.counts == OutcomeCounts(rows: 2, pending: 1, rejected: 1))
        #expect(try fixture.rejections(report.runID).map { "\($0.line ?? 0) \($0.field ?? "") \($0.type)" } == ["2 notes invalid_text"])
    }

    @Test(arguments: Backend.available) func onlyManagersStartCompleteAndCancelAndNothingIsChangedByARefusal(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        #expect(throws: Refusal.self) { try start(fixture, user: "bob") }
        #expect(throws: Refusal.self) { try start(fixture, user: "nobody") }
        #expect(try fixture.count("SELECT COUNT(*) FROM count_sessions") == 0)
        let id = try start(fixture)
        let counting = Counting(store: fixture.store)
        #expect(throws: Refusal.self) { try counting.complete(countID: id, tenantID: "t1", userID: "bob", apply: true, uncounted: .keep) }
        #expect(throws: Refusal.self) { try counting.cancel(countID: id, tenantID: "t1", userID: "bob") }
        #expect(try counting.session(id, tenantID: "t1").status == .inProgress)
        #expect(try fixture.count("SELECT COUNT(*) FROM runs WHERE command LIKE 'count complete%'") == 0)
        try counting.cancel(countID: id, tenantID: "t1", userID: "alice")
        #expect(try counting.session(id, tenantID: "t1").status == .cancelled)
        // Nothing can be added to, completed or cancelled after it finished.
        let sheet = fixture.file("s.csv", "variant_id,counted_quantity\n1001,1\n")
        #expect(throws: Refusal.self) { try counting.add(countID: id, tenantID: "t1", userID: "bob", files: [sheet]) }
        #expect(throws: Refusal.self) { try counting.complete(countID: id, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep) }
        #expect(throws: Refusal.self) { try counting.cancel(countID: id, tenantID: "t1", userID: "alice") }
    }

    @Test(arguments: Backend.available) func oneCountAtATimeForAnOrgAndAnOverlappingScope(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let shop = try start(fixture, location: "SHOP")
        #expect(throws: Refusal.self) { try start(fixture, location: "SHOP") }
        #expect(throws: Refusal.self) { try start(fixture) }  // every location overlaps SHOP
        let warehouse = try start(fixture, location: "WH")  // another location does not
        #expect(try start(fixture, org: "other") > warehouse)  // another org does not
        let counting = Counting(store: fixture.store)
        _ = try counting.complete(countID: shop, tenantID: "t1", userID: "alice", apply: false, uncounted: .keep)
        try counting.cancel(countID: warehouse, tenantID: "t1", userID: "alice")
        _ = try start(fixture)  // both finished: a count of every location may start
    }

    @Test(arguments: Backend.available) func fullCountsListUncountedStockAndZeroCountsItWhenAsked(_ backend: Backend) throws {
        for policy in UncountedPolicy.allCases {
            let fixture = try Fixture(backend)
            try stock(fixture, "1001,WH,5\n1002,SHOP,8\n")
            let id = try start(fixture, type: .full)
            let sheet = fixture.file("s.csv", "variant_id,location_id,counted_quantity\n1002,SHOP,8\n")
            _ = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
            let completion = try Counting(store: fixture.store).complete(countID: id, tenantID: "t1", userID: "alice", apply: true, uncounted: policy)
            let tent = try #require(try completedItems(fixture.store, completion).first { $0.item.variantID == "1001" })
            #expect(tent.rows == 0)
            switch policy {
            case .keep:
                #expect(tent.item.countedQuantity == nil && completion.totals.itemsUncounted == 1)
                #expect(try fixture.balance("1001") == 5)
            case .zero:
                #expect(tent.item.countedQuantity == 0 && tent.item.variance == -5 && completion.totals.itemsUncounted == 0)
                #expect(try fixture.balance("1001") == 0)
            }
        }
    }

    @Test(arguments: Backend.available) func aCycleCountIgnoresWhatItDidNotCountAndWithoutApplyPostsNothing(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try stock(fixture, "1001,WH,5\n1002,SHOP,8\n")
        let id = try start(fixture, type: .cycle)
        _ = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [fixture.file("s.csv", "variant_id,location_id,counted_quantity\n1002,SHOP,6\n")])
        let completion = try Counting(store: fixture.store).complete(countID: id, tenantID: "t1", userID: "alice", apply: false, uncounted: .zero)
        #expect(try completedItems(fixture.store, completion).map(\.item.variantID) == ["1002"])
        #expect(completion.movementsPosted == 0 && completion.counts == OutcomeCounts(rows: 1, unchanged: 1))
        #expect(try fixture.balance("1002", "SHOP") == 8)
        #expect(completion.totals.netVarianceMinor == -500)
    }

    @Test(arguments: Backend.available) func theViewsGiveTheReportsFigures(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try stock(fixture, "1001,WH,20\n1002,SHOP,4\n")
        let id = try start(fixture)
        try stock(fixture, "1001,WH,2\n")
        _ = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [
            fixture.file("s.csv", "variant_id,location_id,counted_quantity\n1001,WH,17\n1002,SHOP,7\n"),
        ])
        // An open count's items are live in the view.
        #expect(try fixture.count("SELECT SUM(variance_value_minor) FROM stock_count_items WHERE count_id = ?", [id]) == -3_000 + 750)
        let completion = try Counting(store: fixture.store).complete(countID: id, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        let rows = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT variant_id, system_quantity, counted_quantity, variance, variance_value_minor, moved_during_count
                FROM variance_report WHERE count_id = ? ORDER BY variant_id
                """, arguments: [id]).map { row in try (0..<6).map { index -> Int64 in index == 0 ? Int64(try row[0] as String) ?? 0 : try row[index] } }
        }
        #expect(rows == [[1001, 20, 17, -3, -3_000, 2], [1002, 4, 7, 3, 750, 0]])
        let stored = try fixture.store.read { db in
            try db.fetchOne(sql: "SELECT items_counted, items_with_discrepancy, missing_value_minor, excess_value_minor FROM stock_counts WHERE id = ?", arguments: [id])
        }
        #expect(try stored?[0] == Int64(completion.totals.itemsCounted) && stored?[1] == Int64(2))
        #expect(try stored?[2] == completion.totals.missingValueMinor && stored?[3] == completion.totals.excessValueMinor)
        let summary = try Reporting(store: fixture.store).summary(tenantID: "t1", from: nil, to: nil)
        let byType = try #require(summary.tables.first { $0.key == "by_type" })
        #expect(byType.rows.first { $0.first == .text("count") } == [.text("count"), .integer(2), .integer(3), .integer(-3), .integer(0), .money(minor: -2_250)])
    }
}

/// The summary report reads the ledger once; the `summary_report` view must agree with it.
@Suite struct SummaryReportTests {
    @Test(arguments: Backend.available) func theSummaryEqualsItsViewForAnyPeriod(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        // Another tenant's movements, which t1's summary must not count.
        _ = try fixture.importing([fixture.file("t2.csv", "variant_id,location_id,quantity_delta\n1001,WH,70\n1001,SHOP,5\n")], tenant: "t2")
        let canonical = fixture.file("c.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,reason_code,unit_cost,occurred_at
            a1,1001,WH,adjustment,-1,,shrinkage,12.34,2026-11-20T08:00:00Z
            a2,1001,WH,adjustment,4,,,,2026-11-21T08:00:00Z
            a3,1002,SHOP,adjustment,3,,shrinkage,,2026-11-21T09:00:00Z
            a4,1002,SHOP,set,,1,stocktake,,2026-11-22

            """)
        #expect(try fixture.importing([canonical], format: .canonical).counts.posted == 4)
        _ = try fixture.importing([fixture.file("s.csv", "variant_id,location_id,quantity_delta\n1001,SHOP,2\n1001,WH,-1\n")])
        for (from, to) in [(nil, nil), ("2026-11-21", nil), (nil, "2026-11-21"), ("2026-11-21", "2026-11-21"), ("2030-01-01", nil)] as [(String?, String?)] {
            let scanned = try fixture.store.read { db in try Store.movementSummary(tenantID: "t1", from: from, to: to, in: db) }
            let viewed = try fixture.store.read { db in
                try db.fetchAll(sql: """
                    SELECT transaction_type, adjustment_type, reason_code, location_id, SUM(movements), SUM(units_in), SUM(units_out), SUM(value_minor)
                    FROM summary_report WHERE tenant_id = 't1' AND (CAST(? AS TEXT) IS NULL OR day >= ?) AND (CAST(? AS TEXT) IS NULL OR day <= ?)
                    GROUP BY 1, 2, 3, 4
                    """, arguments: [from, from, to, to]).map { row in
                    MovementSummaryRow(
                        transactionType: try row[0], adjustmentType: try row[1], reasonCode: try row[2], locationID: try row[3],
                        movements: try row[4], unitsIn: try row[5], unitsOut: try row[6], valueMinor: try row[7])
                }
            }
            #expect(Set(scanned) == Set(viewed) && scanned.count == viewed.count, "from \(from ?? "-") to \(to ?? "-")")
            #expect(from != "2030-01-01" || scanned.isEmpty)
        }
        let all = try fixture.store.read { db in try Store.movementSummary(tenantID: "t1", from: nil, to: nil, in: db) }
        // The shrinkage at its own cost (12.34), the rest at the catalog's (10.00 and 2.50).
        #expect(all.first { $0.reasonCode == "shrinkage" && $0.locationID == "WH" }?.valueMinor == -1_234)
        #expect(all.reduce(0) { $0 + $1.movements } == 6)
    }
}

/// A completed count's items as it keeps them (`count_results`), in location and variant order.
func completedItems(_ store: Store, _ completion: CountCompletion, tenantID: String = "t1") throws -> [StoredCountItem] {
    let counting = Counting(store: store)
    return try counting.items(counting.session(completion.countID, tenantID: tenantID))
}
