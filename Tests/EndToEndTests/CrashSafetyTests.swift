import Foundation
import Testing

/// Exactly once under kill -9 and under two processes at once (SPEC section 4).
@Suite(.serialized) struct CrashSafetyTests {
    /// A synq file of `rows` rows over the fixture's acme variants and locations.
    static func bigFile(in scratch: Scratch, rows: Int, name: String, seed: Int = 1) -> String {
        var text = "variant_id,location_id,quantity_delta,notes\n"
        text.reserveCapacity(rows * 40)
        for index in 0..<rows {
            let variant = ["CHEAP-1", "CHEAP-2"][(index + seed) % 2]
            let location = ["WH-MAIN", "WH-BACK", "STORE-1"][(index * 7 + seed) % 3]
            text += "\(variant),\(location),\((index * 13 + seed) % 50 - 20 == 0 ? 1 : (index * 13 + seed) % 50 - 20),\"n \(index)\"\n"
        }
        return scratch.file(name, text)
    }

    /// The fixture catalog plus two cheap variants, so that no row needs approval.
    static func catalog(_ database: String) throws {
        let cheap = Scratch()
        let variants = cheap.file("cheap.csv", "variant_id,org_id,unit_cost\nCHEAP-1,acme,0.50\nCHEAP-2,acme,0.25\n")
        let result = try Binary.run(["catalog", "import", "--tenant", "t", "--db", database,
                                     "fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv", variants])
        #expect(result.status == 0)
    }

    /// What a ledger holds, independent of ids and times.
    static func fingerprint(_ scratch: Scratch) throws -> String {
        try scratch.query("""
            SELECT count(*), sum(quantity_delta), count(DISTINCT idempotency_key),
                   (SELECT group_concat(variant_id || '@' || location_id || '=' || on_hand, ';') FROM (SELECT * FROM balances ORDER BY 1, 2, 3)),
                   (SELECT count(*) FROM (SELECT variant_id, location_id, sum(quantity_delta) AS s FROM movements GROUP BY 1, 2) m
                      JOIN balances b USING (variant_id, location_id) WHERE b.on_hand <> m.s)
            FROM movements
            """)
    }

    /// Kills an import at a fraction of a clean run's time, reruns it, and compares the
    /// ledger with the clean run's.
    @Test(arguments: [0.1, 0.35, 0.6, 0.85])
    func killNineAndRerunLeavesTheLedgerOfOneCleanRun(atFraction fraction: Double) throws {
        let clean = Scratch()
        let files = [Self.bigFile(in: clean, rows: 120_000, name: "a.csv"), Self.bigFile(in: clean, rows: 80_000, name: "b.csv", seed: 2)]
        try Self.catalog(clean.database)
        let arguments = ["import", "--tenant", "t", "--org", "acme", "--format", "synq"] + files
        let started = Date()
        #expect(try Binary.run(arguments + ["--db", clean.database]).status == 0)
        guard let killed = try killedRun(arguments, after: Date().timeIntervalSince(started) * fraction, prepare: { try Self.catalog($0.database) }) else {
            Issue.record("every import finished before it could be killed: nothing was tested")
            return
        }
        // A file commits whole or not at all: what survives is a whole number of files.
        #expect(["0", "120000", "200000"].contains(try killed.query("SELECT count(*) FROM movements")))
        let rerun = try Binary.run(arguments + ["--db", killed.database, "--json"])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try Self.fingerprint(killed) == Self.fingerprint(clean))
        let third = try Binary.run(arguments + ["--db", killed.database, "--json"])
        #expect(third.stdout.contains("\"rows\":200000,\"posted\":0"))
        #expect(third.stdout.contains("\"duplicate\":200000"))
    }

    @Test func twoProcessesAtOnceBothFinishWithExactBalances() throws {
        let shared = Scratch()
        let reference = Scratch()
        let first = Self.bigFile(in: shared, rows: 60_000, name: "one.csv")
        let second = Self.bigFile(in: shared, rows: 60_000, name: "two.csv", seed: 5)
        try Self.catalog(shared.database)
        try Self.catalog(reference.database)
        let base = ["import", "--tenant", "t", "--org", "acme", "--format", "synq"]
        let one = try Binary.start(base + ["--db", shared.database, first])
        let two = try Binary.start(base + ["--db", shared.database, second])
        one.waitUntilExit()
        two.waitUntilExit()
        #expect(one.terminationStatus == 0)
        #expect(two.terminationStatus == 0)
        #expect(try Binary.run(base + ["--db", reference.database, first, second]).status == 0)
        #expect(try Self.fingerprint(shared) == Self.fingerprint(reference))
        #expect(try shared.query("SELECT count(*) FROM movements") == "120000")
    }
}
