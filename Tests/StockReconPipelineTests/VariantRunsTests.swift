import Foundation
import Testing
import TestSupport
@testable import StockReconStore

/// A posting's variant runs: noted flat in ledger order, written sorted by group, and asked
/// for by variant before they are written (a file's backdated rows read their item's history).
@Suite struct VariantRunsTests {
    @Test(arguments: Backend.available) func runsNotedFlatAreWrittenByGroupAndAskedForByVariant(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var random = SplitMix64(seed: 64)
        // Past one flush of runs; a hot variant fills several runs of its group in each.
        let count = VariantMovements.movementsPerFlush + 40_000
        var noted: [Int64: [Int64]] = [:]
        var sinceFlush: [Int64: [Int64]] = [:]
        try fixture.store.write("noting runs") { db in
            try db.lockLedger(tenant: 1)
            var runs = VariantMovements.Runs(db)
            for id in Int64(1) ... Int64(count) {
                let variant = random.next() % 5 == 0 ? 4_097 : Int64.random(in: 1 ... 20_000, using: &random)
                try runs.add(variant: variant, id: id)
                noted[variant, default: []].append(id)
                sinceFlush[variant, default: []].append(id)
                if id % Int64(VariantMovements.movementsPerFlush) == 0 { sinceFlush = [:] }
                if id % 997 == 0 {
                    let asked = [variant, 4_097, variant ^ 1, Int64.random(in: 1 ... 20_000, using: &random)]
                    for variant in asked {
                        #expect(runs.heldIDs(variant: variant) == sinceFlush[variant] ?? [], "variant \(variant) after id \(id)")
                    }
                }
            }
            try runs.flush()
        }
        var written: [Int64: [Int64]] = [:]
        let rows = try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT variant_group, last_id, entries FROM variant_movements ORDER BY variant_group, last_id")
        }
        for row in rows {
            let (group, lastID): (Int64, Int64) = (try row[0], try row[1])
            let entries = try VariantMovements.decode(row[2])
            #expect(entries.count <= VariantMovements.entriesPerRun)
            #expect(entries.map(\.id) == entries.map(\.id).sorted() && entries.last?.id == lastID, "group \(group) ending at \(lastID)")
            for entry in entries { written[group << Int64(VariantMovements.groupBits) | entry.low, default: []].append(entry.id) }
        }
        #expect(written.mapValues { $0.sorted() } == noted)
        let hotGroup = VariantMovements.group(of: 4_097)
        #expect(try rows.filter { try $0[0] as Int64 == hotGroup }.count > 10, "the hot variant's group took several runs")
    }
}
