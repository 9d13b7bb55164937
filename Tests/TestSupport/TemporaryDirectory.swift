import Foundation
import Testing

/// A temporary folder for a test, removed when the value goes.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL

    public init(prefix: String = "stockrecon-tests") {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    public func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Writes a file and returns its path.
    @discardableResult
    public func file(_ name: String, _ contents: String) -> String {
        file(name, bytes: Array(contents.utf8))
    }

    @discardableResult
    public func file(_ name: String, bytes: [UInt8]) -> String {
        let path = path(name)
        FileManager.default.createFile(atPath: path, contents: Data(bytes))
        return path
    }
}

/// The package's root folder, and `../shared` beside it when the workspace has it.
public enum Workspace {
    public static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    public static let corpora = packageRoot.deletingLastPathComponent().appendingPathComponent("shared/corpora")

    public static func hasCorpus(_ name: String) -> Bool {
        FileManager.default.fileExists(atPath: corpora.appendingPathComponent(name).path)
    }
}

/// The PostgreSQL server the tests may use: `STOCKRECON_TEST_POSTGRES` holds its URL (CI starts
/// a throwaway cluster and sets it). Without it PostgreSQL tests skip, saying so, unless
/// `STOCKRECON_REQUIRE_POSTGRES=1` (set in CI), when they fail instead.
public enum TestPostgres {
    public static let url = ProcessInfo.processInfo.environment["STOCKRECON_TEST_POSTGRES"].flatMap { $0.isEmpty ? nil : $0 }
    public static let isRequired = ProcessInfo.processInfo.environment["STOCKRECON_REQUIRE_POSTGRES"] == "1"
    public static let skipNote = "PostgreSQL tests skipped: set STOCKRECON_TEST_POSTGRES to a server's URL to run them"
}

/// The databases the suites that take a backend run against: SQLite always, and PostgreSQL
/// when `STOCKRECON_TEST_POSTGRES` names a server (CI requires it).
public enum Backend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case sqlite
    case postgres

    public static var available: [Backend] {
        TestPostgres.url != nil || TestPostgres.isRequired ? [.sqlite, .postgres] : [.sqlite]
    }

    public var testDescription: String { rawValue }
}
