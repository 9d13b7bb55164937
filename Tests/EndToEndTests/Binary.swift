import Foundation
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
    static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> Result {
        let process = Process()
        process.executableURL = url
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

/// A temporary folder holding a database, removed afterwards.
final class Scratch {
    let url: URL
    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("e2e-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }
    deinit { try? FileManager.default.removeItem(at: url) }
    var database: String { url.appendingPathComponent("stock.sqlite").path }
    func file(_ name: String, _ contents: String) -> String {
        let path = url.appendingPathComponent(name).path
        FileManager.default.createFile(atPath: path, contents: Data(contents.utf8))
        return path
    }

    /// Runs a query with the sqlite3 shell the test machine has, as users do.
    func query(_ sql: String) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [database, sql]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// Compares with a checked-in golden file; a missing one fails loudly (set
/// STOCKRECON_UPDATE_GOLDEN=1 to write it, then review and commit it).
func expectGolden(_ actual: String, _ name: String, sourceLocation: SourceLocation = #_sourceLocation) {
    let url = Binary.packageRoot.appendingPathComponent("Tests/EndToEndTests/golden/\(name)")
    if ProcessInfo.processInfo.environment["STOCKRECON_UPDATE_GOLDEN"] == "1" {
        FileManager.default.createFile(atPath: url.path, contents: Data(actual.utf8))
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
func killedRun(_ arguments: [String], after delay: TimeInterval, prepare: (Scratch) throws -> Void) throws -> Scratch? {
    var delay = delay
    for _ in 0..<4 {
        let killed = Scratch()
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
