import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// A tenant with more balances than one scan reads has a batch's stored balances read at once,
/// ahead of its rows (one statement on PostgreSQL, where a statement a key waited a round trip
/// each): a file posts as it does when every balance is read in one scan.
@Suite struct BalanceReadAheadTests {
    @Test(arguments: Backend.available) func balancesReadAheadEndAsBalancesReadInOneScan(_ backend: Backend) throws {
        let opening = "variant_id,location_id,quantity_delta\n1001,WH,10\n1002,WH,5\n1002,SHOP,3\n"
        // Stored keys, a new one, a key twice, an unknown variant and another org's.
        let nightly = "variant_id,location_id,quantity_delta\n1001,WH,-4\n1002,SHOP,2\n1001,SHOP,7\n1001,WH,1\n9999,WH,1\n2001,WH,1\n"
        var outcomes: [[String]] = []
        for scanLimit in [0, BalanceCache.scanLimit] {
            let fixture = try Fixture(backend)
            #expect(try fixture.importing([fixture.file("opening.csv", opening)]).counts.posted == 3)
            // Key by key throughout: three stored balances are scanned at the first key otherwise.
            let report = try BalanceCache.$scanLimit.withValue(scanLimit) {
                try BalanceCache.$lateScanLimit.withValue(0) { try fixture.importing([fixture.file("nightly.csv", nightly)]) }
            }
            #expect(report.counts.posted == 4 && report.counts.rejected == 2, "\(report.counts)")
            let balances = try fixture.store.read { db in
                try db.fetchAll(sql: "SELECT variant_id, location_id, on_hand FROM balances WHERE tenant_id = 't1' ORDER BY 1, 2")
                    .map { row -> String in
                        let (variant, location, onHand): (String, String, Int64) = (try row[0], try row[1], try row[2])
                        return "\(variant)@\(location)=\(onHand)"
                    }
            }
            outcomes.append(balances)
        }
        #expect(outcomes[0] == ["1001@SHOP=7", "1001@WH=7", "1002@SHOP=5", "1002@WH=5"])
        #expect(outcomes[0] == outcomes[1])
    }

    /// A tenant's balances read key by key until the file has looked up an eighth of them, then
    /// the rest in one scan, end as they do read whole from the start or key by key throughout:
    /// balances, and the checkpoint kept from the book the scan made whole. The file is two
    /// batches: the first looks up 16 of 64 stored keys (and new ones), the second scans.
    @Test(arguments: Backend.available) func aScanAfterKeysLookedUpEndsAsEitherAlone(_ backend: Backend) throws {
        try endsAsEitherAlone(backend, laterKeys: 0 ..< 80)
    }

    /// The same where the first batch looks up new keys first (13 new, then 3 stored), so that the
    /// scan's balances are kept apart from the book (`StoredBalances`), and the rows after it
    /// touch few keys (stored, new, or both): the balances no row touched stay apart, and the
    /// checkpoint holds them as well.
    @Test(arguments: Backend.available) func aScanLeavesUntouchedBalancesInTheCheckpoint(_ backend: Backend) throws {
        let mostlyNew = Array(64 ..< 77) + [0, 3, 6]
        for laterKeys in [58 ..< 64, 62 ..< 68, 0 ..< 80] { try endsAsEitherAlone(backend, firstKeys: mostlyNew, laterKeys: laterKeys) }
    }

    /// `firstKeys`: which of the 80 keys the rows of the first batch take, in turn (the first 64
    /// are stored); `laterKeys`: which the rows of the second batch take, at random.
    private func endsAsEitherAlone(
        _ backend: Backend, firstKeys: [Int] = [0, 3, 6, 9, 12, 15, 18, 21, 24, 27, 30, 33, 36, 39, 42, 45, 64, 65, 66, 67], laterKeys: Range<Int>
    ) throws {
        let variants = (1...40).map { "V\($0),P\($0),acme,SKU\($0),,1.00,true\n" }.joined()
        let keys = (1...40).flatMap { ["V\($0),WH", "V\($0),SHOP"] }
        let opening = "variant_id,location_id,quantity_delta\n" + keys[..<64].map { "\($0),5\n" }.joined()
        var random = SplitMix64(seed: 2_912)
        var expected = Dictionary(uniqueKeysWithValues: keys[..<64].map { ($0, Int64(5)) })
        var nightly = "variant_id,location_id,quantity_delta\n"
        for row in 0..<5_000 {
            // The first batch's keys in turn; the second's at random among `laterKeys`.
            let key = row < RowChecker.batchSize ? keys[firstKeys[row % firstKeys.count]]
                : keys[laterKeys.lowerBound + Int(random.next() % UInt64(laterKeys.count))]
            let delta = Int64(random.next() % 7) + 1
            nightly += "\(key),\(delta)\n"
            expected[key, default: 0] += delta
        }
        let modes: [(name: String, scanLimit: Int, lateScanLimit: Int)] = [
            ("read whole", BalanceCache.scanLimit, BalanceCache.lateScanLimit), ("key by key", 0, 0), ("scanned late", 0, BalanceCache.lateScanLimit),
        ]
        for mode in modes {
            let fixture = try Fixture(backend)
            let catalog = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [
                fixture.file("variants.csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n" + variants),
            ])
            #expect(catalog.counts.rejected == 0)
            #expect(try fixture.importing([fixture.file("opening.csv", opening)]).counts.posted == 64)
            let report = try Store.$checkpointEvery.withValue(1_000) {
                try BalanceCache.$scanLimit.withValue(mode.scanLimit) {
                    try BalanceCache.$lateScanLimit.withValue(mode.lateScanLimit) { try fixture.importing([fixture.file("nightly.csv", nightly)]) }
                }
            }
            #expect(report.counts.posted == 5_000, "\(mode.name): \(report.counts)")
            let balances = try fixture.store.read { db in
                try db.fetchAll(sql: "SELECT variant_id, location_id, on_hand FROM balances WHERE tenant_id = 't1'").map { row -> (String, Int64) in
                    let (variant, location, onHand): (String, String, Int64) = (try row[0], try row[1], try row[2])
                    return ("\(variant),\(location)", onHand)
                }
            }
            #expect(Dictionary(uniqueKeysWithValues: balances) == expected, "\(mode.name)")
            try fixture.store.read { db in
                let checkpoint = try #require(try Store.checkpoints(tenant: 1, in: db).last, "\(mode.name): no checkpoint kept")
                let stored = Dictionary(uniqueKeysWithValues: try db.fetchAll(sql: "SELECT variant, location, on_hand FROM stock_levels WHERE tenant = 1 AND on_hand <> 0")
                    .map { (StockKey(variant: try $0[0], location: try $0[1]), try $0[2] as Int64) })
                #expect(stored.count == expected.count)
                #expect(try Store.balances(of: checkpoint, tenant: 1, in: db) == stored, "\(mode.name)")
            }
        }
    }
}
