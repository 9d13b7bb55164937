import StockReconStore

/// The PostgreSQL schema: `PostgresMigrations`, run once each in one transaction under an
/// advisory lock, so that several processes meeting a new database migrate it once.
enum PostgresSchema {
    /// Serializes migrations across processes (any constant of our own).
    static let migrationLock: Int64 = 0x5354_4B52_4543_4F4E  // "STKRECON"

    /// Applies what is missing; a database whose migrations are all applied is only read
    /// (a user who may only read it can open it), one with migrations unknown here is refused.
    static func migrate(_ db: PostgresStoreConnection, readOnly: Bool = false) throws {
        let known = PostgresMigrations.all.map(\.name)
        if try db.fetchValue(String.self, sql: "SELECT CAST(to_regclass('stockrecon_migrations') AS TEXT)") != nil {
            let applied = Set(try db.fetchValues(String.self, sql: "SELECT name FROM stockrecon_migrations"))
            let unknown = applied.subtracting(known)
            if !unknown.isEmpty { throw SchemaError.newerSchema(unknown.sorted()) }
            let missing = known.filter { !applied.contains($0) }
            if missing.isEmpty { return }
            if readOnly { throw SchemaError.needsMigration(missing) }
        }
        try db.inTransaction {
            try db.execute(sql: "SELECT pg_advisory_xact_lock(\(migrationLock))")
            try db.execute(sql: "CREATE TABLE IF NOT EXISTS stockrecon_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)")
            let applied = Set(try db.fetchValues(String.self, sql: "SELECT name FROM stockrecon_migrations"))
            for (name, sql) in PostgresMigrations.all where !applied.contains(name) {
                try db.connection.executeScript(sql)
                try db.execute(sql: "INSERT INTO stockrecon_migrations (name, applied_at) VALUES (?, ?)", arguments: [name, Store.now()])
            }
        }
    }
}
