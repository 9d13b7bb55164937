import Foundation
import TestSupport
import Testing

/// Data files that are not files (issue 26): a device, a pipe, a directory are one located
/// `unreadable_file` each, not a hang or a disk filled; standard input is spooled with a
/// bound, and the spool is gone however the process ends.
@Suite struct SpecialFileTests {
    @Test func devicesPipesAndDirectoriesAreUnreadableFiles() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "t"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        let fifo = scratch.url.appendingPathComponent("pipe.csv").path
        #expect(mkfifo(fifo, 0o600) == 0)
        for (path, kind) in [("/dev/zero", "a device"), (fifo, "a pipe (FIFO)"), (scratch.url.path, "a directory")] {
            let imported = try Binary.run(["import", "--org", "acme", "--format", "synq", path] + db)
            #expect(imported.status == 2, "\(path): \(imported.stderr)")
            #expect(imported.stderr.contains("\(path) is \(kind), not a file") && imported.stderr.contains("[unreadable_file]"), "\(imported.stderr)")
            let sniffed = try Binary.run(["import", "--org", "acme", path] + db)
            #expect(sniffed.status != 0 && sniffed.stderr.contains("not a file"), "\(sniffed.stderr)")
        }
        let catalog = try Binary.run(["catalog", "import", "/dev/zero"] + db)
        #expect(catalog.status == 2 && catalog.stderr.contains("/dev/zero is a device"), "\(catalog.stderr)")
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "FULL", "--name", "c", "--user", "alice"] + db).status == 0)
        let sheet = try Binary.run(["count", "add", "1", "--user", "bob", fifo] + db)
        #expect(sheet.status == 2 && sheet.stderr.contains("is a pipe (FIFO), not a file"), "\(sheet.stderr)")
    }

    /// A pipeline of the bundled catalog and one synq import of `files` (a path or glob).
    static func importPipeline(_ scratch: Scratch, files: String) -> String {
        let root = FileManager.default.currentDirectoryPath
        return scratch.file("p.yaml", """
            tenant: t
            org: acme
            user: bob
            stages:
              - catalog: [\(root)/fixtures/catalog/*.csv]
              - import: {format: synq, files: [\(files)]}
            """)
    }

    @Test func aPipelineGlobReadsRegularFilesOnly() throws {
        let scratch = Scratch()
        let folder = scratch.url.appendingPathComponent("in")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        #expect(mkfifo(folder.appendingPathComponent("a-pipe.csv").path, 0o600) == 0)
        try Data("variant_id,location_id,quantity_delta\n1002,WH-MAIN,4\n".utf8).write(to: folder.appendingPathComponent("b.csv"))
        let pipeline = Self.importPipeline(scratch, files: "\(folder.path)/*")
        let run = try Binary.run(["run", pipeline, "--json", "--db", scratch.database])
        #expect(run.status == 0, "\(run.stdout) \(run.stderr)")
        #expect(run.stdout.contains(#""rows":1,"posted":1"#), "\(run.stdout)")
    }

    /// A stage that stops the pipeline says why in the text for cron mail too, not only in --json.
    @Test func aRefusedStageSaysWhyWithoutJSON() throws {
        let scratch = Scratch()
        let bad = scratch.file("bad.csv", "nothing,useful\n1,2\n")
        let pipeline = Self.importPipeline(scratch, files: bad)
        let run = try Binary.run(["run", pipeline, "--db", scratch.database])
        #expect(run.status == 2)
        #expect(run.stdout.contains("failed, the pipeline stopped here: ") && run.stdout.contains("the header has no"), "\(run.stdout)")
    }

    @Test func standardInputIsSpooledWithABoundAndTheSpoolGoesOnEveryExit() throws {
        let scratch = Scratch()
        let spools = scratch.url.appendingPathComponent("tmp")
        try FileManager.default.createDirectory(at: spools, withIntermediateDirectories: true)
        let environment = ["TMPDIR": spools.path, "STOCKRECON_STDIN_LIMIT": "1000"]
        let db = ["--db", scratch.database, "--tenant", "t"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        let small = try Binary.run(
            ["import", "--org", "acme", "--format", "synq", "-"] + db,
            stdin: Data("variant_id,location_id,quantity_delta\n1002,WH-MAIN,4\n".utf8), environment: environment)
        #expect(small.status == 0, "\(small.stderr)")
        let large = try Binary.run(
            ["import", "--org", "acme", "--format", "synq", "-"] + db, stdin: Data(repeating: 0x41, count: 5000), environment: environment)
        #expect(large.status != 0 && large.stderr.contains("larger than the 1000 bytes it may spool"), "\(large.stderr)")
        // Killed while it spools (SIGKILL: a test runner's children may have SIGTERM blocked):
        // nothing is left in the temporary folder either.
        let input = Pipe()
        let process = Process()
        process.executableURL = Binary.url
        process.arguments = ["import", "--org", "acme", "--format", "synq", "-"] + db
        process.environment = ProcessInfo.processInfo.environment.merging(["TMPDIR": spools.path]) { $1 }
        process.standardInput = input
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        try input.fileHandleForWriting.write(contentsOf: Data(repeating: 0x41, count: 1 << 20))
        Thread.sleep(forTimeInterval: 0.3)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        try? input.fileHandleForWriting.close()
        #expect(try FileManager.default.contentsOfDirectory(atPath: spools.path) == [])
    }
}
