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
            let report = try BalanceCache.$scanLimit.withValue(scanLimit) { try fixture.importing([fixture.file("nightly.csv", nightly)]) }
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
}
