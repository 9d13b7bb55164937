import GRDB

/// The database's migrations. Shipped migrations are never edited: add a new one.
///
/// Public names (SPEC section 8) are views over integer-keyed storage: the ledger keeps
/// catalog ids as integers and derives text ids, times and default keys by joins.
enum Schema {
    /// The migrations in order: a name and its SQLite text. PostgreSQL runs the same list,
    /// each text translated (`PostgresSchema`), so that the two schemas cannot drift apart.
    static let migrations: [(name: String, sql: String)] = [
        ("v1: catalog, ledger, balances, runs, rejections", catalogSQL + ledgerSQL + publicViewsSQL),
        ("v2: approvals and reversals", approvalsSQL),
        ("v3: pipeline runs", pipelineRunsSQL),
        ("v4: stock counts and reports", CountSchema.tablesSQL + CountSchema.viewsSQL),
        ("v5: purchase orders and receipts", ReceiptSchema.tablesSQL + ReceiptSchema.viewsSQL),
        ("v6: natural keys in blocks", KeyBlocks.tableSQL),
        ("v7: where re-exports resume", FilePrefixes.tableSQL),
        (variantMovementsMigration, VariantMovements.tableSQL),
        ("v9: front-coded key blocks", KeyBlocks.formatSQL),
        ("v10: movement runs stored uncompressed on a server", VariantMovements.serverStorageSQL),
        ("v11: prefixes of files without natural keys", FilePrefixes.keylessSQL),
        ("v12: each tenant's content digest", Store.contentDigestSQL),
        ("v13: balances updated in place on a server", BalanceCache.serverStorageSQL),
        ("v14: held changes as written, one reversal a movement", heldChangesSQL),
        ("v15: the ledger's rows refuse every change, the rows it names every deletion", LedgerGuards.migrationSQL),
        ("v16: how each file was read", "ALTER TABLE source_files ADD COLUMN reading TEXT;"),
        ("v17: count sheets withdrawn by a corrected one", CountSchema.withdrawnSheetsSQL),
        ("v18: what people call a variant", """
            ALTER TABLE catalog_variants ADD COLUMN product_name TEXT;
            ALTER TABLE catalog_variants ADD COLUMN variant_title TEXT;
            """),
    ]

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

    /// The runs of one `stockrecon run` share the id of its first run, so that `rejections
    /// --run last` can list a whole pipeline's rejections.
    static let pipelineRunsSQL = """
        ALTER TABLE run_log ADD COLUMN pipeline_run INTEGER;
        CREATE INDEX run_log_by_tenant ON run_log (tenant, id);
        """

    /// A held `set` keeps its target and a held row the negative-stock rule it was held under,
    /// so that approving decides it again; a movement is reversed at most once, whoever races.
    static let heldChangesSQL = """
        ALTER TABLE approval_requests ADD COLUMN set_on_hand INTEGER;
        ALTER TABLE approval_requests ADD COLUMN negative_stock_forbidden INTEGER NOT NULL DEFAULT 0;
        DROP INDEX ledger_reversals;
        CREATE UNIQUE INDEX ledger_one_reversal ON ledger (reverses_id) WHERE reverses_id IS NOT NULL;
        """

    static let approvalsSQL = """
        -- Valid adjustments held for a manager: everything needed to post them later.
        CREATE TABLE approval_requests (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            org INTEGER NOT NULL,
            status TEXT NOT NULL DEFAULT 'PENDING' CHECK (status IN ('PENDING', 'APPROVED', 'REJECTED')),
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            quantity_delta INTEGER NOT NULL CHECK (quantity_delta <> 0),
            cost_impact_minor INTEGER NOT NULL,
            adjustment_type TEXT,
            reason_code TEXT,
            reason_description TEXT,
            reference_id TEXT,
            unit_cost_minor INTEGER,
            notes TEXT,
            occurred_at TEXT,
            idempotency_key TEXT,
            requested_by INTEGER,
            run INTEGER NOT NULL,
            file INTEGER,
            source_line INTEGER,
            record INTEGER,
            decided_by INTEGER,
            decided_at TEXT,
            note TEXT,
            movement_id INTEGER);
        CREATE INDEX approval_requests_by_tenant ON approval_requests (tenant, status);
        CREATE INDEX ledger_reversals ON ledger (reverses_id) WHERE reverses_id IS NOT NULL;

        CREATE VIEW approvals AS
        SELECT a.id, t.tenant_id, a.status, v.variant_id, loc.location_id, a.quantity_delta,
               a.cost_impact_minor, a.adjustment_type, r.user_id AS requested_by, d.user_id AS decided_by,
               a.decided_at, a.note, a.movement_id, f.path AS source_file, a.source_line
        FROM approval_requests a
        JOIN tenants t ON t.id = a.tenant
        JOIN catalog_variants v ON v.id = a.variant
        JOIN catalog_locations loc ON loc.id = a.location
        LEFT JOIN catalog_users r ON r.id = a.requested_by
        LEFT JOIN catalog_users d ON d.id = a.decided_by
        LEFT JOIN source_files f ON f.id = a.file;
        """

