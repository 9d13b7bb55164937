import Foundation
import TestSupport
import Testing

/// Processes meeting a database that needs migrations at once migrate it once, and each goes on.
/// Before SQLite's migrations ran under one write lock, the loser of the race exited 2 on
/// `grdb_migrations`' key or a column added twice (3 pairs in 4 on the v18 database).
@Suite(.serialized) struct MigrationRaceTests {
    static let processes = 4
    static let tries = 4

    /// Runs `runs` in every process at once; the exit statuses and what each wrote to stderr.
    static func openAtOnce(_ database: String) throws -> [(status: Int32, stderr: String)] {
        let started = try (1...processes).map { _ in
            let process = Process()
            process.executableURL = Binary.url
            process.arguments = ["runs", "--tenant", "t", "--db", database]
            process.currentDirectoryURL = Binary.packageRoot
            process.standardOutput = FileHandle.nullDevice
            let errors = Pipe()
            process.standardError = errors
            try process.run()
            return (process, errors)
        }
        return started.map { process, errors in
            let text = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            return (process.terminationStatus, text)
        }
    }

    /// Each migration recorded once, and how many there are.
    static func recorded(_ scratch: Scratch) throws -> String {
        let table = scratch.schema == nil ? "grdb_migrations" : "stockrecon_migrations"
        let column = scratch.schema == nil ? "identifier" : "name"
        return try scratch.query("SELECT count(*) || ' ' || count(DISTINCT \(column)) FROM \(table)")
    }

    static func expectEachWentOn(_ results: [(status: Int32, stderr: String)], _ scratch: Scratch, try attempt: Int) throws {
        for result in results {
            #expect(result.status == 0, "try \(attempt): \(result.stderr)")
        }
        let recorded = try recorded(scratch)
        let counts = recorded.split(separator: " ")
        #expect(counts.count == 2 && counts.first == counts.last && (Int(counts.first ?? "") ?? 0) > 20, "try \(attempt): \(recorded)")
    }

    @Test(arguments: Backend.available) func processesMeetingANewDatabaseAtOnceEachGoOn(_ backend: Backend) throws {
        for attempt in 1...Self.tries {
            let scratch = Scratch(backend)
            try Self.expectEachWentOn(Self.openAtOnce(scratch.database), scratch, try: attempt)
        }
    }

    @Test func processesMeetingADatabaseOfSchemaV18AtOnceEachGoOn() throws {
        let fixture = Binary.packageRoot.appendingPathComponent("Tests/Fixtures/schema-v18.sqlite").path
        for attempt in 1...Self.tries {
            let scratch = Scratch()
            try FileManager.default.copyItem(atPath: fixture, toPath: scratch.database)
            try Self.expectEachWentOn(Self.openAtOnce(scratch.database), scratch, try: attempt)
            #expect(try scratch.query("PRAGMA integrity_check") == "ok")
            #expect(try scratch.query("SELECT count(*) FROM movements") != "0", "the v18 ledger's movements are kept")
        }
    }
}
