import GRDB
import StockReconStore

/// SQLite's migrations (`SQLiteMigrations`, frozen: add a new one, never edit one), recorded
/// in GRDB's migrations table as GRDB's migrator did.
///
/// Public names (SPEC section 8) are views over integer-keyed storage: the ledger keeps
/// catalog ids as integers and derives text ids, times and default keys by joins.
enum SQLiteSchema {
    static let migrations = SQLiteMigrations.all

    /// The migration that also fills its table from the ledger (PostgreSQL's ledgers began with it).
    static let variantMovementsMigration = "v8: each variant's movements"

    /// The migrations a database says it has (GRDB's table; none for a new file). Asked of
    /// SQLite, not GRDB's schema cache, which another process's migration leaves stale.
    static func appliedMigrations(_ db: Database) throws -> Set<String> {
        let table = "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = 'grdb_migrations'"
        guard try Int.fetchOne(db, sql: table) == 1 else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    /// Applies what is missing in one write transaction, read again under its lock: a second
    /// process opening the file meanwhile waits, then finds it done, as PostgreSQL's advisory
    /// lock does. Foreign keys are off for table rebuilds (SQLite's procedure for them) and
    /// checked before the commit.
    static func migrate(_ queue: DatabaseQueue) throws {
        let missing = try queue.read { db in try self.missing(db) }
        if missing.isEmpty { return }
        try queue.writeWithoutTransaction { db in
            try db.execute(sql: "PRAGMA foreign_keys = OFF")
            do {
                try db.inTransaction(.immediate) {
                    try apply(self.missing(db), db)
                    try db.checkForeignKeys()
                    return .commit
                }
            } catch {
                try db.execute(sql: "PRAGMA foreign_keys = ON")
                throw error
            }
            try db.execute(sql: "PRAGMA foreign_keys = ON")
        }
    }

    /// Known migrations the database lacks, in order; one unknown here is refused.
    static func missing(_ db: Database) throws -> [(name: String, sql: String)] {
        let applied = try appliedMigrations(db)
        let unknown = applied.subtracting(migrations.map(\.name))
        if !unknown.isEmpty { throw SchemaError.newerSchema(unknown.sorted()) }
        return migrations.filter { !applied.contains($0.name) }
    }

    private static func apply(_ missing: [(name: String, sql: String)], _ db: Database) throws {
        try db.execute(sql: "CREATE TABLE IF NOT EXISTS grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY)")
        for (name, sql) in missing {
            try db.execute(sql: sql)
            if name == variantMovementsMigration { try backfillVariantMovements(SQLiteConnection(db)) }
            try db.execute(sql: "INSERT INTO grdb_migrations (identifier) VALUES (?)", arguments: [name])
        }
    }

    /// Writes runs for a ledger that has movements already (a database made before the table).
    private static func backfillVariantMovements(_ db: SQLiteConnection) throws {
        var runs = VariantMovements.Runs(db)
        var scan = try FastStatement(db, sql: "SELECT id, variant FROM ledger ORDER BY id")
        scan.reset()
        while try scan.step() { try runs.add(variant: scan.int64(column: 1), id: scan.int64(column: 0)) }
        try runs.flush()
    }
}
