import Foundation
import StockReconStore

/// A PostgreSQL database named by a URL: one libpq connection, held for the store's life and
/// lent to one thread at a time; migrated on open.
public final class PostgresBackend: StoreBackend, @unchecked Sendable {
    private let connection: PostgresStoreConnection
    private let lock = NSRecursiveLock()

    /// `forReading`: a database whose migrations are all applied is only read, so a user who
    /// may only read it can open it.
    public init(url: String, forReading: Bool) throws {
        connection = PostgresStoreConnection(try PostgresConnection(url: url))
        try PostgresSchema.migrate(connection, readOnly: forReading)
        try LedgerGuards.check(connection)
    }

    public func lend<T>(writing: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
        lock.lock()
        defer { lock.unlock() }
        return try body(connection)
    }
}

extension PostgresError: DatabaseFailure {
    public var failureDescription: String { description }
}