    static let catalogSQL = """
        CREATE TABLE tenants (
            id INTEGER PRIMARY KEY,
            tenant_id TEXT NOT NULL UNIQUE);
        CREATE TABLE catalog_orgs (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            org_id TEXT NOT NULL,
            name TEXT,
            default_location_id TEXT,
            UNIQUE (tenant, org_id));
        CREATE TABLE catalog_locations (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            location_id TEXT NOT NULL,
            site_id TEXT,
            name TEXT,
            UNIQUE (tenant, location_id));
        CREATE TABLE catalog_variants (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            variant_id TEXT NOT NULL,
            product_id TEXT,
            org_id TEXT NOT NULL,
            sku TEXT,
            barcode TEXT,
            unit_cost_minor INTEGER CHECK (unit_cost_minor >= 0),
            location_aware INTEGER NOT NULL DEFAULT 0,
            UNIQUE (tenant, variant_id));
        CREATE TABLE catalog_users (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            user_id TEXT NOT NULL,
            role TEXT NOT NULL CHECK (role IN ('staff', 'manager')),
            UNIQUE (tenant, user_id));
        """

    /// `kind` codes of `ledger`; the `movements` view spells them out.
    static let ledgerSQL = """
        CREATE TABLE run_log (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            org_id TEXT,
            command TEXT NOT NULL,
            started_at TEXT NOT NULL,
            finished_at TEXT,
            rows INTEGER NOT NULL DEFAULT 0,
            posted INTEGER NOT NULL DEFAULT 0,
            pending INTEGER NOT NULL DEFAULT 0,
            rejected INTEGER NOT NULL DEFAULT 0,
            unchanged INTEGER NOT NULL DEFAULT 0,
            duplicate INTEGER NOT NULL DEFAULT 0);
        CREATE TABLE source_files (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            format TEXT NOT NULL,
            rows INTEGER NOT NULL,
            outstanding INTEGER NOT NULL,
            first_run INTEGER NOT NULL,
            last_run INTEGER NOT NULL,
            UNIQUE (tenant, sha256));
        -- Records of a file that ended rejected and have not been posted since.
        CREATE TABLE outstanding_records (
            file INTEGER NOT NULL,
            record INTEGER NOT NULL,
            PRIMARY KEY (file, record)) WITHOUT ROWID;
        -- Natural ids (idempotency_key, external_id, line item ids) already handled.
        CREATE TABLE idempotency_keys (
            tenant INTEGER NOT NULL,
            key TEXT NOT NULL,
            content_digest INTEGER NOT NULL,
            outcome TEXT NOT NULL,
            movement INTEGER,
            run INTEGER NOT NULL,
            PRIMARY KEY (tenant, key)) WITHOUT ROWID;
        -- Who posted a group of movements, for whom, in which run, from which file: one row
        -- per file of a run (or per decision), so that ledger rows stay narrow.
        CREATE TABLE postings (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            org INTEGER NOT NULL,
            run INTEGER NOT NULL,
            file INTEGER,
            user INTEGER,
            approved_by INTEGER);
        -- The append-only ledger. quantity_after is quantity_before + quantity_delta.
        CREATE TABLE ledger (
            id INTEGER PRIMARY KEY,
            posting INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            kind INTEGER NOT NULL,
            quantity_delta INTEGER NOT NULL CHECK (quantity_delta <> 0),
            quantity_before INTEGER NOT NULL,
            unit_cost_minor INTEGER,
            source_line INTEGER,
            record INTEGER,
            reference_id TEXT,
            notes TEXT,
            reason_code TEXT,
            reason_description TEXT,
            adjustment_type TEXT,
            occurred_at TEXT,
            idempotency_key TEXT,
            reverses_id INTEGER);
        CREATE TRIGGER ledger_refuses_update BEFORE UPDATE ON ledger
        BEGIN SELECT RAISE(ABORT, 'movements are append-only: post a reversal instead'); END;
        CREATE TRIGGER ledger_refuses_delete BEFORE DELETE ON ledger
        BEGIN SELECT RAISE(ABORT, 'movements are append-only: post a reversal instead'); END;
        CREATE TABLE stock_levels (
            tenant INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            on_hand INTEGER NOT NULL,
            PRIMARY KEY (tenant, variant, location)) WITHOUT ROWID;
        CREATE TABLE rejections (
            id INTEGER PRIMARY KEY,
            run_id INTEGER NOT NULL,
            tenant_id TEXT NOT NULL,
            source_file TEXT NOT NULL,
            source_line INTEGER,
            field TEXT,
            type TEXT NOT NULL,
            msg TEXT NOT NULL,
            input TEXT,
            ctx TEXT NOT NULL DEFAULT '{}');
        CREATE INDEX rejections_by_run ON rejections (run_id);
        """

