import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
@testable import StockReconStore

/// The stock date (issue 28): balances as of any moment, counts taken at a time, backdated
/// movements absorbed at the stock checks after them, on both backends. Variant 1001 costs
/// 10.00; alice is a manager.
@Suite struct StockDateTests {
    /// Posts synq rows (variant, location, delta, occurred_at or none); none is refused or held.
    @discardableResult
    func post(_ fixture: Fixture, _ rows: [(String, String, Int, String?)], name: String = UUID().uuidString) throws -> RunReport {
        let text = "variant_id,location_id,quantity_delta,occurred_at\n" + rows.map { "\($0.0),\($0.1),\($0.2),\($0.3 ?? "")\n" }.joined()
        let report = try fixture.importing([fixture.file("\(name).csv", text)])
        #expect(report.counts.rejected == 0 && report.counts.pending == 0, "\(report.counts)")
        return report
    }

    /// On-hand as of `at` by `balance --as-of`'s path, "variant@location" to on-hand.
    func asOf(_ fixture: Fixture, _ at: String, variant: String? = nil) throws -> [String: Int64] {
        let table = try fixture.store.balances(tenantID: "t1", variantID: variant, locationID: nil, asOf: at)
        var result: [String: Int64] = [:]
        for row in table.rows {
            guard case .text(let variant) = row[0], case .text(let location) = row[1], case .integer(let onHand) = row[2] else {
                Issue.record("an as-of row of unexpected shape: \(row)")
                continue
            }
            result["\(variant)@\(location)"] = onHand
        }
        return result
    }

    /// A tenant's balances as of `at` summed from `start`, "variant@location" to on-hand.
    func asOf(_ fixture: Fixture, _ at: String, from start: AsOfStart, tenant: String = "t1") throws -> [String: Int64] {
        try fixture.store.read { db in
            let tenant = try #require(try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenant]))
            let variants = try Dictionary(uniqueKeysWithValues: db.fetchAll(sql: "SELECT id, variant_id FROM catalog_variants")
                .map { (try $0[0] as Int64, try $0[1] as String) })
            let locations = try Dictionary(uniqueKeysWithValues: db.fetchAll(sql: "SELECT id, location_id FROM catalog_locations")
                .map { (try $0[0] as Int64, try $0[1] as String) })
            return Dictionary(uniqueKeysWithValues: try Store.balancesAsOf(tenant: tenant, at: at, start: start, in: db).map {
                ("\(variants[$0.key.variant] ?? "?")@\(locations[$0.key.location] ?? "?")", $0.value)
            })
        }
    }

    /// The same by brute force: every movement whose stock date is at or before `at`, summed.
    func summed(_ fixture: Fixture, _ at: String, tenant: String = "t1") throws -> [String: Int64] {
        try fixture.store.read { db in
            var result: [String: Int64] = [:]
            for row in try db.fetchAll(sql: """
                SELECT variant_id, location_id, quantity_delta FROM movements WHERE tenant_id = ? AND occurred_at <= ?
                """, arguments: [tenant, at]) {
                result["\(try row[0] as String)@\(try row[1] as String)", default: 0] += try row[2] as Int64
            }
            return result.filter { $0.value != 0 }
        }
    }

