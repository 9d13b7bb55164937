import GRDB
import StockReconStore

/// SQLite's migrations (`SQLiteMigrations`, frozen: add a new one, never edit one), run by
/// GRDB's migrator.
///
/// Public names (SPEC section 8) are views over integer-keyed storage: the ledger keeps
/// catalog ids as integers and derives text ids, times and default keys by joins.
enum SQLiteSchema {
    static let migrations = SQLiteMigrations.all

    /// The migration that also fills its table from the ledger (PostgreSQL's ledgers began with it).
    static let variantMovementsMigration = "v8: each variant's movements"

    /// The migrations a database says it has (GRDB's table; none for a new file).
    static func appliedMigrations(_ db: Database) throws -> Set<String> {
        guard try db.tableExists("grdb_migrations") else { return [] }
        return Set(try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"))
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        for (name, sql) in migrations {
            migrator.registerMigration(name) { db in
                try db.execute(sql: sql)
                if name == variantMovementsMigration { try backfillVariantMovements(SQLiteConnection(db)) }
            }
        }
        return migrator
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
