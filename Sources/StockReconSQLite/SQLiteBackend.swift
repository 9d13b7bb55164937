import Foundation
import GRDB
import StockReconStore

/// An SQLite file in WAL mode through GRDB's queue: created or migrated on open, or, for a
/// user who may only read it, opened read-only.
public final class SQLiteBackend: StoreBackend, @unchecked Sendable {
    private let queue: DatabaseQueue

    /// `forReading`: the caller only reads, so a file the user may only read is opened
    /// read-only (nothing written, no file created beside it) instead of failing.
    public init(path: String, forReading: Bool) throws {
        let readOnly = Self.isReadOnlyFile(path)
        if readOnly, !forReading { throw SchemaError.readOnly }
        queue = try readOnly ? Self.openReadOnly(path) : Self.open(path)
        try queue.read { db in try LedgerGuards.check(SQLiteConnection(db)) }
    }

    public func lend<T>(writing: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
        let use = { (db: Database) throws -> T in try body(SQLiteConnection(db)) }
        return writing ? try queue.writeWithoutTransaction(use) : try queue.read(use)
    }

    /// An existing file this user may read but not write.
    private static func isReadOnlyFile(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path) && !FileManager.default.isWritableFile(atPath: path)
    }

    private static func open(_ path: String) throws -> DatabaseQueue {
        // WAL is set below, not by GRDB's `journalMode = .wal`: that sets synchronous = NORMAL
        // after `prepareDatabase`, and gives up when another process sets it at the same moment.
        var configuration = Configuration()
        configuration.busyMode = .timeout(Store.busyTimeout)
        configuration.prepareDatabase { db in
            // Larger pages for an append-mostly ledger (applies when the file is created).
            try db.execute(sql: "PRAGMA page_size = 16384")
            try db.execute(sql: "PRAGMA cache_size = -24576")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.writeWithoutTransaction { try $0.useWriteAheadLog() }
        try SQLiteSchema.migrate(queue)
        return queue
    }

    /// A file the user may only read: opened read-only. A file that keeps a write-ahead log but has
    /// none beside it is read as it stands (immutable), since SQLite could not create the
    /// shared-memory file; one with a rollback journal (a first catalog load under way) takes
    /// SQLite's locks as any reader.
    private static func openReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(Store.busyTimeout)
        let hasLog = FileManager.default.fileExists(atPath: path + "-wal")
        var location = path
        if !hasLog, Database.keepsWriteAheadLog(path), let encoded = URL(fileURLWithPath: path).absoluteURL.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) {
            location = "file:\(encoded)?immutable=1"
        }
        let queue = try DatabaseQueue(path: location, configuration: configuration)
        try queue.read { db in
            let missing = try SQLiteSchema.missing(db)
            if !missing.isEmpty { throw SchemaError.needsMigration(missing.map(\.name)) }
        }
        return queue
    }
}

extension DatabaseError: DatabaseFailure {
    public var failureDescription: String {
        var text = message ?? "\(resultCode)"
        if let sql { text += " (SQL: \(sql))" }
        return text
    }
}