    /// A spot count at WH taken at `at`, of the sheet's lines (`variant,WH,counted`), completed and applied.
    func countCompleted(_ fixture: Fixture, at: String, lines: String) throws {
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .spot, name: "c", locationID: "WH", notes: nil, userID: "alice", countedAt: at))
        _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [
            fixture.file("\(UUID().uuidString).csv", "variant_id,location_id,counted_quantity\n" + lines),
        ])
        _ = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
    }

    func day(_ rng: inout SplitMix64) -> String {
        let day = Int.random(in: 1...28, using: &rng)
        return "2026-08-\(day < 10 ? "0" : "")\(day)T\(Int.random(in: 10...20, using: &rng)):00:00Z"
    }

    @Test(arguments: Backend.available) func balancesAsOfAnyMomentAreTheLedgerSummedByStockDate(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var rng = SplitMix64(seed: 28)
        let items = [("1001", "WH"), ("1002", "WH"), ("1002", "SHOP")]
        for file in 0..<8 {
            let rows = (0..<Int.random(in: 1...25, using: &rng)).map { _ -> (String, String, Int, String?) in
                let (variant, location) = items[Int.random(in: 0..<items.count, using: &rng)]
                let delta = [-3, -2, -1, 1, 2, 3, 4, 5][Int.random(in: 0..<8, using: &rng)]
                return (variant, location, delta, Bool.random(using: &rng) ? day(&rng) : nil)
            }
            try post(fixture, rows, name: "file\(file)")
            if file == 2 || file == 5 || file == 6 {
                // Checkpoints after files 2 and 5 (each due after a posting at all), then none
                // after file 6 (not due until 10,000 more): later files are dated either side.
                let kept = try fixture.store.write("checkpoint") { db in
                    try db.lockLedger(tenant: 1)
                    let posting = try #require(try db.fetchValue(Int64.self, sql: "SELECT max(id) FROM postings"))
                    try Store.keepCheckpointsIfDue(tenant: 1, posting: posting, spans: SpanBook(), every: file == 6 ? 10_000 : 1, in: db)
                    return try Store.checkpoints(tenant: 1, in: db).count
                }
                #expect(kept == (file == 2 ? 1 : 2))
            }
            if file == 3 {
                // A count taken mid-August, and a movement reversed: both have stock dates too.
                let counting = Counting(store: fixture.store)
                let count = try counting.start(CountRequest(
                    tenantID: "t1", orgID: "acme", type: .cycle, name: "Mid", locationID: "WH", notes: nil, userID: "alice",
                    countedAt: "2026-08-14T12:00:00Z"))
                _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [
                    fixture.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH,7\n"),
                ])
                _ = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
                _ = try fixture.store.reverse(movementID: 2, tenantID: "t1", userID: "alice", reason: "twice")
            }
        }
        var moments = ["2026-07-01T00:00:00Z", "2026-08-14T12:00:00Z", "2026-12-31T00:00:00Z", Store.now()]
        for _ in 0..<10 { moments.append(day(&rng)) }
        let spans = try fixture.store.read { db in try Store.spans(tenant: 1, in: db) }
        #expect(!spans.isEmpty)
        for at in moments {
            let expected = try summed(fixture, at)
            #expect(try asOf(fixture, at) == expected, "as of \(at)")
            // Every start gives it, whichever the store would pick: nothing, today, a checkpoint.
            let checkpoints = try fixture.store.read { db in try Store.checkpoints(tenant: 1, in: db) }
            for start in [AsOfStart.nothing, .today] + checkpoints.map(AsOfStart.checkpoint) {
                #expect(try asOf(fixture, at, from: start) == expected, "as of \(at), from \(start)")
            }
            for variant in ["1001", "1002"] {
                #expect(try asOf(fixture, at, variant: variant) == expected.filter { $0.key.hasPrefix(variant + "@") }, "\(variant) as of \(at)")
            }
        }
        // As of now is today's balance.
        let today = try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT variant_id, location_id, on_hand FROM balances WHERE on_hand <> 0")
                .map { ("\(try $0[0] as String)@\(try $0[1] as String)", try $0[2] as Int64) }
        }
        #expect(try asOf(fixture, "2099-01-01T00:00:00Z") == Dictionary(uniqueKeysWithValues: today))
    }

    /// A posting of many spans keeps checkpoints inside it as well as at its end (here every
    /// 30,000 movements or more, cut where a span ends), each covering its posting up to a
    /// movement; as of any moment, from any of them, the balances are the ledger's sum. The
    /// file's rows are out of date order, and some are absorbed by an earlier count.
    /// Held: the segments' sums are held as the file is posted, or (not) read back from the ledger.
    @Test(arguments: Backend.available, [true, false]) func checkpointsInsideALargePostingGiveTheLedgersSum(_ backend: Backend, held: Bool) throws {
        let fixture = try Fixture(backend)
        var rng = SplitMix64(seed: 2_028)
        try post(fixture, [("1001", "WH", 50, "2026-08-20T00:00:00Z"), ("1002", "SHOP", 7, nil)], name: "before")
        // A count of 1001 at WH on 10 August: the large file's rows of it dated before are absorbed,
        // by movements after its last cut.
        try countCompleted(fixture, at: "2026-08-10T00:00:00Z", lines: "1001,WH,40\n")
        let items = [("1001", "WH"), ("1002", "WH"), ("1002", "SHOP")]
        let rows = (0..<70_000).map { _ -> (String, String, Int, String?) in
            let (variant, location) = items[Int.random(in: 0..<items.count, using: &rng)]
            return (variant, location, [-3, -2, -1, 1, 2, 3, 4][Int.random(in: 0..<7, using: &rng)], Int.random(in: 0..<10, using: &rng) == 0 ? nil : day(&rng))
        }
        // Cut every 30,000 movements (the posting keeps them itself), and kept at its end.
        try Store.$checkpointEvery.withValue(30_000) {
            try SpanBook.$segmentKeysHeld.withValue(held ? SpanBook.sumsHeld : 1) { _ = try post(fixture, rows, name: "large") }
        }
        let checkpoints = try fixture.store.read { db in try Store.checkpoints(tenant: 1, in: db) }
        #expect(checkpoints.count >= 2 && checkpoints.filter { $0.lastID != nil }.count == checkpoints.count - 1, "\(checkpoints)")
        let absorbed = try fixture.store.read { db in try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM ledger WHERE absorbs_id IS NOT NULL") }
        #expect((absorbed ?? 0) > 1_000)
        try post(fixture, [("1001", "WH", -4, "2026-08-02T00:00:00Z"), ("1002", "WH", 9, nil)], name: "after")
        var moments = ["2026-08-01T00:00:00Z", "2026-08-20T00:00:00Z", Store.now()] + checkpoints.map(\.stockDate)
        for _ in 0..<6 { moments.append(day(&rng)) }
        for at in moments {
            let expected = try summed(fixture, at)
            #expect(try asOf(fixture, at) == expected, "as of \(at)")
            for start in [AsOfStart.nothing, .today] + checkpoints.map(AsOfStart.checkpoint) {
                #expect(try asOf(fixture, at, from: start) == expected, "as of \(at), from \(start)")
            }
        }
    }

    /// A checkpoint copies every balance, so a tenant keeps one only once it has posted several
    /// times as many movements as it has balances since its last.
    @Test(arguments: Backend.available) func aCheckpointWaitsForMovementsSeveralTimesTheBalances(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        func keep() throws -> Int {
            try fixture.store.write("checkpoint") { db in
                try db.lockLedger(tenant: 1)
                let posting = try #require(try db.fetchValue(Int64.self, sql: "SELECT max(id) FROM postings WHERE tenant = 1"))
                try Store.keepCheckpointsIfDue(tenant: 1, posting: posting, spans: SpanBook(), every: 1, in: db)
                return try Store.checkpoints(tenant: 1, in: db).count
            }
        }
        func post(_ count: Int) throws {
            let rows = (0..<count).map { "\(["1001,WH", "1002,WH", "1001,SHOP"][$0 % 3]),1,\(UUID().uuidString)\n" }.joined()
            _ = try fixture.importing([fixture.file("\(UUID().uuidString).csv", "variant_id,location_id,quantity_delta,reference_id\n" + rows)])
        }
        try post(6)  // three balances: 6 movements of the 12 due
        #expect(try keep() == 0, "kept after fewer movements than four times the balances")
        try post(6)
        #expect(try keep() == 1)
    }

    /// An import that read every stored balance keeps its checkpoint from the balances it holds,
    /// before writing them: the checkpoint is the tenant's balances as stored after it, those the
    /// file left alone and those it took to zero (left out) included; and the rule counts them as
    /// stored, not the keys the file only looked up.
    @Test(arguments: Backend.available) func aCheckpointKeptFromAnImportsBalancesIsTheStoredBalances(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 50, nil), ("1002", "SHOP", 7, nil), ("1001", "SHOP", 3, nil)], name: "before")
        var rng = SplitMix64(seed: 2_029)
        // 1002@SHOP untouched, 1001@SHOP to zero, 1002@WH new, 1001@WH moved.
        var rows: [(String, String, Int, String?)] = [("1001", "SHOP", -3, nil)]
        for _ in 0..<59 {
            let delta = [-2, -1, 1, 2, 3][Int.random(in: 0..<5, using: &rng)]
            rows.append(Bool.random(using: &rng) ? ("1001", "WH", delta, nil) : ("1002", "WH", delta + 3, nil))
        }
        // Due: 60 movements since none, at least 4 times the 4 balances.
        try Store.$checkpointEvery.withValue(60) { _ = try post(fixture, rows, name: "large") }
        try fixture.store.read { db in
            let checkpoints = try Store.checkpoints(tenant: 1, in: db)
            let checkpoint = try #require(checkpoints.last, "no checkpoint kept")
            let stored = Dictionary(uniqueKeysWithValues: try db.fetchAll(sql: "SELECT variant, location, on_hand FROM stock_levels WHERE tenant = 1 AND on_hand <> 0")
                .map { (StockKey(variant: try $0[0], location: try $0[1]), try $0[2] as Int64) })
            #expect(stored.count == 3, "\(stored)")
            #expect(try Store.balances(of: checkpoint, tenant: 1, in: db) == stored)
            #expect(checkpoint.balances == Int64(stored.count))
        }
    }

    /// A checkpoint's balances are kept 4,096 a row (v29) and read back whole, zeros left out,
    /// across blocks and their last partial one; one kept a row a balance before v29 still reads.
    @Test(arguments: Backend.available) func aCheckpointsBalancesReadBackFromBlocksAndFromRowsKeptBefore(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var random = SplitMix64(seed: 29)
        var written: [StockKey: Int64] = [:]
        let (blocks, legacy) = try fixture.store.write("checkpoints") { db -> ([Int64: Int], [StockKey: Int64]) in
            try db.lockLedger(tenant: 1)
            func checkpoint(_ balances: Int64) throws -> Int64 {
                try db.insert(sql: "INSERT INTO stock_checkpoints (tenant, posting, stock_date, balances) VALUES (1, 1, '2026-08-01T00:00:00Z', ?)",
                              arguments: [balances])
            }
            let id = try checkpoint(0)
            var writer = try CheckpointBlocks.Writer(db, tenant: 1, checkpoint: id)
            for index in 0..<(3 * CheckpointBlocks.entriesPerBlock + 37) {
                let key = StockKey(variant: Int64(index), location: Int64(random.next() % 5))
                let onHand = index % 11 == 0 ? 0 : Int64(bitPattern: random.next()) >> Int64(random.next() % 64)
                try writer.append(variant: key.variant, location: key.location, onHand: onHand)
                if onHand != 0 { written[key] = onHand }
            }
            let count = try writer.finish()
            try db.execute(sql: "UPDATE stock_checkpoints SET balances = ? WHERE id = ?", arguments: [count, id])
            let old = try checkpoint(2)
            try db.execute(sql: "INSERT INTO checkpoint_balances (tenant, checkpoint, variant, location, on_hand) VALUES (1, ?, 7, 1, -3), (1, ?, 8, 2, 12)",
                           arguments: [old, old])
            let read = Dictionary(uniqueKeysWithValues: try Store.checkpoints(tenant: 1, in: db).map { ($0.id, $0) })
            let fromBlocks = try Store.balances(of: try #require(read[id]), tenant: 1, in: db)
            #expect(fromBlocks == written && Int64(fromBlocks.count) == count)
            let rows = try db.fetchValue(Int.self, sql: "SELECT count(*) FROM checkpoint_blocks WHERE checkpoint = ?", arguments: [id])
            return ([id: rows ?? 0], try Store.balances(of: try #require(read[old]), tenant: 1, in: db))
        }
        let perBlock = CheckpointBlocks.entriesPerBlock
        #expect(written.count > 2 * perBlock && blocks.values.first == (written.count + perBlock - 1) / perBlock, "balances not 4,096 a row")
        #expect(legacy == [StockKey(variant: 7, location: 1): -3, StockKey(variant: 8, location: 2): 12])
    }

    /// Checkpoints are a tenant's own: another tenant's movements neither make one due nor are
    /// read from one, and each tenant's balances as of a moment are its own ledger's sum.
    /// Two imports of one tenant at once, each large enough to be cut and to bring a checkpoint
    /// due: each checkpoint, whichever posting kept it, is the ledger summed to it.
    @Test(arguments: Backend.available) func twoImportsAtOnceEachDueACheckpointKeepTheLedgersSum(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var rng = SplitMix64(seed: 4_242)
        let items = [("1001", "WH"), ("1002", "WH"), ("1002", "SHOP"), ("1001", "SHOP")]
        let files = (0..<2).map { index in
            let rows = (0..<70_000).map { _ -> String in
                let (variant, location) = items[Int.random(in: 0..<items.count, using: &rng)]
                let date = Int.random(in: 0..<8, using: &rng) == 0 ? "" : day(&rng)
                return "\(variant),\(location),\([-2, -1, 1, 2, 3][Int.random(in: 0..<5, using: &rng)]),\(date)\n"
            }
            return fixture.file("at-once-\(index).csv", "variant_id,location_id,quantity_delta,occurred_at\n" + rows.joined())
        }
        let results = ConcurrentResults()
        let path = fixture.databasePath
        DispatchQueue.concurrentPerform(iterations: files.count) { index in
            do {
                let report = try Store.$checkpointEvery.withValue(30_000) {
                    try ImportPipeline(store: try Store(path: path)).run(ImportRequest(
                        tenantID: "t1", orgID: "acme", format: .synq, files: [files[index]]))
                }
                results.add(report.counts.posted)
            } catch {
                Issue.record("import \(index): \(error)")
            }
        }
        #expect(results.values == [70_000, 70_000])
        let checkpoints = try fixture.store.read { db in try Store.checkpoints(tenant: 1, in: db) }
        // Each posting kept one at a cut inside (past its first batch) and one at its end.
        let byPosting = Dictionary(grouping: checkpoints, by: \.posting).values
        #expect(byPosting.count == 2 && byPosting.allSatisfy { $0.count == 2 && $0.filter { $0.lastID == nil }.count == 1 }, "\(checkpoints)")
        var moments = [Store.now()] + checkpoints.map(\.stockDate)
        for _ in 0..<4 { moments.append(day(&rng)) }
        for at in moments {
            let expected = try summed(fixture, at)
            for start in [AsOfStart.nothing, .today] + checkpoints.map(AsOfStart.checkpoint) {
                #expect(try asOf(fixture, at, from: start) == expected, "as of \(at), from \(start)")
            }
        }
    }

    @Test(arguments: Backend.available) func checkpointsAreATenantsOwn(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        func file(_ rows: [(String, Int, String)]) -> InputFile {
            fixture.file("\(UUID().uuidString).csv", "variant_id,location_id,quantity_delta,occurred_at\n"
                + rows.map { "\($0.0),WH,\($0.1),\($0.2)\n" }.joined())
        }
        func keep(_ tenantID: String) throws -> [Int] {
            try fixture.store.write("checkpoint") { db in
                let tenant = try #require(try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenantID]))
                try db.lockLedger(tenant: tenant)
                let posting = try #require(try db.fetchValue(Int64.self, sql: "SELECT max(id) FROM postings WHERE tenant = ?", arguments: [tenant]))
                try Store.keepCheckpointsIfDue(tenant: tenant, posting: posting, spans: SpanBook(), every: 5, perBalance: 1, in: db)
                return [try Store.checkpoints(tenant: 1, in: db).count, try Store.checkpoints(tenant: 2, in: db).count]
            }
        }
        _ = try fixture.importing([file([("1001", 5, "2026-08-05T00:00:00Z"), ("1002", 2, "2026-08-06T00:00:00Z"), ("1001", -1, "2026-08-20T00:00:00Z")])])
        _ = try fixture.importing([file((1...10).map { ("1001", $0, "2026-08-\(10 + $0)T00:00:00Z") })], tenant: "t2")
        #expect(try keep("t1") == [0, 0], "t2's ten movements made t1's checkpoint due")
        _ = try fixture.importing([file([("1001", 4, "2026-08-02T00:00:00Z"), ("1002", 3, "2026-08-25T00:00:00Z"), ("1001", 1, "2026-08-09T00:00:00Z")])])
        #expect(try keep("t1") == [1, 0])
        _ = try fixture.importing([file([("1001", 7, "2026-08-03T00:00:00Z")])], tenant: "t2")
        let checkpoints = try fixture.store.read { db in try Store.checkpoints(tenant: 1, in: db) }
        for at in ["2026-08-01T00:00:00Z", "2026-08-08T00:00:00Z", "2026-08-15T00:00:00Z", "2026-08-22T00:00:00Z", "2026-09-01T00:00:00Z"] {
            for tenant in ["t1", "t2"] {
                let expected = try summed(fixture, at, tenant: tenant)
                for start in [AsOfStart.nothing, .today] + (tenant == "t1" ? checkpoints.map(AsOfStart.checkpoint) : []) {
                    #expect(try asOf(fixture, at, from: start, tenant: tenant) == expected, "\(tenant) as of \(at), from \(start)")
                }
            }
        }
    }

    /// A count at T: system quantities are on-hand then; what is dated after T (and what is
    /// posted while counting without a date) moved during the count; a movement posted while
    /// counting but dated before T is in the system quantity; the variance is dated T.
    @Test(arguments: Backend.available) func aCountTakenAtATimeSeesTheStockThen(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 20, "2026-08-01T09:00:00Z"), ("1001", "WH", -2, "2026-08-10T09:00:00Z"), ("1001", "WH", 5, "2026-08-20T09:00:00Z")])
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .spot, name: "Sat", locationID: "WH", notes: nil, userID: "alice", countedAt: "2026-08-15T00:00:00Z"))
        try post(fixture, [("1001", "WH", 3, "2026-08-12T09:00:00Z"), ("1001", "WH", 4, nil)])
        _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [
            fixture.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH,17\n"),
        ])
        let completion = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        let tent = try #require(try completedItems(fixture.store, completion).first)
        #expect(tent.item.systemQuantity == 21)
        #expect(tent.item.movedDuringCount == 9)
        #expect(tent.item.variance == -4)
        #expect(try fixture.balance("1001") == 26)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'count' AND occurred_at = '2026-08-15T00:00:00Z' AND quantity_delta = -4") == 1)
        #expect(try asOf(fixture, "2026-08-15T00:00:00Z") == ["1001@WH": 17])
        #expect(try asOf(fixture, "2026-08-21") == ["1001@WH": 22])
        #expect(try fixture.store.read { db in try Store.completedCounts(tenantID: "t1", from: "2026-08-15", to: "2026-08-15", in: db) }.map(\.id) == [count])
    }

    /// A receipt and a removal dated before a completed count, posted after it: history before
    /// the count changes, what the count found stands, on-hand is unchanged, the count's report
    /// lists them; a reversal of one un-absorbs it the same way.
    @Test(arguments: Backend.available) func backdatedMovementsAreAbsorbedAtTheCountAfterThem(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 20, "2026-08-01T09:00:00Z"), ("1001", "WH", 5, "2026-08-20T09:00:00Z")])
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .spot, name: "Sat", locationID: "WH", notes: nil, userID: "alice", countedAt: "2026-08-15T00:00:00Z"))
        _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [
            fixture.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH,18\n"),
        ])
        _ = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        #expect(try fixture.balance("1001") == 23)
        let late = try post(fixture, [("1001", "WH", 6, "2026-08-11T09:00:00Z"), ("1001", "WH", -2, "2026-08-14T09:00:00Z"), ("1001", "WH", 1, "2026-08-16T09:00:00Z")])
        #expect(late.counts.posted == 3)
        #expect(try fixture.balance("1001") == 24)  // only the movement after the count moves today's stock
        #expect(try asOf(fixture, "2026-08-14T23:00:00Z") == ["1001@WH": 24])
        #expect(try asOf(fixture, "2026-08-15T00:00:00Z") == ["1001@WH": 18])
        let absorbers = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT a.quantity_delta, a.occurred_at, a.transaction_type, b.quantity_delta FROM movements a JOIN movements b ON b.id = a.absorbs_id
                WHERE b.absorbed_by_id = a.id ORDER BY a.id
                """).map { row -> [Int64] in
                let (date, kind): (String, String) = (try row[1], try row[2])
                return [try row[0], try row[3], date == "2026-08-15T00:00:00Z" && kind == "count" ? 1 : 0]
            }
        }
        #expect(absorbers == [[-6, 6, 1], [2, -2, 1]])
        let report = try Reporting(store: fixture.store).variance(countID: count, tenantID: "t1")
        let absorbed = try #require(report.tables.first { $0.key == "absorbed" })
        #expect(absorbed.rows.map { $0.last } == [.integer(26), .integer(24)])  // the revised system quantity, running from 20
        #expect(try fixture.variantRunsMatchLedger())

        let receipt = try fixture.store.read { db in
            try db.fetchValue(Int64.self, sql: "SELECT id FROM movements WHERE quantity_delta = 6 AND transaction_type = 'adjustment'")
        }
        _ = try fixture.store.reverse(movementID: try #require(receipt), tenantID: "t1", userID: "alice", reason: "not ours")
        #expect(try fixture.balance("1001") == 24)
        #expect(try asOf(fixture, "2026-08-14T23:00:00Z") == ["1001@WH": 18])
        #expect(try asOf(fixture, "2026-08-15T00:00:00Z") == ["1001@WH": 18])
        #expect(try summed(fixture, "2026-08-14T23:00:00Z") == ["1001@WH": 18])
    }

    /// A run's reversals are posted a page at a time, each page's in one posting: each is
    /// decided against what the ones before it left (the ledger's running sum holds), one
    /// dated before a stock check of its item is absorbed at it (what the check set stands),
    /// the others are not, and every balance as of a moment is the sum of its movements.
    @Test(arguments: Backend.available) func aRunsReversalsDatedBeforeAStockCheckAreAbsorbedAtIt(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let run = try #require(try post(fixture, [
            ("1001", "WH", 5, "2026-07-10T09:00:00Z"), ("1002", "SHOP", 3, "2026-07-11T09:00:00Z"), ("1001", "WH", 2, "2026-07-12T09:00:00Z"),
            ("1001", "WH", 4, "2026-08-20T09:00:00Z"), ("1001", "SHOP", 1, "2026-07-13T09:00:00Z"),
        ]).runID)
        let opening = fixture.file("opening.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            o1,1001,WH,set,,40,2026-08-01T00:00:00Z

            """)
        #expect(try fixture.importing([opening], format: .canonical).counts.posted == 1)
        #expect(try fixture.balance("1001") == 44)
        let reversal = try Store.$reversalPage.withValue(2) {
            try fixture.store.reverse(runID: run, tenantID: "t1", userID: "alice", reason: "wrong file")
        }
        #expect(reversal.reversals == 5)
        #expect(try fixture.balance("1001") == 40, "the check's 40 stands")
        #expect(try fixture.balance("1002", "SHOP") == 0 && fixture.balance("1001", "SHOP") == 0)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'count' AND absorbs_id IS NOT NULL") == 2)
        for at in ["2026-07-11T12:00:00Z", "2026-07-31T00:00:00Z", "2026-08-02T00:00:00Z", "2026-08-21T00:00:00Z"] {
            #expect(try asOf(fixture, at) == summed(fixture, at), "as of \(at)")
        }
        #expect(try asOf(fixture, "2026-08-02T00:00:00Z") == ["1001@WH": 40])
        #expect(try fixture.count("""
            SELECT count(*) FROM ledger l WHERE l.quantity_before <> COALESCE((
                SELECT sum(e.quantity_delta) FROM ledger e WHERE e.variant = l.variant AND e.location = l.location AND e.id < l.id), 0)
            """) == 0, "each movement's quantity before is what the ones before it left")
        #expect(try fixture.count("""
            SELECT count(*) FROM ledger l WHERE NOT EXISTS (
                SELECT 1 FROM posting_spans s WHERE s.posting = l.posting AND l.id BETWEEN s.first_id AND s.last_id)
            """) == 0)
        #expect(try fixture.count("SELECT count(DISTINCT r.posting) FROM ledger r JOIN postings p ON p.id = r.posting WHERE p.run = ?", [reversal.runID]) == 3)
        #expect(try fixture.variantRunsMatchLedger())
    }

    /// Opening balances: rows that set on-hand, dated, are stock checks as a count's items are:
    /// a movement dated before them is absorbed; a set dated before later movements is decided
    /// against on-hand then, not today's.
    @Test(arguments: Backend.available) func rowsThatSetOnHandAreChecksAtTheirDate(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 5, "2026-08-20T09:00:00Z")])
        let opening = fixture.file("opening.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            o1,1001,WH,set,,40,2026-08-01T00:00:00Z

            """)
        let report = try fixture.importing([opening], format: .canonical)
        #expect(report.counts.posted == 1)
        // Set to 40 on 1 August, before the 5 of the 20th: today holds 45.
        #expect(try fixture.balance("1001") == 45)
        #expect(try asOf(fixture, "2026-08-02") == ["1001@WH": 40])
        try post(fixture, [("1001", "WH", 3, "2026-07-30T09:00:00Z")])
        #expect(try fixture.balance("1001") == 45)
        #expect(try asOf(fixture, "2026-07-31") == ["1001@WH": 3])
        #expect(try asOf(fixture, "2026-08-02") == ["1001@WH": 40])
        let summary = try Reporting(store: fixture.store).summary(tenantID: "t1", from: "2026-08-01", to: "2026-08-31")
        #expect(try #require(summary.tables.first { $0.key == "imported_checks" }).rows == [[.text("2026-08-01"), .text("WH"), .integer(1)]])
    }

    /// Every posting path records its span: a balance as of a moment misses nothing.
    @Test(arguments: Backend.available) func everyPostingThatMovedStockHasItsSpan(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 5, nil), ("1002", "SHOP", 2, "2026-08-02T00:00:00Z")])
        let held = try fixture.importing([fixture.file("held.csv", "variant_id,location_id,quantity_delta\n1001,WH,900\n")])
        #expect(held.counts.pending == 1)
        let database = fixture.store
        _ = try database.decide(approvalID: 1, tenantID: "t1", userID: "alice", note: nil, approve: true)
        _ = try database.reverse(movementID: 1, tenantID: "t1", userID: "alice", reason: "twice")
        _ = try database.reverse(runID: 2, tenantID: "t1", userID: "alice", reason: "all")
        let counting = Counting(store: fixture.store)
        let count = try counting.start(CountRequest(tenantID: "t1", orgID: "acme", type: .spot, name: "c", locationID: "WH", notes: nil, userID: "alice"))
        _ = try counting.add(countID: count, tenantID: "t1", userID: "alice", files: [fixture.file("s.csv", "variant_id,location_id,counted_quantity\n1001,WH,1\n")])
        _ = try counting.complete(countID: count, tenantID: "t1", userID: "alice", apply: true, uncounted: .keep)
        let unspanned = try fixture.count("""
            SELECT count(*) FROM ledger l WHERE NOT EXISTS (
                SELECT 1 FROM posting_spans s WHERE s.posting = l.posting AND l.id BETWEEN s.first_id AND s.last_id)
            """)
        #expect(unspanned == 0)
        #expect(try fixture.count("SELECT count(*) FROM ledger") >= 6)
    }

    /// A large file's movements are several spans, each with its own dates: a balance as of a
    /// moment inside the file reads only the spans on one side of it, and is still the sum.
    @Test(arguments: Backend.available) func aLargeFileIsSeveralSpansAndAsOfStillSumsIt(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rows = 150_000
        var text = "variant_id,location_id,quantity_delta,occurred_at\n"
        for row in 0..<rows {
            // Dated through the year in file order, as a history exported at once is.
            let day = 1 + row * 360 / rows
            let date = Timestamp.format(epochSeconds: (Timestamp.daysFromCivil(year: 2026, month: 1, day: 1) + day) * 86_400)
            text += "\(row % 3 == 0 ? "1002" : "1001"),WH,\(row % 5 == 0 ? -1 : 1),\(date)\n"
        }
        #expect(try fixture.importing([fixture.file("history.csv", text)]).counts.posted == rows)
        #expect(try fixture.count("SELECT count(*) FROM posting_spans") >= 3)
        for at in ["2026-01-15T00:00:00Z", "2026-06-30T12:00:00Z", "2026-12-20T00:00:00Z"] {
            #expect(try asOf(fixture, at) == summed(fixture, at), "as of \(at)")
        }
    }

    /// With negative stock forbidden, a removal dated before later movements is checked at
    /// every day it changes: refused, naming the day, when on-hand would have gone below zero
    /// then, though today's on-hand could take it; allowed when history can, though today's
    /// could not, because a count after it absorbs it.
    @Test(arguments: Backend.available) func negativeStockIsCheckedAtEveryDayABackdatedRemovalChanges(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [
            ("1001", "WH", 5, "2026-08-01T09:00:00Z"), ("1001", "WH", -4, "2026-08-05T09:00:00Z"), ("1001", "WH", 10, "2026-08-09T09:00:00Z"),
        ])
        func strictly(_ rows: String) throws -> RunReport {
            try ImportPipeline(store: fixture.store).run(ImportRequest(
                tenantID: "t1", orgID: "acme", format: .synq,
                files: [fixture.file("\(UUID().uuidString).csv", "variant_id,location_id,quantity_delta,occurred_at\n" + rows)],
                rules: AdjustmentRules(isNegativeStockForbidden: true)))
        }
        // Today 11 could take 3, but on 5 August only 1 stood.
        let refused = try strictly("1001,WH,-3,2026-08-03T09:00:00Z\n")
        #expect(refused.counts == OutcomeCounts(rows: 1, rejected: 1))
        let message = try fixture.store.read { db in try db.fetchValue(String.self, sql: "SELECT msg FROM rejections WHERE run_id = ?", arguments: [refused.runID]) }
        #expect(message?.contains("on 2026-08-05 from 1 to -2") == true, "\(message ?? "")")
        #expect(try strictly("1001,WH,-1,2026-08-03T09:00:00Z\n").counts.posted == 1)
        #expect(try fixture.balance("1001") == 10)

        // A count on the 10th found 2: today's 2 cannot take 5, but the 9th's 19 could, and the count absorbs it.
        try countCompleted(fixture, at: "2026-08-10T00:00:00Z", lines: "1001,WH,2\n")
        #expect(try fixture.balance("1001") == 2)
        #expect(try strictly("1001,WH,-5,2026-08-09T12:00:00Z\n").counts.posted == 1)
        #expect(try fixture.balance("1001") == 2)
        #expect(try strictly("1001,WH,-5,2026-08-11T12:00:00Z\n").counts.rejected == 1)
    }

    /// A held change dated before later movements is decided at approval as it would have been
    /// imported: a set against on-hand at its date.
    @Test(arguments: Backend.available) func anApprovedBackdatedSetIsDecidedAgainstOnHandThen(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 5, "2026-08-20T09:00:00Z")])
        let opening = fixture.file("opening.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            o1,1001,WH,set,,100,2026-08-01T00:00:00Z

            """)
        #expect(try fixture.importing([opening], format: .canonical).counts.pending == 1)  // 100 units: over the threshold
        let decision = try fixture.store.decide(approvalID: 1, tenantID: "t1", userID: "alice", note: nil, approve: true)
        #expect(decision.movementID != nil)
        // Set to 100 on 1 August, then 5 received on the 20th: 105 today, not 100.
        #expect(try fixture.balance("1001") == 105)
        #expect(try asOf(fixture, "2026-08-02") == ["1001@WH": 100])
    }

    /// A file's own row that sets on-hand is a check for the rows after it in the same file.
    @Test(arguments: Backend.available) func aFilesOwnSetIsACheckForItsLaterRows(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("mixed.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            s1,1001,WH,set,,40,2026-08-10T00:00:00Z
            a1,1001,WH,adjustment,3,,2026-08-05T00:00:00Z
            a2,1001,WH,adjustment,-2,,2026-08-12T00:00:00Z

            """)
        #expect(try fixture.importing([file], format: .canonical).counts.posted == 3)
        // 40 counted on the 10th stands; the 3 of the 5th changes only the days before it.
        #expect(try fixture.balance("1001") == 38)
        #expect(try asOf(fixture, "2026-08-06") == ["1001@WH": 3])
        #expect(try asOf(fixture, "2026-08-11") == ["1001@WH": 40])
    }

    /// A file's own rows are history for its later rows: a backdated removal is checked against
    /// the file's earlier rows of its item (though not yet written), a row dated before one the
    /// file posted earlier is backdated too, and a set is decided against on-hand then.
    @Test(arguments: Backend.available) func aFilesEarlierRowsAreHistoryForItsLaterOnes(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        func strictly(_ rows: String) throws -> RunReport {
            try ImportPipeline(store: fixture.store).run(ImportRequest(
                tenantID: "t1", orgID: "acme", format: .synq,
                files: [fixture.file("\(UUID().uuidString).csv", "variant_id,location_id,quantity_delta,occurred_at\n" + rows)],
                rules: AdjustmentRules(isNegativeStockForbidden: true)))
        }
        func message(_ report: RunReport) throws -> String {
            try fixture.store.read { db in try db.fetchValue(String.self, sql: "SELECT msg FROM rejections WHERE run_id = ?", arguments: [report.runID]) } ?? ""
        }
        // Out of date order in one file, on a new tenant: on the 10th the 5 of the 1st went, so
        // 2 taken on the 5th would have left -2 then, though today's 3 could take it.
        let unordered = try strictly("""
            1002,WH,5,2026-08-01T09:00:00Z
            1002,WH,-5,2026-08-10T09:00:00Z
            1002,WH,3,2026-08-12T09:00:00Z
            1002,WH,-2,2026-08-05T09:00:00Z

            """)
        #expect(unordered.counts == OutcomeCounts(rows: 4, posted: 3, rejected: 1))
        let unorderedMessage = try message(unordered)
        #expect(unorderedMessage.contains("on 2026-08-10 from 0 to -2"), "\(unorderedMessage)")

        // Two removals of one file, each possible alone: 5 on the 1st, 4 gone on the 5th.
        try post(fixture, [
            ("1001", "WH", 5, "2026-08-01T09:00:00Z"), ("1001", "WH", -4, "2026-08-05T09:00:00Z"), ("1001", "WH", 10, "2026-08-09T09:00:00Z"),
        ])
        let twice = try strictly("1001,WH,-1,2026-08-03T09:00:00Z\n1001,WH,-1,2026-08-04T09:00:00Z\n")
        #expect(twice.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        let twiceMessage = try message(twice)
        #expect(twiceMessage.contains("on 2026-08-05 from 0 to -1"), "\(twiceMessage)")
        #expect(try asOf(fixture, "2026-08-05T12:00:00Z") == summed(fixture, "2026-08-05T12:00:00Z"))

        // A set dated after a row the file posted earlier, dated earlier still.
        let later = fixture.file("later.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            a1,1001,SHOP,adjustment,5,,2026-08-12T00:00:00Z
            s1,1001,SHOP,set,,10,2026-08-01T00:00:00Z
            a2,1001,SHOP,adjustment,-2,,2026-08-03T00:00:00Z
            s2,1001,SHOP,set,,4,2026-08-04T00:00:00Z

            """)
        #expect(try fixture.importing([later], format: .canonical).counts.posted == 4)
        // Set to 10 on the 1st (nothing stood), 2 gone on the 3rd, set to 4 on the 4th, 5 in on the 12th.
        #expect(try asOf(fixture, "2026-08-02", variant: "1001")["1001@SHOP"] == 10)
        #expect(try asOf(fixture, "2026-08-05", variant: "1001")["1001@SHOP"] == 4)
        #expect(try fixture.balance("1001", "SHOP") == 9)
    }

    /// A row absorbed at a check earlier in its file leaves on-hand as it was for the file's
    /// later rows: today's check does not count what the check undid, and a set after the
    /// check is decided against what the check found.
    @Test(arguments: Backend.available) func aRowAbsorbedEarlierInItsFileDoesNotMoveStockForTheRest(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        try post(fixture, [("1001", "WH", 5, "2026-08-01T09:00:00Z"), ("1001", "WH", 1, "2026-08-20T09:00:00Z")])
        try countCompleted(fixture, at: "2026-08-10T00:00:00Z", lines: "1001,WH,2\n")
        let strict = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: .synq,
            files: [fixture.file("late.csv", "variant_id,location_id,quantity_delta,occurred_at\n1001,WH,40,2026-08-03T09:00:00Z\n1001,WH,-30,\n")],
            rules: AdjustmentRules(isNegativeStockForbidden: true)))
        // The 40 of the 3rd is absorbed by the count that found 2: 30 cannot go today.
        #expect(strict.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(try fixture.balance("1001") == 3)

        let sets = fixture.file("sets.csv", """
            idempotency_key,variant_id,location_id,transaction_type,quantity_delta,quantity_after,occurred_at
            a1,1001,WH,adjustment,-1,,2026-08-04T00:00:00Z
            s1,1001,WH,set,,7,2026-08-11T00:00:00Z

            """)
        #expect(try fixture.importing([sets], format: .canonical).counts.posted == 2)
        // On the 11th the count's 2 stood (the 1 of the 4th absorbed): set to 7 is 5 in, before the 1 of the 20th.
        #expect(try fixture.balance("1001") == 8)
        #expect(try asOf(fixture, "2026-08-11T12:00:00Z") == ["1001@WH": 7])
        #expect(try asOf(fixture, "2026-08-11T12:00:00Z") == summed(fixture, "2026-08-11T12:00:00Z"))
        #expect(try fixture.variantRunsMatchLedger())
    }

    /// With negative stock forbidden, random backdated files (rows out of date order, items
    /// named again and again, a count among them) never leave history below zero: walked by
    /// stock date, every item's on-hand after every movement is at least zero.
    @Test(arguments: Backend.available) func aStrictLedgerNeverGoesBelowZeroOnAnyDay(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var rng = SplitMix64(seed: 2811)
        let items = [("1001", "WH"), ("1002", "WH"), ("1001", "SHOP")]
        var rejected = 0
        for file in 0..<10 {
            let rows = (0..<Int.random(in: 5...40, using: &rng)).map { _ -> String in
                let (variant, location) = items[Int.random(in: 0..<items.count, using: &rng)]
                let delta = [-4, -3, -2, -1, 1, 2, 3][Int.random(in: 0..<7, using: &rng)]
                return "\(variant),\(location),\(delta),\(Int.random(in: 0..<5, using: &rng) == 0 ? "" : day(&rng))\n"
            }
            let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
                tenantID: "t1", orgID: "acme", format: .synq,
                files: [fixture.file("strict\(file).csv", "variant_id,location_id,quantity_delta,occurred_at\n" + rows.joined())],
                rules: AdjustmentRules(isNegativeStockForbidden: true)))
            #expect(report.counts.pending == 0)
            rejected += report.counts.rejected
            if file == 4 {
                try countCompleted(fixture, at: "2026-08-14T12:00:00Z", lines: "1001,WH,3\n")
            }
        }
        #expect(rejected > 0, "the files never tried to go below zero: the test proves nothing")
        let lowest = try fixture.store.read { db in
            // On-hand as of each moment: after all of its movements (a count's and the ones it absorbs).
            var onHand: [String: Int64] = [:]
            var lowest: [String: (Int64, String)] = [:]
            for row in try db.fetchAll(sql: """
                SELECT variant_id, location_id, occurred_at, sum(quantity_delta) FROM movements WHERE tenant_id = 't1'
                GROUP BY variant_id, location_id, occurred_at ORDER BY occurred_at
                """) {
                let key = "\(try row[0] as String)@\(try row[1] as String)"
                onHand[key, default: 0] += try row[3] as Int64
                if onHand[key, default: 0] < lowest[key]?.0 ?? 0 { lowest[key] = (onHand[key, default: 0], try row[2] as String) }
            }
            return lowest.mapValues { "\($0.0) on \($0.1)" }
        }
        #expect(lowest.isEmpty, "\(lowest)")
    }

    /// `balance --as-of` lists the same rows, in `balance`'s order (variant, then location), in
    /// the same order whether it names its variants by lists of ids or reads the catalog in one
    /// pass; balances that are zero then are left out.
    @Test(arguments: Backend.available) func balancesAsOfAreListedAlikeByIdsAndByOnePassOverTheCatalog(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        // A variant loaded after the others whose id sorts before theirs.
        let later = fixture.file("later.csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n0999,P9,acme,CUP,409,1.00,false\n")
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [later]).counts.posted == 1)
        try post(fixture, [
            ("0999", "SHOP", 7, "2026-08-06T09:00:00Z"),
            ("1002", "WH", 4, "2026-08-01T09:00:00Z"), ("1001", "WH", 5, "2026-08-01T09:00:00Z"), ("1001", "SHOP", 3, "2026-08-02T09:00:00Z"),
            ("1002", "SHOP", 2, "2026-08-02T09:00:00Z"), ("1002", "WH", -4, "2026-08-03T09:00:00Z"), ("1001", "SHOP", 1, "2026-08-05T09:00:00Z"),
        ])
        func plain(_ cell: TableValue) -> String {
            switch cell {
            case .integer(let value): "\(value)"
            case .text(let text): text
            case .null: "-"
            }
        }
        func listed(_ at: String, location: String? = nil, wholeFrom: Int) throws -> [String] {
            try Store.$wholeCatalogFrom.withValue(wholeFrom) {
                try fixture.store.balances(tenantID: "t1", variantID: nil, locationID: location, asOf: at).rows.map { $0.map(plain).joined(separator: " ") }
            }
        }
        for (at, expected) in [
            ("2026-08-04T00:00:00Z", ["1001 SHOP 3 - 1000 3000", "1001 WH 5 - 1000 5000", "1002 SHOP 2 - 250 500"]),
            ("2026-08-01T12:00:00Z", ["1001 WH 5 - 1000 5000", "1002 WH 4 - 250 1000"]),
            ("2026-07-01T00:00:00Z", []),
        ] {
            #expect(try listed(at, wholeFrom: .max) == expected, "\(at) by lists of ids")
            #expect(try listed(at, wholeFrom: 1) == expected, "\(at) in one pass")
        }
        var today: [String] = []
        try fixture.store.forEachBalance(tenantID: "t1", variantID: nil, locationID: nil) { today.append($0.prefix(3).map(plain).joined(separator: " ")) }
        // `balance` lists a balance at zero; as of a moment it is left out.
        #expect(today.contains("1002 WH 0"))
        #expect(try listed("2026-09-01T00:00:00Z", wholeFrom: 1).map { $0.split(separator: " ").prefix(3).joined(separator: " ") }
            == today.filter { !$0.hasSuffix(" 0") })
        #expect(try listed("2026-09-01T00:00:00Z", location: "SHOP", wholeFrom: 1) == ["0999 SHOP 7 - 100 700", "1001 SHOP 4 - 1000 4000", "1002 SHOP 2 - 250 500"])
    }

    /// `balance --as-of` lists in `balance`'s order, the database's: on PostgreSQL with a
    /// collation other than C (ICU's en-US), where case and punctuation sort otherwise than bytes,
    /// by lists of ids (one list and several) and in one pass over the catalog alike.
    @Test(arguments: Backend.available) func balancesAsOfAreListedInTheDatabasesOrder(_ backend: Backend) throws {
        let fixture = try Fixture(backend, collation: "en-US")
        let ids = ["b-2", "B1", "a_9", "A-10", "ab", "aB", "Z", "z-1"]
        let variants = fixture.file("mixed.csv", "variant_id,org_id,unit_cost\n" + ids.map { "\($0),acme,1.00\n" }.joined())
        let locations = fixture.file("mixed-locations.csv", "location_id,name\nwh-b,b\nWH_A,a\nWh-c,c\n")
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [locations, variants]).counts.rejected == 0)
        var rows: [(String, String, Int, String?)] = []
        for (index, id) in (ids + ["1001", "1002"]).enumerated() {
            for location in ["wh-b", "WH_A", "Wh-c", "SHOP", "WH"] where (index + location.count) % 3 != 0 {
                rows.append((id, location, index + 1, "2026-08-0\(index % 5 + 1)T09:00:00Z"))
            }
        }
        _ = try post(fixture, rows)
        var today: [String] = []
        try fixture.store.forEachBalance(tenantID: "t1", variantID: nil, locationID: nil) { today.append($0.prefix(2).map { cell in
            if case .text(let text) = cell { text } else { "" }
        }.joined(separator: " ")) }
        #expect(today.count == rows.count)
        for (wholeFrom, chunk) in [(Int.max, 10_000), (Int.max, 2), (1, 10_000)] {
            let listed = try Store.$wholeCatalogFrom.withValue(wholeFrom) {
                try Store.$asOfChunk.withValue(chunk) {
                    try fixture.store.balances(tenantID: "t1", variantID: nil, locationID: nil, asOf: "2026-09-01T00:00:00Z").rows
                }
            }
            let pairs = listed.map { $0.prefix(2).map { cell in if case .text(let text) = cell { text } else { "" } }.joined(separator: " ") }
            #expect(pairs == today, "whole catalog from \(wholeFrom) variants, lists of \(chunk)")
        }
    }

    /// The value of stock as of a moment is at the unit cost in force then: a catalog load
    /// that changes a cost keeps the one it replaced, and when; another tenant's is its own.
    @Test(arguments: Backend.available) func stockAsOfAMomentIsValuedAtTheCostInForceThen(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        try post(fixture, [("1001", "WH", 5, "2026-08-01T09:00:00Z")])
        _ = try fixture.importing([fixture.file("t2.csv", "variant_id,location_id,quantity_delta,occurred_at\n1001,WH,5,2026-08-01T09:00:00Z\n")], tenant: "t2")
        func variants(cost: String, sku: String = "TENT") -> InputFile {
            fixture.file("variants-\(cost)-\(sku).csv", """
                variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
                1001,P1,acme,\(sku),400,\(cost),false

                """)
        }
        func reload(cost: String, sku: String = "TENT") throws {
            #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants(cost: cost, sku: sku)]).counts.rejected == 0)
        }
        // Its cost and value, the variant named by lists of ids and through a pass over the
        // whole catalog, and in the whole tenant's: all alike.
        func valued(_ at: String, tenant: String = "t1") throws -> [TableValue] {
            var ways: [[TableValue]] = []
            for wholeFrom in [Int.max, 1] {
                try Store.$wholeCatalogFrom.withValue(wholeFrom) {
                    for variant in ["1001", nil] {
                        let table = try fixture.store.balances(tenantID: tenant, variantID: variant, locationID: "WH", asOf: at)
                        ways.append(table.rows.first { $0[0] == .text("1001") }.map { [$0[4], $0[5]] } ?? [])
                    }
                }
            }
            #expect(Set(ways).count == 1, "\(ways)")
            return ways[0]
        }
        try reload(cost: "12.00")
        try reload(cost: "12.00", sku: "TENT-B")  // the cost unchanged: nothing replaced
        try reload(cost: "15.00")
        // Two files of one load change it twice: the cost before the load is the one it replaced.
        let twice = [variants(cost: "16.00"), variants(cost: "17.00")]
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: twice).counts.rejected == 0)
        let replaced = try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT unit_cost_minor FROM catalog_cost_history ORDER BY run").map { try $0[0] as Int64 }
        }
        #expect(replaced == [1000, 1200, 1500])
        // The loads ran within a second: say the first was on 1 September.
        try fixture.store.write("backdating a cost's replacement") { db in
            try db.execute(sql: "UPDATE catalog_cost_history SET replaced_at = '2026-09-01T00:00:00Z' WHERE unit_cost_minor = 1000")
        }
        #expect(try valued("2026-08-02T00:00:00Z") == [.integer(1000), .integer(5000)])
        #expect(try valued("2026-09-15T00:00:00Z") == [.integer(1200), .integer(6000)])
        #expect(try valued("2099-01-01T00:00:00Z") == [.integer(1700), .integer(8500)])
        #expect(try valued("2026-08-02T00:00:00Z", tenant: "t2") == [.integer(1000), .integer(5000)])
    }
}

