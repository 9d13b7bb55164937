import Foundation
import TestSupport
import Testing

/// Runs the built `stockrecon` executable, as a user would.
struct Binary {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// The executable beside the test bundle (`.build/debug/stockrecon`).
    static let url: URL = {
        let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("stockrecon")
        if FileManager.default.isExecutableFile(atPath: beside.path) { return beside }
        return packageRoot.appendingPathComponent(".build/debug/stockrecon")
    }()

    /// The bundled catalog: orgs, locations, variants and users (alice a manager, bob staff).
    static let fixtureCatalog = [
        "fixtures/catalog/orgs.csv", "fixtures/catalog/locations.csv", "fixtures/catalog/variants.csv", "fixtures/catalog/users.csv",
    ]

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Starts the executable without waiting (for kill and concurrency tests).
    static func start(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
        let process = Process()
        process.executableURL = url
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @discardableResult
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:], executable: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = executable ?? url
        process.arguments = arguments
        process.currentDirectoryURL = packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        let input = Pipe()
        process.standardInput = stdin == nil ? FileHandle.nullDevice : input
        try process.run()
        if let stdin {
            try input.fileHandleForWriting.write(contentsOf: stdin)
            try input.fileHandleForWriting.close()
        }
        let outData = output.fileHandleForReading.readDataToEndOfFile()
        let errData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return Result(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self))
    }
}

/// A temporary folder holding a database, removed afterwards: an SQLite file in the folder,
/// or on PostgreSQL a schema of its own in the test server's database.
final class Scratch {
    let url: URL
    /// The PostgreSQL schema, nil for SQLite.
    let schema: String?

    convenience init(_ backend: Backend) {
        self.init(onServer: backend == .postgres)
    }

    init(onServer: Bool = false) {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        schema = onServer ? "e2e_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased() : nil
        if let schema { _ = try? Self.psql(TestPostgres.url ?? "", "CREATE SCHEMA \(schema)") }
    }

    deinit {
        try? FileManager.default.removeItem(at: url)
        if let schema { _ = try? Self.psql(TestPostgres.url ?? "", "DROP SCHEMA \(schema) CASCADE") }
    }

    /// The file's path, or the server's URL with the schema first on the search path.
    var database: String { database(applicationName: nil) }

    /// The URL naming the connection (`pg_stat_activity.application_name`), to find it.
    func database(applicationName: String?) -> String {
        guard let schema, let server = TestPostgres.url else { return url.appendingPathComponent("stock.sqlite").path }
        let name = applicationName.map { "&application_name=\($0)" } ?? ""
        return server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)" + name
    }

    func file(_ name: String, _ contents: String) -> String {
        let path = url.appendingPathComponent(name).path
        if !FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) { Issue.record("could not write \(path)") }
        return path
    }

    /// Runs a query with the shell the test machine has (sqlite3, or psql), as users do.
    func query(_ sql: String) throws -> String {
        if schema != nil { return try Self.psql(database, sql) }
        return try Self.shell("/usr/bin/sqlite3", [database, sql])
    }

    /// `group_concat` in SQLite's words or PostgreSQL's, ordered.
    func concatenated(_ expression: String) -> String {
        schema == nil ? "group_concat(\(expression), ';')" : "string_agg(\(expression), ';' ORDER BY \(expression))"
    }

    /// The shell's error for a statement the database refused (psql's, or sqlite3's), nil when it ran.
    func refusal(_ sql: String) throws -> String? {
        let (status, _, errors) = schema == nil
            ? try Self.run("/usr/bin/sqlite3", [database, sql])
            : try Self.run("/usr/bin/psql", Self.psqlOptions + ["-d", database, "-c", sql])
        return status == 0 ? nil : errors
    }

    static let psqlOptions = ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1"]

    static func psql(_ url: String, _ sql: String) throws -> String {
        try run("/usr/bin/psql", psqlOptions + ["-d", url, "-c", sql]).output
    }

    private static func shell(_ path: String, _ arguments: [String]) throws -> String {
        try run(path, arguments).output
    }

    private static func run(_ path: String, _ arguments: [String]) throws -> (status: Int32, output: String, errors: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorData = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines),
                String(decoding: errorData, as: UTF8.self))
    }
}

/// Compares with a checked-in golden file; a missing one fails loudly (set
/// STOCKRECON_UPDATE_GOLDEN=1 to write it, then review and commit it).
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = Binary.packageRoot.appendingPathComponent("Tests/EndToEndTests/golden/\(name)")
    if ProcessInfo.processInfo.environment["STOCKRECON_UPDATE_GOLDEN"] == "1" {
        if !FileManager.default.createFile(atPath: url.path, contents: Data(actual.utf8)) { Issue.record("could not write \(url.path)") }
        return
    }
    guard let expected = try? String(contentsOf: url, encoding: .utf8) else {
        Issue.record("golden file \(url.path) is missing: run with STOCKRECON_UPDATE_GOLDEN=1 to write it, review it, commit it", sourceLocation: sourceLocation)
        return
    }
    #expect(actual == expected, "differs from golden/\(name)", sourceLocation: sourceLocation)
}

/// Output with its times replaced by `<time>`: they change from run to run, nothing else may.
func withoutTimes(_ text: String) -> String {
    text.replacingOccurrences(of: #"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ"#, with: "<time>", options: .regularExpression)
}

/// Runs `arguments` on a fresh database that `prepare` sets up, kills it with SIGKILL after
/// `delay` (halved each time the command beat the kill), and returns that database; nil
/// when every run finished before it could be killed.
func killedRun(
    _ arguments: [String], after delay: TimeInterval, onServer: Bool = false, prepare: (Scratch) throws -> Void
) throws -> Scratch? {
    var delay = delay
    for _ in 0..<4 {
        let killed = Scratch(onServer: onServer)
        try prepare(killed)
        let victim = try Binary.start(arguments + ["--db", killed.database])
        Thread.sleep(forTimeInterval: delay)
        kill(victim.processIdentifier, SIGKILL)
        victim.waitUntilExit()
        if victim.terminationReason == .uncaughtSignal { return killed }
        delay /= 2
    }
    return nil
}
