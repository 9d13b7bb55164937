import Foundation
import TestSupport
import Testing

/// The ledger refuses every change whoever asks, stockrecon refuses a database whose guards
/// were dropped or whose schema is newer than it knows, and read commands need no write
/// (SPEC sections 4 and 5).
@Suite(.serialized) struct LedgerGuardTests {
    static func ledger(_ backend: Backend) throws -> Scratch {
        let scratch = Scratch(backend)
        let db = ["--db", scratch.database]
        #expect(try Binary.run(["catalog", "import", "--tenant", "t"] + Binary.fixtureCatalog + db).status == 0)
        let file = scratch.file("a.csv", "variant_id,quantity_delta\n1001,5\n1002,3\n1001,-1\n")
        #expect(try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", file] + db).status == 0)
        return scratch
    }

    static func fingerprint(_ scratch: Scratch) throws -> String {
        try scratch.query("SELECT count(*), sum(quantity_delta), sum(id * quantity_delta), max(run_id) FROM movements")
    }

    @Test(arguments: Backend.available) func everyTableTheLedgerIsMadeOfRefusesChange(_ backend: Backend) throws {
        let scratch = try Self.ledger(backend)
        let before = try Self.fingerprint(scratch)
        #expect(before.hasPrefix("3"))
        var changes = [
            "UPDATE ledger SET quantity_delta = 9", "DELETE FROM ledger", "UPDATE postings SET run = 99", "DELETE FROM postings",
            "DELETE FROM catalog_variants", "DELETE FROM catalog_locations", "DELETE FROM catalog_orgs", "DELETE FROM tenants",
            "DELETE FROM run_log", "DELETE FROM source_files", "DELETE FROM catalog_users",
        ]
        switch backend {
        case .sqlite:
            // REPLACE deletes the row it conflicts with without firing a delete trigger.
            changes += [
                "REPLACE INTO ledger SELECT * FROM ledger WHERE id = 1", "REPLACE INTO postings SELECT * FROM postings",
                "INSERT OR REPLACE INTO ledger SELECT * FROM ledger",
            ]
        case .postgres:
            changes += [
                "TRUNCATE postings CASCADE", "TRUNCATE ledger CASCADE", "TRUNCATE tenants CASCADE", "TRUNCATE run_log CASCADE",
                "INSERT INTO ledger SELECT * FROM ledger ON CONFLICT (tenant, id) DO UPDATE SET quantity_delta = 9",
            ]
        }
        for change in changes {
            let refusal = try scratch.refusal(change)
            #expect(refusal?.contains("append-only") == true || refusal?.contains("never deleted") == true,
                    "\(change) was not refused: \(refusal ?? "it ran")")
            #expect(try Self.fingerprint(scratch) == before, "\(change) changed the movements")
        }
        // Loading the catalog again still updates it in place.
        #expect(try Binary.run(["catalog", "import", "--tenant", "t", "--db", scratch.database] + Binary.fixtureCatalog).status == 0)
        #expect(try Self.fingerprint(scratch) == before)
    }

    /// A count's completion appends its movements with SQLite's REPLACE guard lifted inside its
    /// transaction, as an import's posting does: the committed database has it again.
    @Test(arguments: Backend.available) func aCountsPostedMovementsLeaveTheGuardsInPlace(_ backend: Backend) throws {
        let scratch = try Self.ledger(backend)
        let db = ["--tenant", "t", "--db", scratch.database]
        let start = try Binary.run(["count", "start", "--org", "acme", "--type", "SPOT", "--name", "n", "--user", "alice"] + db)
        #expect(start.status == 0, "\(start.stderr)")
        let sheet = scratch.file("sheet.csv", "variant_id,location_id,counted_quantity\n1001,WH-MAIN,9\n1002,WH-MAIN,1\n")
        #expect(try Binary.run(["count", "add", "1", "--user", "bob", sheet] + db).status == 0)
        let complete = try Binary.run(["count", "complete", "1", "--apply", "--user", "alice"] + db)
        #expect(complete.status == 0 && complete.stdout.contains("posted 2 count movements"), "\(complete.stdout)\(complete.stderr)")
        let before = try Self.fingerprint(scratch)
        #expect(before.hasPrefix("5"), "\(before)")
        let changes = backend == .sqlite
            ? ["REPLACE INTO ledger SELECT * FROM ledger WHERE id = 4", "INSERT OR REPLACE INTO ledger SELECT * FROM ledger"]
            : ["UPDATE ledger SET quantity_delta = 9 WHERE id = 4", "DELETE FROM ledger"]
        for change in changes {
            let refusal = try scratch.refusal(change)
            #expect(refusal?.contains("append-only") == true, "\(change) was not refused: \(refusal ?? "it ran")")
        }
        #expect(try Self.fingerprint(scratch) == before)
        #expect(try Binary.run(["balance"] + db).status == 0)
    }

    @Test(arguments: Backend.available) func aDroppedGuardIsNamedAndTheDatabaseRefused(_ backend: Backend) throws {
        let scratch = try Self.ledger(backend)
        let drop = backend == .sqlite ? "DROP TRIGGER postings_refuse_delete" : "DROP TRIGGER postings_refuse_change ON postings"
        #expect(try scratch.refusal(drop) == nil)
        let refused = try Binary.run(["balance", "--tenant", "t", "--db", scratch.database])
        #expect(refused.status == 2)
        #expect(refused.stderr.contains(backend == .sqlite ? "postings_refuse_delete" : "postings_refuse_change"), "\(refused.stderr)")
        let file = scratch.file("b.csv", "variant_id,quantity_delta\n1001,1\n")
        #expect(try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "synq", file, "--db", scratch.database]).status == 2)
        #expect(try scratch.query("SELECT count(*) FROM ledger") == "3")
    }

    @Test(arguments: Backend.available) func aSchemaNewerThanThisStockreconIsRefused(_ backend: Backend) throws {
        let scratch = try Self.ledger(backend)
        let future = backend == .sqlite
            ? "INSERT INTO grdb_migrations VALUES ('v99: from the future')"
            : "INSERT INTO stockrecon_migrations (name, applied_at) VALUES ('v99: from the future', 'later')"
        #expect(try scratch.refusal(future) == nil)
        for arguments in [["balance", "--tenant", "t"], ["runs", "--tenant", "t"]] {
            let refused = try Binary.run(arguments + ["--db", scratch.database])
            #expect(refused.status == 2)
            #expect(refused.stderr.contains("newer stockrecon") && refused.stderr.contains("v99: from the future"), "\(refused.stderr)")
        }
    }

    /// A user who may only read the file (not root: root may write anything): read commands
    /// work and leave nothing beside it, commands that write say why they cannot.
    @Test func readCommandsWorkOnAFileTheUserMayOnlyRead() throws {
        guard getuid() == 0, FileManager.default.isExecutableFile(atPath: "/usr/bin/setpriv") else {
            print("note: the read-only test runs as root with setpriv, to act as another user; skipped")
            return
        }
        let scratch = try Self.ledger(.sqlite)
        let folder = scratch.url.appendingPathComponent("shared")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let copy = folder.appendingPathComponent("ledger.sqlite").path
        try FileManager.default.copyItem(atPath: scratch.database, toPath: copy)
        for (path, mode) in [(scratch.url.path, 0o755), (folder.path, 0o777), (copy, 0o644)] {
            try FileManager.default.setAttributes([.posixPermissions: mode], ofItemAtPath: path)
        }
        func asNobody(_ arguments: [String]) throws -> Binary.Result {
            try Binary.run(["--reuid=65534", "--regid=65534", "--clear-groups", Binary.url.path] + arguments + ["--db", copy],
                           executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
        }
        for arguments in [["balance", "--tenant", "t"], ["movements", "--tenant", "t"], ["runs", "--tenant", "t"], ["report", "summary", "--tenant", "t"]] {
            let read = try asNobody(arguments)
            #expect(read.status == 0, "\(arguments): \(read.stderr)")
        }
        #expect(try asNobody(["balance", "--tenant", "t", "--format", "csv"]).stdout.contains("1001,WH-MAIN,4"))
        let write = try asNobody(["reverse", "1", "--tenant", "t", "--user", "alice", "--reason", "x"])
        #expect(write.status == 2)
        #expect(write.stderr.contains("may only read"), "\(write.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["ledger.sqlite"])
    }

    @Test func readCommandsWorkForAServerRoleThatMayOnlyRead() throws {
        guard Backend.available.contains(.postgres), let server = TestPostgres.url else { return }
        let scratch = try Self.ledger(.postgres)
        let schema = scratch.schema ?? ""
        let role = "reader_" + schema
        let setUp = """
            CREATE ROLE \(role) LOGIN; GRANT USAGE ON SCHEMA \(schema) TO \(role);
            GRANT SELECT ON ALL TABLES IN SCHEMA \(schema) TO \(role)
            """
        #expect(try scratch.refusal(setUp) == nil)
        defer { _ = try? Scratch.psql(server, "DROP OWNED BY \(role); DROP ROLE \(role)") }
        guard var components = URLComponents(string: scratch.database) else { return }
        components.user = role
        components.password = nil
        let database = components.string ?? ""
        let read = try Binary.run(["balance", "--tenant", "t", "--format", "csv", "--db", database])
        #expect(read.status == 0, "\(read.stderr)")
        #expect(read.stdout.contains("1001,WH-MAIN,4"))
        let write = try Binary.run(["reverse", "1", "--tenant", "t", "--user", "alice", "--reason", "x", "--db", database])
        #expect(write.status == 2)
        #expect(try scratch.query("SELECT count(*) FROM ledger") == "3")
    }
}
