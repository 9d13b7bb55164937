import Foundation
import GRDB
import StockReconCore
import StockReconPostgres

/// A database failure, wrapped once at the store boundary with what was being done.
public struct StoreError: Error, CustomStringConvertible {
    public var action: String
    public var underlying: Error

    public var description: String {
        if let error = underlying as? DatabaseError {
            var text = "database error while \(action): \(error.message ?? "\(error.resultCode)")"
            if let sql = error.sql { text += " (SQL: \(sql))" }
            return text
        }
        return "database error while \(action): \(underlying)"
    }
}

/// The stockrecon database: an SQLite file in WAL mode, or a PostgreSQL database named by a
/// `postgresql://` (or `postgres://`) URL; created or migrated on open.
public final class Store: @unchecked Sendable {
    /// The SQLite file's path, or the server's URL.
    public let path: String
    private let backend: Backend
    /// One thread at a time on the PostgreSQL connection (GRDB's queue does this for SQLite).
    private let serverLock = NSRecursiveLock()

    private enum Backend {
        case sqlite(DatabaseQueue)
        case postgres(PostgresStoreConnection)
    }

    /// How long a writer waits for another process's transaction before failing.
    public static let busyTimeout: TimeInterval = 600

    /// Whether `location` names a PostgreSQL server rather than an SQLite file.
    public static func isServerURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// Opens the SQLite file at `path`, or the PostgreSQL database its URL names, migrating it.
    /// `forReading`: the caller only reads, so a database the user may only read is opened
    /// read-only (nothing written, no file created beside it) instead of failing.
    public init(path: String, forReading: Bool = false) throws {
        self.path = path
        do {
            if Self.isServerURL(path) {
                let connection = PostgresStoreConnection(try PostgresConnection(url: path))
                try PostgresSchema.migrate(connection, readOnly: forReading)
                try LedgerGuards.check(connection)
                backend = .postgres(connection)
            } else {
                let readOnly = Self.isReadOnlyFile(path)
                if readOnly, !forReading { throw SchemaError.readOnly }
                let queue = try Self.openSQLite(path, readOnly: readOnly)
                try queue.read { db in try LedgerGuards.check(SQLiteConnection(db)) }
                backend = .sqlite(queue)
            }
        } catch let error as SchemaError {
            throw error
        } catch {
            throw StoreError(action: "opening \(Self.redacted(path))", underlying: error)
        }
    }

    /// An existing file this user may read but not write.
    private static func isReadOnlyFile(_ path: String) -> Bool {
        FileManager.default.fileExists(atPath: path) && !FileManager.default.isWritableFile(atPath: path)
    }

    public var dialect: SQLDialect {
        switch backend {
        case .sqlite: return .sqlite
        case .postgres: return .postgres
        }
    }

    private static func openSQLite(_ path: String, readOnly: Bool) throws -> DatabaseQueue {
        if readOnly { return try openSQLiteReadOnly(path) }
        var configuration = Configuration()
        configuration.journalMode = .wal
        configuration.busyMode = .timeout(Store.busyTimeout)
        configuration.prepareDatabase { db in
            // Larger pages for an append-mostly ledger (applies when the file is created).
            try db.execute(sql: "PRAGMA page_size = 16384")
            // FULL: a committed file survives a power cut, not only a crash.
            try db.execute(sql: "PRAGMA synchronous = FULL")
            try db.execute(sql: "PRAGMA cache_size = -24576")
        }
        let queue = try DatabaseQueue(path: path, configuration: configuration)
        try queue.read { db in
            let unknown = try Schema.appliedMigrations(db).subtracting(Schema.migrations.map(\.name))
            if !unknown.isEmpty { throw SchemaError.newerSchema(unknown.sorted()) }
        }
        try Schema.migrator.migrate(queue)
        return queue
    }

    /// A file the user may only read: opened read-only, and without a write-ahead log it is read
    /// as it stands (immutable), since SQLite could not create the shared-memory file beside it.
    private static func openSQLiteReadOnly(_ path: String) throws -> DatabaseQueue {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(Store.busyTimeout)
        let hasLog = FileManager.default.fileExists(atPath: path + "-wal")
        var location = path
        if !hasLog, let encoded = URL(fileURLWithPath: path).absoluteURL.path.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed) {
            location = "file:\(encoded)?immutable=1"
        }
        let queue = try DatabaseQueue(path: location, configuration: configuration)
        try queue.read { db in
            let applied = try Schema.appliedMigrations(db)
            let unknown = applied.subtracting(Schema.migrations.map(\.name))
            if !unknown.isEmpty { throw SchemaError.newerSchema(unknown.sorted()) }
            let missing = Schema.migrations.map(\.name).filter { !applied.contains($0) }
            if !missing.isEmpty { throw SchemaError.needsMigration(missing) }
        }
        return queue
    }

    /// A URL without its password, for messages.
    static func redacted(_ location: String) -> String {
        guard isServerURL(location), var components = URLComponents(string: location), components.password != nil else {
            return location
        }
        components.password = "***"
        return components.string ?? location
    }

    /// Runs `body` with the connection, outside any transaction, wrapping database errors.
    public func withConnection<T>(_ action: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        try lending(action, writing: true, body)
    }

    /// Runs `body` in one immediate transaction: everything or nothing.
    public func write<T>(_ action: String, _ body: (any SQLConnection) throws -> T) throws -> T {
        try withConnection(action) { db in try db.inTransaction { try body(db) } }
    }

    public func read<T>(_ body: (any SQLConnection) throws -> T) throws -> T {
        try lending("reading", writing: false, body)
    }

    /// Lends the connection to `body`: SQLite's through GRDB's queue (to write, outside any
    /// transaction, or to read), PostgreSQL's one thread at a time; database errors say what
    /// was being done.
    private func lending<T>(_ action: String, writing: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            switch backend {
            case .sqlite(let queue):
                let use = { (db: Database) throws -> T in try body(SQLiteConnection(db)) }
                return writing ? try queue.writeWithoutTransaction(use) : try queue.read(use)
            case .postgres(let connection):
                serverLock.lock()
                defer { serverLock.unlock() }
                return try body(connection)
            }
        } catch let error as DatabaseError {
            throw StoreError(action: action, underlying: error)
        } catch let error as PostgresError {
            throw StoreError(action: action, underlying: error)
        }
    }

    static func now() -> String {
        Timestamp.format(epochSeconds: Int(Date().timeIntervalSince1970))
    }
}