    static let publicViewsSQL = """
        CREATE VIEW movements AS
        SELECT l.id, t.tenant_id, o.org_id, v.variant_id, loc.location_id,
               CASE l.kind WHEN 1 THEN 'adjustment' WHEN 2 THEN 'set' WHEN 3 THEN 'receipt'
                           WHEN 4 THEN 'count' WHEN 5 THEN 'reversal' END AS transaction_type,
               l.adjustment_type, l.quantity_delta, l.quantity_before,
               l.quantity_before + l.quantity_delta AS quantity_after,
               l.reason_code, l.reason_description, l.reference_id, l.unit_cost_minor, l.notes,
               COALESCE(l.occurred_at, r.started_at) AS occurred_at, r.started_at AS recorded_at,
               u.user_id, a.user_id AS approved_by, p.run AS run_id, f.path AS source_file,
               l.source_line, COALESCE(l.idempotency_key, f.sha256 || ':' || l.record) AS idempotency_key,
               l.reverses_id
        FROM ledger l
        JOIN postings p ON p.id = l.posting
        JOIN tenants t ON t.id = p.tenant
        JOIN catalog_orgs o ON o.id = p.org
        JOIN catalog_variants v ON v.id = l.variant
        JOIN catalog_locations loc ON loc.id = l.location
        JOIN run_log r ON r.id = p.run
        LEFT JOIN catalog_users u ON u.id = p.user
        LEFT JOIN catalog_users a ON a.id = p.approved_by
        LEFT JOIN source_files f ON f.id = p.file;
        CREATE TRIGGER movements_refuse_update INSTEAD OF UPDATE ON movements
        BEGIN SELECT RAISE(ABORT, 'movements are append-only: post a reversal instead'); END;
        CREATE TRIGGER movements_refuse_delete INSTEAD OF DELETE ON movements
        BEGIN SELECT RAISE(ABORT, 'movements are append-only: post a reversal instead'); END;
        CREATE TRIGGER movements_refuse_insert INSTEAD OF INSERT ON movements
        BEGIN SELECT RAISE(ABORT, 'movements are posted by stockrecon import, not inserted by hand'); END;

        CREATE VIEW balances AS
        SELECT t.tenant_id, v.variant_id, loc.location_id, s.on_hand
        FROM stock_levels s
        JOIN tenants t ON t.id = s.tenant
        JOIN catalog_variants v ON v.id = s.variant
        JOIN catalog_locations loc ON loc.id = s.location;

        CREATE VIEW runs AS
        SELECT r.id, t.tenant_id, r.org_id, r.command, r.started_at, r.finished_at,
               r.rows, r.posted, r.pending, r.rejected, r.unchanged, r.duplicate
        FROM run_log r JOIN tenants t ON t.id = r.tenant;

        CREATE VIEW orgs AS
        SELECT t.tenant_id, o.org_id, o.name, o.default_location_id
        FROM catalog_orgs o JOIN tenants t ON t.id = o.tenant;
        CREATE VIEW locations AS
        SELECT t.tenant_id, l.location_id, l.site_id, l.name
        FROM catalog_locations l JOIN tenants t ON t.id = l.tenant;
        CREATE VIEW variants AS
        SELECT t.tenant_id, v.variant_id, v.product_id, v.org_id, v.sku, v.barcode,
               v.unit_cost_minor, v.location_aware
        FROM catalog_variants v JOIN tenants t ON t.id = v.tenant;
        CREATE VIEW users AS
        SELECT t.tenant_id, u.user_id, u.role
        FROM catalog_users u JOIN tenants t ON t.id = u.tenant;
        """
}
