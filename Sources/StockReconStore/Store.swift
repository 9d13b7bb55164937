import Foundation
import StockReconCore

/// A driver's error (GRDB's, libpq's), which the store wraps once with what was being done.
public protocol DatabaseFailure: Error {
    /// The failure as a user reads it.
    var failureDescription: String { get }
}

/// A database failure, wrapped once at the store boundary with what was being done.
public struct StoreError: Error, CustomStringConvertible {
    public var action: String
    public var underlying: Error

    public init(action: String, underlying: Error) {
        self.action = action
        self.underlying = underlying
    }

    public var description: String {
        let detail = (underlying as? DatabaseFailure)?.failureDescription ?? "\(underlying)"
        return "database error while \(action): \(detail)"
    }
}

/// A database the store runs on (`StockReconSQLite`, `StockReconPostgres`), opened and
/// migrated by its target.
public protocol StoreBackend: AnyObject, Sendable {
    /// Lends the connection to `body`: `writing`, outside any transaction; else to read.
    func lend<T>(writing: Bool, _ body: (any SQLConnection) throws -> T) throws -> T
}

/// The stockrecon database: an SQLite file in WAL mode, or a PostgreSQL database named by a
/// `postgresql://` (or `postgres://`) URL; created or migrated on open (`StockReconBackends`).
public final class Store: @unchecked Sendable {
    /// The SQLite file's path, or the server's URL.
    public let path: String
    private let backend: any StoreBackend

    /// How long a writer waits for another process's transaction before failing.
    public static let busyTimeout: TimeInterval = 600

    public init(path: String, backend: any StoreBackend) {
        self.path = path
        self.backend = backend
    }

    /// Whether `location` names a PostgreSQL server rather than an SQLite file.
    public static func isServerURL(_ location: String) -> Bool {
        location.hasPrefix("postgresql://") || location.hasPrefix("postgres://")
    }

    /// A URL without its password, for messages.
    public static func redacted(_ location: String) -> String {
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

    /// Lends the connection to `body`; a driver's errors say what was being done.
    private func lending<T>(_ action: String, writing: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
        do {
            return try backend.lend(writing: writing, body)
        } catch let error as DatabaseFailure {
            throw StoreError(action: action, underlying: error)
        }
    }

    public static func now() -> String {
        Timestamp.format(epochSeconds: Int(Date().timeIntervalSince1970))
    }
}
