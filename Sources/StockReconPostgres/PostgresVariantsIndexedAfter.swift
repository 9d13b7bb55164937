import StockReconStore

/// A first catalog load on PostgreSQL, as on SQLite: the keys' indexes built after the rows.
/// A million variants inserted with them took 18.3-20.8 s, the unique index of random ids above
/// all; copied in and built after, each key is sorted once.
extension PostgresStoreConnection {
    /// Where no tenant has a variant yet and no other session has the table open: the table
    /// locked against every other session until the file commits (none has a variant to read),
    /// the unique id constraint and the indexes of the keys dropped, `body` run with the variants
    /// copied in (`firstLoadVariants`), and each built again, in a savepoint. False, `body`'s writes undone, when the ids are not unique: load the
    /// file again the ordinary way. The ids' primary key stays (they come in order), and so does
    /// the foreign key to tenants: adding it again would lock `tenants` against a session that
    /// waits for this table.
    func loadingVariantsIndexedAfter(_ body: (_ indexedAfter: Bool) throws -> Void) throws -> Bool {
        let isEmpty = "SELECT NOT EXISTS (SELECT 1 FROM catalog_variants)"
        guard try fetchValue(Bool.self, sql: isEmpty) == true else {
            try body(false)
            return true
        }
        // Only alone, as SQLite's first load: the check above holds a share of the table, and so
        // may another first load's; two waiting for each other to let go would deadlock.
        do {
            try inSavepoint { try execute(sql: "LOCK TABLE catalog_variants IN ACCESS EXCLUSIVE MODE NOWAIT") }
        } catch let error as PostgresError where error.sqlState == "55P03" {
            try body(false)
            return true
        }
        // Another load may have committed between the check and the lock.
        guard try fetchValue(Bool.self, sql: isEmpty) == true else {
            try body(false)
            return true
        }
        let unique = try fetchAll(sql: """
            SELECT conname AS name, pg_get_constraintdef(oid) AS definition FROM pg_constraint
            WHERE conrelid = 'catalog_variants'::regclass AND contype = 'u' ORDER BY conname
            """).map { (name: try $0["name"] as String, definition: try $0["definition"] as String) }
        // The indexes no constraint owns, but the partial one on replaced costs: a load leaves
        // that column empty, so kept it costs nothing.
        let indexes = try fetchAll(sql: """
            SELECT c.relname AS name, pg_get_indexdef(c.oid) AS definition FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
            WHERE i.indrelid = 'catalog_variants'::regclass AND c.relname <> 'catalog_variants_by_cost_replaced'
              AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid)
            ORDER BY c.relname
            """).map { (name: try $0["name"] as String, definition: try $0["definition"] as String) }
        var building = false
        do {
            try inSavepoint {
                for constraint in unique { try execute(sql: "ALTER TABLE catalog_variants DROP CONSTRAINT \"\(constraint.name)\"") }
                for index in indexes { try execute(sql: "DROP INDEX \"\(index.name)\"") }
                let copier = PostgresRowCopier(self, table: "catalog_variants", columns: PostgresCatalogUpsert.variantColumns)
                firstLoadVariants = copier
                defer { firstLoadVariants = nil }
                try body(true)
                try copier.finish()
                building = true
                for constraint in unique {
                    try execute(sql: "ALTER TABLE catalog_variants ADD CONSTRAINT \"\(constraint.name)\" \(constraint.definition)")
                }
                for index in indexes { try execute(sql: index.definition) }
            }
            return true
        } catch let error as PostgresError where building && error.sqlState == "23505" {
            return false
        }
    }
}
