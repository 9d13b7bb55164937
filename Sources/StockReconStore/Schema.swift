import GRDB

/// The database's migrations, frozen per backend in `Migrations/`: add a new one, never edit one.
///
/// Public names (SPEC section 8) are views over integer-keyed storage: the ledger keeps
/// catalog ids as integers and derives text ids, times and default keys by joins.
enum Schema {
    /// SQLite's migrations in order (PostgreSQL's, under the same names: `PostgresMigrations`).
    static let migrations = SQLiteMigrations.all

    /// The migration that SQLite also backfills (PostgreSQL's ledgers began with it).
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
                if name == variantMovementsMigration { try VariantMovements.backfill(SQLiteConnection(db)) }
            }
        }
        return migrator
    }

}
