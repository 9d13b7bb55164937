import Foundation
import GRDB
import StockReconStore

/// The SQLite side of the store's edge: GRDB's connection, lent for one `Store` call.
final class SQLiteConnection: SQLConnection {
    /// For the SQLite-only hot paths (`FastStatement`), which stay inside the store.
    let db: Database

    init(_ db: Database) { self.db = db }

    /// Whether the catalog's variants are loaded with their indexes built after the rows
    /// (`loadingVariantsIndexedAfter`): inserted only, no id stored to conflict with.
    var variantsIndexedAfter = false

    /// Whether this transaction lifted the ledger's REPLACE guard (`LedgerGuards.ledgerReplaceGuard`).
    private var isReplaceGuardLifted = false

    /// Lifts the ledger's REPLACE guard until this transaction ends: it commits with the
    /// guard back in place, and a rollback undoes the lifting with everything else.
    func liftLedgerReplaceGuard() throws {
        guard !isReplaceGuardLifted else { return }
        try db.execute(sql: "DROP TRIGGER IF EXISTS ledger_refuses_replace")
        isReplaceGuardLifted = true
    }

    /// A statement with arguments is prepared once per connection; one without may be a script.
    func execute(sql: String, arguments: SQLArguments) throws {
        if arguments.values.isEmpty {
            try db.execute(sql: sql)
        } else {
            try db.cachedStatement(sql: sql).execute(arguments: Self.arguments(arguments))
        }
    }

    /// A query with arguments is prepared once per connection; one without is prepared each
    /// time: its values are in its text (an `IN` list), and each would stay in the cache.
    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        let statement = arguments.values.isEmpty ? try db.makeStatement(sql: sql) : try db.cachedStatement(sql: sql)
        let columns = statement.columnNames
        return try Row.fetchAll(statement, arguments: Self.arguments(arguments)).map { Self.row($0, columns: columns) }
    }

    /// The rows one at a time, from a cursor.
    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        let statement = try db.makeStatement(sql: sql)
        let columns = statement.columnNames
        let cursor = try Row.fetchCursor(statement, arguments: Self.arguments(arguments))
        while let row = try cursor.next() { try body(Self.row(row, columns: columns)) }
    }

    private static func row(_ row: Row, columns: [String]) -> SQLRow {
        SQLRow((0..<row.count).map { index in
            switch (row[index] as DatabaseValue).storage {
            case .null: return .null
            case .int64(let value): return .integer(value)
            case .double(let value): return .text(String(value))
            case .string(let text): return .text(text)
            case .blob(let data): return .blob(Array(data))
            }
        }, columns: columns)
    }

    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try returning(body, inSavepoint: false, ending: .commit)
    }

    func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        try returning(body, inSavepoint: true, ending: .commit)
    }

    func rollingBack<T>(_ body: () throws -> T) throws -> T {
        try returning(body, inSavepoint: false, ending: .rollback)
    }

    /// Runs `body` in GRDB's immediate transaction or savepoint, ended as `ending` says, and
    /// hands back what `body` returned.
    private func returning<T>(_ body: () throws -> T, inSavepoint: Bool, ending: Database.TransactionCompletion) throws -> T {
        var result: T?
        let block = { () throws -> Database.TransactionCompletion in
            result = try body()
            if !inSavepoint, ending == .commit, self.isReplaceGuardLifted {
                try self.db.execute(sql: "CREATE TRIGGER IF NOT EXISTS " + LedgerGuards.ledgerReplaceGuard)
            }
            return ending
        }
        defer { if !inSavepoint { isReplaceGuardLifted = false } }
        if inSavepoint { try db.inSavepoint(block) } else { try db.inTransaction(.immediate, block) }
        guard let result else { throw SQLDecodingError(message: "a transaction ended without its result") }
        return result
    }

    /// One writer holds an SQLite database at a time: the transaction's lock is the tenant's.
    func lockLedger(tenant: Int64) throws {}

    static func arguments(_ arguments: SQLArguments) -> StatementArguments {
        StatementArguments(arguments.values.map { value -> (any DatabaseValueConvertible)? in
            switch value {
            case .null: return nil
            case .integer(let integer): return integer
            case .text(let text): return text
            case .blob(let bytes): return Data(bytes)
            }
        })
    }
}
