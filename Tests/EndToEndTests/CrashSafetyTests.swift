import Foundation
import TestSupport
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
                   (SELECT \(scratch.concatenated("variant_id || '@' || location_id || '=' || on_hand"))
                    FROM (SELECT * FROM balances ORDER BY 1, 2, 3) AS ordered),
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

/// The same promises on PostgreSQL (issue 10): kill -9 and rerun, a connection lost in the
/// middle of a file, several importers at once, a ledger that refuses changes.
@Suite(.serialized, .enabled(if: TestPostgres.url != nil || TestPostgres.isRequired, Comment(rawValue: TestPostgres.skipNote)))
struct PostgresSafetyTests {
    let arguments = ["import", "--tenant", "t", "--org", "acme", "--format", "synq"]

    /// Two files of the big kind, and a clean run of them into a fresh schema.
    func cleanRun() throws -> (scratch: Scratch, files: [String], seconds: TimeInterval) {
        let clean = Scratch(onServer: true)
        let files = [
            CrashSafetyTests.bigFile(in: clean, rows: 120_000, name: "a.csv"),
            CrashSafetyTests.bigFile(in: clean, rows: 80_000, name: "b.csv", seed: 2),
        ]
        try CrashSafetyTests.catalog(clean.database)
        let started = Date()
        let result = try Binary.run(arguments + files + ["--db", clean.database])
        #expect(result.status == 0, "\(result.stderr)")
        return (clean, files, Date().timeIntervalSince(started))
    }

    @Test(arguments: [0.3, 0.7])
    func killNineAndRerunLeavesTheLedgerOfOneCleanRun(atFraction fraction: Double) throws {
        let (clean, files, seconds) = try cleanRun()
        guard let killed = try killedRun(arguments + files, after: seconds * fraction, onServer: true, prepare: {
            try CrashSafetyTests.catalog($0.database)
        }) else {
            Issue.record("every import finished before it could be killed: nothing was tested")
            return
        }
        #expect(["0", "120000", "200000"].contains(try killed.query("SELECT count(*) FROM movements")))
        let rerun = try Binary.run(arguments + files + ["--db", killed.database])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try CrashSafetyTests.fingerprint(killed) == CrashSafetyTests.fingerprint(clean))
    }

    /// The server ends the importer's connection in the middle of its work (as a stopped
    /// server or a dropped network would): exit 2, no part of a file kept, and a rerun
    /// posts every row once.
    @Test func aConnectionLostMidFileIsExitTwoAndTheRerunPostsEachRowOnce() throws {
        let (clean, files, seconds) = try cleanRun()
        var lost: Scratch?
        for fraction in [0.5, 0.25, 0.1] where lost == nil {
            let victim = Scratch(onServer: true)
            try CrashSafetyTests.catalog(victim.database)
            let name = "victim_\(victim.schema ?? "")"
            let process = try Binary.start(arguments + files + ["--db", victim.database(applicationName: name)])
            Thread.sleep(forTimeInterval: seconds * fraction)
            // OFFSET 0 keeps the filter first: the terminating call sees only the victim's rows.
            let ended = try victim.query("""
                SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))
                FROM (SELECT pid FROM pg_stat_activity WHERE application_name = '\(name)' OFFSET 0) AS victim
                """)
            process.waitUntilExit()
            if ended == "1" {
                #expect(process.terminationStatus == 2)
                lost = victim
            }
        }
        guard let lost else {
            Issue.record("every import finished before its connection could be ended: nothing was tested")
            return
        }
        #expect(["0", "120000"].contains(try lost.query("SELECT count(*) FROM movements")))
        let rerun = try Binary.run(arguments + files + ["--db", lost.database])
        #expect(rerun.status == 0, "\(rerun.stderr)")
        #expect(try CrashSafetyTests.fingerprint(lost) == CrashSafetyTests.fingerprint(clean))
    }

    /// Four processes post into one tenant's balances at once; the ledger ends as one
    /// process posting the four files would leave it.
    @Test func fourImportersAtOnceLeaveExactBalances() throws {
        let shared = Scratch(onServer: true)
        let reference = Scratch(onServer: true)
        let files = (0..<4).map { CrashSafetyTests.bigFile(in: shared, rows: 30_000, name: "f\($0).csv", seed: $0 * 3 + 1) }
        try CrashSafetyTests.catalog(shared.database)
        try CrashSafetyTests.catalog(reference.database)
        let processes = try files.map { try Binary.start(arguments + ["--db", shared.database, $0]) }
        processes.forEach { $0.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0])
        #expect(try Binary.run(arguments + files + ["--db", reference.database]).status == 0)
        #expect(try CrashSafetyTests.fingerprint(shared) == CrashSafetyTests.fingerprint(reference))
        // Each movement starts where the one before it at its variant and location ended.
        #expect(try shared.query("""
            SELECT count(*) FROM (SELECT quantity_before, lag(quantity_after) OVER (PARTITION BY variant_id, location_id ORDER BY id) AS previous
                                  FROM movements) m
            WHERE quantity_before <> COALESCE(previous, 0)
            """) == "0")
    }

    @Test func theLedgerRefusesUpdateDeleteAndTruncate() throws {
        let scratch = Scratch(onServer: true)
        try CrashSafetyTests.catalog(scratch.database)
        let file = CrashSafetyTests.bigFile(in: scratch, rows: 10, name: "small.csv")
        #expect(try Binary.run(arguments + [file, "--db", scratch.database]).status == 0)
        for change in [
            "UPDATE ledger SET quantity_delta = 5", "DELETE FROM ledger", "TRUNCATE ledger CASCADE",
            "UPDATE movements SET notes = 'x'", "DELETE FROM movements",
        ] {
            let refusal = try scratch.refusal(change)
            #expect(refusal?.contains("append-only") == true, "\(change) was not refused: \(refusal ?? "it ran")")
        }
        #expect(try scratch.query("SELECT count(*), sum(abs(quantity_delta)) > 0 FROM ledger") == "10|t")
    }

    /// Half of each page of balances stays free, so that an import updates them in place (v13).
    @Test func balancesAreStoredWithRoomToChange() throws {
        let scratch = Scratch(onServer: true)
        try CrashSafetyTests.catalog(scratch.database)
        #expect(try scratch.query("SELECT array_to_string(reloptions, ',') FROM pg_class WHERE oid = 'stock_levels'::regclass") == "fillfactor=50")
    }
}
