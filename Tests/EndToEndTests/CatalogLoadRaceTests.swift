import Foundation
import TestSupport
import Testing

/// Processes loading catalogs at once into a database with no variant yet. On SQLite the first
/// to take the write lock loads with the variants' indexes built after its rows; the others
/// wait, then load beside it the ordinary way. Each tenant ends with its own variants, an id
/// given twice with its last row, no id stored twice, and every index in place.
@Suite struct CatalogLoadRaceTests {
    @Test(arguments: Backend.available) func processesLoadingFirstCatalogsAtOnceEachEndWhole(_ backend: Backend) throws {
        // Each attempt is one draw of the processes' order (a deadlock on PostgreSQL came in two
        // of five before first loads there went alone).
        for attempt in 1...(backend == .postgres ? 5 : 2) {
            let scratch = Scratch(backend)
            let header = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
            let rows = (0..<3000).map { "V\($0),P\($0 / 2),acme,S\($0),00\(4000 + $0),1.\($0 % 90 + 10),false\n" }.joined()
            let variants = scratch.file("variants.csv", header + rows)
            let twice = scratch.file("twice.csv", header + rows + "V7,P7,acme,S-LAST,,9.99,true\n")
            let loads = [("a", variants), ("b", variants), ("c", twice), ("a", variants)]
            let processes = try loads.map { tenant, file in
                try Binary.start(["catalog", "import", "--db", scratch.database, "--tenant", tenant, file])
            }
            for process in processes { process.waitUntilExit() }
            #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0], "try \(attempt)")
            let perTenant = try scratch.query("""
                SELECT \(scratch.concatenated("t.tenant_id || ':' || n")) FROM (
                  SELECT t.tenant_id, count(*) AS n FROM catalog_variants v JOIN tenants t ON t.id = v.tenant GROUP BY t.tenant_id) t
                """)
            #expect(perTenant.trimmingCharacters(in: .whitespacesAndNewlines) == "a:3000;b:3000;c:3000", "try \(attempt)")
            let last = try scratch.query("""
                SELECT v.sku || ' ' || v.unit_cost_minor || ' ' || v.location_aware FROM catalog_variants v JOIN tenants t ON t.id = v.tenant
                WHERE t.tenant_id = 'c' AND v.variant_id = 'V7'
                """)
            #expect(last.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("S-LAST 999 "), "try \(attempt)")
            let storedTwice = try scratch.query("SELECT count(*) FROM (SELECT tenant, variant_id FROM catalog_variants GROUP BY tenant, variant_id HAVING count(*) > 1) AS twice")
            #expect(storedTwice.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            guard backend == .sqlite else { continue }
            #expect(try scratch.query("PRAGMA integrity_check").trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            let indexes = try scratch.query("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'catalog_variants' ORDER BY name)")
            #expect(indexes.trimmingCharacters(in: .whitespacesAndNewlines) == [
                "catalog_variants_by_barcode", "catalog_variants_by_cost_replaced", "catalog_variants_by_id", "catalog_variants_by_product",
                "catalog_variants_by_sku",
            ].joined(separator: " "))
        }
    }

    /// Whether one lock granted on the scratch schema's `catalog_variants` meets `condition`
    /// (on `pg_locks l` and the session's `pg_stat_activity a`).
    static func holdsCatalogVariants(in scratch: Scratch, where condition: String) throws -> Bool {
        try scratch.query("""
            SELECT count(*) FROM pg_locks l JOIN pg_class c ON c.oid = l.relation JOIN pg_stat_activity a ON a.pid = l.pid
            WHERE c.relname = 'catalog_variants' AND c.relnamespace = CAST(current_schema() AS regnamespace)
              AND l.granted AND \(condition)
            """).trimmingCharacters(in: .whitespacesAndNewlines) == "1"
    }

    /// A catalog of `count` variants of org acme, and its orgs file.
    static func catalog(_ count: Int, in scratch: Scratch) -> [String] {
        var rows = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
        rows.reserveCapacity(count * 60)
        for index in 0 ..< count { rows += "V\(index),P\(index / 3),acme,S\(index),\(7_000_000 + index),\(index % 90 + 1).25,false\n" }
        return [scratch.file("orgs.csv", "org_id,name\nacme,Acme\n"), scratch.file("variants.csv", rows)]
    }

    /// A first load (on SQLite, with a rollback journal) killed at a point of its clean run's
    /// time leaves none of its variants or all, and the file whole; loading it again ends with
    /// every variant once, and SQLite's file back on its write-ahead log.
    @Test(arguments: Backend.available) func aFirstLoadKilledMidwayLoadsWholeAgain(_ backend: Backend) throws {
        let count = 150_000
        let clean = Scratch(backend)
        let files = Self.catalog(count, in: clean)
        let arguments = ["catalog", "import", "--tenant", "a"] + files
        let started = Date()
        #expect(try Binary.run(arguments + ["--db", clean.database]).status == 0)
        let seconds = Date().timeIntervalSince(started)
        for fraction in [0.4, 0.8] {
            guard let killed = try killedRun(arguments, after: seconds * fraction, onServer: backend == .postgres, prepare: { _ in }) else {
                Issue.record("every load finished before it could be killed: nothing was tested")
                continue
            }
            let variants = "SELECT count(*) FROM catalog_variants"
            #expect(["", "0", "\(count)"].contains(try killed.query(variants).trimmingCharacters(in: .whitespacesAndNewlines)), "at \(fraction)")
            let again = try Binary.run(arguments + ["--db", killed.database])
            #expect(again.status == 0, "\(again.stderr)")
            #expect(try killed.query(variants).trimmingCharacters(in: .whitespacesAndNewlines) == "\(count)")
            #expect(try killed.query("SELECT count(DISTINCT variant_id) || ' ' || sum(unit_cost_minor) FROM catalog_variants")
                == clean.query("SELECT count(DISTINCT variant_id) || ' ' || sum(unit_cost_minor) FROM catalog_variants"))
            guard backend == .sqlite else { continue }
            #expect(try killed.query("PRAGMA integrity_check").trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            #expect(try killed.query("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        }
    }

    /// A first load made alone holds the catalog to itself: on SQLite it writes through a
    /// rollback journal, on PostgreSQL it locks the variants' table to build their indexes after
    /// its rows. A reader and a second tenant's load that arrive meanwhile wait for it, then
    /// run, each ending whole, and an import after finds both catalogs.
    @Test(arguments: Backend.available) func othersArrivingDuringAFirstLoadWaitForItAndFinish(_ backend: Backend) throws {
        let scratch = Scratch(backend)
        let files = Self.catalog(150_000, in: scratch)
        let load = try Binary.start(["catalog", "import", "--db", scratch.database, "--tenant", "a"] + files)
        func holdsTheCatalog() throws -> Bool {
            if backend == .sqlite { return FileManager.default.fileExists(atPath: scratch.database + "-journal") }
            return try Self.holdsCatalogVariants(in: scratch, where: "l.mode = 'AccessExclusiveLock'")
        }
        while load.isRunning, try !holdsTheCatalog() { usleep(2_000) }
        guard load.isRunning else {
            Issue.record("the load never held the catalog to itself while it ran")
            return
        }
        let small = scratch.file("b.csv", "variant_id,org_id,unit_cost\nB1,acme,1.00\nB2,acme,2.00\n")
        let rows = scratch.file("rows.csv", "variant_id,location_id,quantity_delta\nB1,WH,3\nB2,WH,4\n")
        let arrivals = try [
            ["runs", "--tenant", "a"],
            ["catalog", "import", "--tenant", "b", files[0], small, scratch.file("l.csv", "location_id,name\nWH,Main\n")],
        ].map { try Binary.start($0 + ["--db", scratch.database]) }
        for process in arrivals + [load] { process.waitUntilExit() }
        #expect((arrivals + [load]).map(\.terminationStatus) == [0, 0, 0])
        let imported = try Binary.run(["import", "--db", scratch.database, "--tenant", "b", "--org", "acme", "--format", "synq", rows])
        #expect(imported.status == 0, "\(imported.stderr)")
        let perTenant = try scratch.query("""
            SELECT \(scratch.concatenated("t.tenant_id || ':' || t.n")) FROM (
              SELECT t.tenant_id, count(*) AS n FROM catalog_variants v JOIN tenants t ON t.id = v.tenant GROUP BY t.tenant_id) AS t
            """)
        #expect(perTenant.trimmingCharacters(in: .whitespacesAndNewlines) == "a:150000;b:2")
        #expect(try scratch.query("SELECT sum(on_hand) FROM balances WHERE tenant_id = 'b'").trimmingCharacters(in: .whitespacesAndNewlines) == "7")
        if backend == .sqlite {
            #expect(try scratch.query("PRAGMA integrity_check").trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            #expect(try scratch.query("PRAGMA journal_mode").trimmingCharacters(in: .whitespacesAndNewlines) == "wal")
        } else {
            let indexes = try scratch.query("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'catalog_variants'")
            #expect(indexes.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
        }
    }

    /// A first load on PostgreSQL takes the catalog to itself only when no other session has it
    /// open: two first loads that both looked at the empty table, each then waiting for the
    /// other to let go of it, deadlocked (one ended with SQLSTATE 40P01). Beside a session that
    /// holds a read of the table, a first load now loads the ordinary way without waiting for it.
    @Test(.enabled(if: TestPostgres.url != nil || TestPostgres.isRequired, Comment(rawValue: TestPostgres.skipNote)))
    func aFirstLoadBesideAnOpenReaderOfTheCatalogLoadsWithoutWaitingForIt() throws {
        let scratch = Scratch(.postgres)
        let files = Self.catalog(3_000, in: scratch)
        #expect(try Binary.run(["runs", "--db", scratch.database, "--tenant", "a"]).status == 0)  // the schema made
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/usr/bin/psql")
        reader.arguments = Scratch.psqlOptions + ["-d", scratch.database(applicationName: "open_reader")]
        let input = Pipe()
        reader.standardInput = input
        reader.standardOutput = FileHandle.nullDevice
        try reader.run()
        defer {
            try? input.fileHandleForWriting.close()
            reader.waitUntilExit()
        }
        input.fileHandleForWriting.write(Data("BEGIN;\nSELECT count(*) FROM catalog_variants;\n".utf8))
        func readerHoldsTheCatalog() throws -> Bool {
            try Self.holdsCatalogVariants(in: scratch, where: "a.application_name = 'open_reader'")
        }
        var waited = 0
        while try !readerHoldsTheCatalog(), waited < 30_000 { usleep(10_000); waited += 10 }
        try #require(try readerHoldsTheCatalog(), "the reader never held the catalog")
        let load = try Binary.start(["catalog", "import", "--db", scratch.database, "--tenant", "a"] + files)
        var elapsed = 0
        while load.isRunning, elapsed < 60_000 { usleep(20_000); elapsed += 20 }
        if load.isRunning {
            kill(load.processIdentifier, SIGKILL)  // Process.terminate()'s TERM did not end it under the test runner
            load.waitUntilExit()
            Issue.record("the first load waited for a session reading the catalog")
            return
        }
        #expect(load.terminationStatus == 0)
        #expect(try readerHoldsTheCatalog(), "the reader's session ended before the load did")
        #expect(try scratch.query("SELECT count(*) FROM catalog_variants").trimmingCharacters(in: .whitespacesAndNewlines) == "3000")
        let indexes = try scratch.query("SELECT count(*) FROM pg_indexes WHERE schemaname = current_schema() AND tablename = 'catalog_variants'")
        #expect(indexes.trimmingCharacters(in: .whitespacesAndNewlines) == "6")
    }
}
