import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconStore

/// The fast paths (a file whose every row ended before, counted duplicate unread; a re-export
/// resumed after the earlier file it begins with) end exactly as reading and settling every
/// row does, over random histories of files: new, repeated, extended, renamed, and read again
/// after the catalog changed.
@Suite struct FastPathTests {
    /// One import of `files` into `fixture`, with the fast paths or without.
    static func importing(_ fixture: Fixture, _ file: InputFile, fast: Bool) throws -> OutcomeCounts {
        var request = ImportRequest(tenantID: "t1", orgID: "acme", format: .canonical, files: [file])
        request.resumesAfterEarlierFiles = fast
        request.skipsKnownFiles = fast
        return try ImportPipeline(store: fixture.store).run(request).counts
    }

    /// Rows of every fate: keyed and keyless, duplicate keys with the same or other content,
    /// unknown variants (known once the catalog grows), a location-aware variant without a
    /// location, zero deltas, and changes held over the approval threshold.
    static func rows(_ count: Int, using random: inout SplitMix64) -> String {
        (0 ..< count).map { _ in
            let key = Int.random(in: 0 ..< 10, using: &random) < 3 ? "" : "e-\(Int.random(in: 1 ... 12, using: &random))"
            let variant = ["1001", "1001", "1002", "9999"].randomElement(using: &random) ?? "1001"
            let location = ["WH", "SHOP", ""].randomElement(using: &random) ?? ""
            let delta = [-3, 0, 1, 2, 5, 60].randomElement(using: &random) ?? 1
            return "\(key),\(variant),\(location),\(delta),n\(Int.random(in: 0 ..< 3, using: &random))\n"
        }.joined()
    }

    /// Everything a user reads of the ledger, in a comparable form.
    static func state(_ fixture: Fixture) throws -> [String] {
        try fixture.store.read { db in
            let movements = try db.fetchAll(sql: """
                SELECT COALESCE(idempotency_key, ''), variant_id, location_id, quantity_delta, quantity_before, transaction_type
                FROM movements ORDER BY id
                """).map { "m \(try $0[0] as String) \(try $0[1] as String) \(try $0[2] as String) \(try $0[3] as Int64) \(try $0[4] as Int64) \(try $0[5] as String)" }
            let balances = try db.fetchAll(sql: "SELECT variant_id, location_id, on_hand FROM balances ORDER BY variant_id, location_id")
                .map { "b \(try $0[0] as String) \(try $0[1] as String) \(try $0[2] as Int64)" }
            let approvals = try db.fetchAll(sql: "SELECT variant_id, location_id, quantity_delta, status FROM approvals ORDER BY id")
                .map { "a \(try $0[0] as String) \(try $0[1] as String) \(try $0[2] as Int64) \(try $0[3] as String)" }
            return movements + balances + approvals
        }
    }

    @Test(arguments: Backend.available) func theFastPathsEndAsReadingEveryRowDoes(_ backend: Backend) throws {
        let header = "external_id,variant_id,location_id,quantity_delta,notes\n"
        var fastPathsTaken = 0
        for seed in UInt64(1) ... 4 {
            var random = SplitMix64(seed: seed)
            let (fast, slow) = (try Fixture(backend), try Fixture(backend))
            var written: [String] = []
            for step in 0 ..< 8 {
                let choice = written.isEmpty ? 0 : Int.random(in: 0 ..< 5, using: &random)
                let text: String
                switch choice {
                case 1, 2: text = written.randomElement(using: &random) ?? header  // the same bytes again, under another name
                case 3: text = (written.randomElement(using: &random) ?? header) + Self.rows(3, using: &random)  // a re-export
                case 4:
                    // The catalog grows: rows once rejected for 9999 now post.
                    for fixture in [fast, slow] {
                        _ = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [
                            fixture.file("more-\(step).csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n9999,P9,acme,NEW,409,1.00,false\n"),
                        ])
                    }
                    text = written.randomElement(using: &random) ?? header
                default: text = header + Self.rows(Int.random(in: 1 ... 8, using: &random), using: &random)
                }
                written.append(text)
                let name = "s\(seed)-\(step).csv"
                let fastCounts = try Self.importing(fast, fast.file(name, text), fast: true)
                let slowCounts = try Self.importing(slow, slow.file(name, text), fast: false)
                #expect(fastCounts == slowCounts, "seed \(seed), step \(step) (\(choice)): \(fastCounts) against \(slowCounts)")
                if choice != 0, fastCounts.duplicate > 0 { fastPathsTaken += 1 }
            }
            #expect(try Self.state(fast) == Self.state(slow), "seed \(seed)")
        }
        #expect(fastPathsTaken >= 8, "the histories must take the fast paths to test them")
    }
}
