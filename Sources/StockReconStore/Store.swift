import Foundation
import GRDB
import StockReconCore

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

/// The stockrecon database: one SQLite file in WAL mode, created or migrated on open.
public final class Store: @unchecked Sendable {
    public let path: String
    let queue: DatabaseQueue

    /// How long a writer waits for another process's transaction before failing.
    public static let busyTimeout: TimeInterval = 600

    public init(path: String) throws {
        self.path = path
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
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Schema.migrator.migrate(queue)
        } catch {
            throw StoreError(action: "opening \(path)", underlying: error)
        }
    }

    /// Runs `body` with the connection, outside any transaction, wrapping database errors.
    public func withConnection<T>(_ action: String, _ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.writeWithoutTransaction(body)
        } catch let error as DatabaseError {
            throw StoreError(action: action, underlying: error)
        }
    }

    /// Runs `body` in one immediate transaction: everything or nothing.
    public func write<T>(_ action: String, _ body: (Database) throws -> T) throws -> T {
        try withConnection(action) { db in
            var result: T?
            try db.inTransaction(.immediate) {
                result = try body(db)
                return .commit
            }
            guard let result else { throw StoreError(action: action, underlying: DatabaseError(message: "no result")) }
            return result
        }
    }

    public func read<T>(_ body: (Database) throws -> T) throws -> T {
        do {
            return try queue.read(body)
        } catch let error as DatabaseError {
            throw StoreError(action: "reading", underlying: error)
        }
    }

    static func now() -> String {
        Timestamp.format(epochSeconds: Int(Date().timeIntervalSince1970))
    }
}
