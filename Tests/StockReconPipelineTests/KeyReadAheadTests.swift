import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// A tenant with more natural keys than are held in memory has them moved into the table and
/// looked up there (on PostgreSQL a batch's keys in one statement, where a statement a key
/// waited a round trip each), and a file's keys written there as rows: each row ends as it
/// does when the tenant's keys are held.
@Suite struct KeyReadAheadTests {
    static let header = "idempotency_key,variant_id,location_id,quantity_delta,reason_code\n"
    /// Keys that COPY and array literals escape (a backslash, quotes, a comma, a tab), one
    /// spelled NULL, one not ASCII, a held row (over the 50 units' approval threshold).
    static let opening = header + """
        k1,1001,WH,10,found
        k2,1002,WH,5,found
        "back\\slash ""q"", comma",1001,WH,1,found
        "tab\there",1001,WH,1,found
        NULL,1001,WH,1,found
        clé,1001,WH,1,found
        k-held,1001,WH,60,found

        """
    /// The same key with the same change (a duplicate) and with another (a conflict), a new
    /// key twice in the file, another tenant's key, and each escaped key again.
    static let nightly = header + """
        k1,1001,WH,10,found
        k2,1002,WH,6,found
        k-new,1002,SHOP,3,found
        k-new,1002,SHOP,3,found
        k-other-tenant,1001,WH,2,found
        "back\\slash ""q"", comma",1001,WH,1,found
        "tab\there",1001,WH,1,found
        NULL,1001,WH,1,found
        clé,1001,WH,1,found
        k-held,1001,WH,60,found

        """

    @Test(arguments: Backend.available) func keysLookedUpInTheTableEndAsKeysHeld(_ backend: Backend) throws {
        var endings: [[String]] = []
        for keyLimit in [0, KnownKeys.scanLimit] {
            let fixture = try Fixture(backend, tenants: ["t1", "t2"])
            #expect(try fixture.importing([fixture.file("t2.csv", Self.header + "k-other-tenant,1001,WH,9,found\n")], format: .canonical, tenant: "t2")
                .counts.posted == 1)
            let opened = try fixture.importing([fixture.file("opening.csv", Self.opening)], format: .canonical)
            #expect(opened.counts.posted == 6 && opened.counts.pending == 1, "\(opened.counts)")
            var ending: [String] = []
            try KnownKeys.$scanLimit.withValue(keyLimit) {
                let nightly = try fixture.importing([fixture.file("nightly.csv", Self.nightly)], format: .canonical)
                // The file's own rows again, and one more: each key now stored as this file left it.
                let again = try fixture.importing([fixture.file("again.csv", Self.nightly + "k-last,1001,SHOP,1,found\n")], format: .canonical)
                ending = ["\(nightly.counts)", "\(again.counts)"]
            }
            let stored = try fixture.count(
                "SELECT count(*) FROM idempotency_keys WHERE tenant = (SELECT id FROM tenants WHERE tenant_id = 't1')")
            if keyLimit == 0 {
                // Every key of the tenant is a row now (blocks moved, the files' keys written as rows).
                #expect(stored == 10)
                #expect(try fixture.count("SELECT count(*) FROM key_blocks WHERE tenant = (SELECT id FROM tenants WHERE tenant_id = 't1')") == 0)
            }
            ending += try fixture.store.read { db in
                try db.fetchAll(sql: "SELECT variant_id, location_id, on_hand FROM balances WHERE tenant_id = 't1' ORDER BY 1, 2")
                    .map { row -> String in
                        let (variant, location, onHand): (String, String, Int64) = (try row[0], try row[1], try row[2])
                        return "\(variant)@\(location)=\(onHand)"
                    }
            }
            endings.append(ending)
        }
        // Nightly: k-new and the other tenant's key post; k2 conflicts; the rest are duplicates.
        #expect(endings[1] == [
            "\(OutcomeCounts(rows: 10, posted: 2, pending: 0, rejected: 1, unchanged: 0, duplicate: 7))",
            "\(OutcomeCounts(rows: 11, posted: 1, pending: 0, rejected: 1, unchanged: 0, duplicate: 9))",
            "1001@SHOP=1", "1001@WH=16", "1002@SHOP=3", "1002@WH=5",
        ])
        #expect(endings[0] == endings[1])
    }

    /// A key as long as a key may be is stored and found again, as a block, as a row (held, or
    /// past the keys held in memory); one byte longer is refused at its field, on either
    /// backend (PostgreSQL's index takes an entry of at most 2,704 bytes: it failed the file).
    @Test(arguments: Backend.available) func aKeyLongerThanAKeyMayBeIsRefusedAtItsField(_ backend: Backend) throws {
        var random = SystemRandomNumberGenerator()
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        func key(_ length: Int) -> String { String((0 ..< length).map { _ in letters[Int(random.next() % UInt64(letters.count))] }) }
        let (longest, held, tooLong) = (key(Diagnostic.identifierLimit), key(Diagnostic.identifierLimit), key(Diagnostic.identifierLimit + 1))
        let file = Self.header + "\(longest),1001,WH,2,found\n\(held),1001,WH,60,found\n\(tooLong),1001,WH,3,found\n\(key(5000)),1001,WH,4,found\n"
        for keyLimit in [0, KnownKeys.scanLimit] {
            let fixture = try Fixture(backend)
            try KnownKeys.$scanLimit.withValue(keyLimit) {
                let first = try fixture.importing([fixture.file("long.csv", file)], format: .canonical)
                #expect(first.counts.posted == 1 && first.counts.pending == 1 && first.counts.rejected == 2, "\(first.counts)")
                #expect(try fixture.rejections(first.runID).map { "\($0.line ?? 0) \($0.field ?? "") \($0.type)" } == ["4 idempotency_key invalid_text", "5 idempotency_key invalid_text"])
                let again = try fixture.importing([fixture.file("again.csv", file + "k-more,1001,SHOP,1,found\n")], format: .canonical)
                #expect(again.counts.duplicate == 2 && again.counts.posted == 1 && again.counts.rejected == 2, "\(again.counts)")
            }
            #expect(try fixture.balance("1001") == 2)
        }
    }
}
