/// Stocktakes (SPEC sections 8 and 9): sessions, what they saw at the start, the sheets and
/// lines added, and each item's figures fixed at completion; the public views, and the
/// views behind the reports.
enum CountSchema {
    /// A sheet replaced by a corrected one keeps its row, naming the sheet that replaced it;
    /// its lines are gone from the count.
    static let withdrawnSheetsSQL = """
        ALTER TABLE count_sheets ADD COLUMN withdrawn_by INTEGER;
        ALTER TABLE count_sheets ADD COLUMN withdrawn_at TEXT;
        """

    static let tablesSQL = """
        CREATE TABLE count_sessions (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            org INTEGER NOT NULL REFERENCES catalog_orgs(id),
            name TEXT NOT NULL,
            type TEXT NOT NULL CHECK (type IN ('FULL', 'CYCLE', 'SPOT', 'ANNUAL')),
            status TEXT NOT NULL DEFAULT 'IN_PROGRESS' CHECK (status IN ('IN_PROGRESS', 'COMPLETED', 'CANCELLED')),
            -- NULL: every location.
            location INTEGER,
            notes TEXT,
            started_at TEXT NOT NULL,
            started_by INTEGER NOT NULL,
            finished_at TEXT,
            finished_by INTEGER,
            applied INTEGER,
            uncounted TEXT,
            -- The review threshold it was completed with (rules.counts.review_over_value).
            review_over_minor INTEGER,
            -- The run that completed it (its movements' run).
            run INTEGER,
            items_counted INTEGER,
            items_with_discrepancy INTEGER,
            missing_value_minor INTEGER,
            excess_value_minor INTEGER,
            net_variance_minor INTEGER);
        CREATE INDEX count_sessions_by_org ON count_sessions (tenant, org, status);
        -- On-hand of the count's scope when it started: the system quantities.
        CREATE TABLE count_snapshots (
            count INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            on_hand INTEGER NOT NULL,
            PRIMARY KEY (count, variant, location)) WITHOUT ROWID;
        -- Sheets added to a count: the same sheet again is a duplicate.
        CREATE TABLE count_sheets (
            id INTEGER PRIMARY KEY,
            count INTEGER NOT NULL REFERENCES count_sessions(id),
            sha256 TEXT NOT NULL,
            path TEXT NOT NULL,
            rows INTEGER NOT NULL,
            run INTEGER NOT NULL,
            UNIQUE (count, sha256));
        -- Counted lines as the sheets gave them; an item's lines add up.
        CREATE TABLE count_lines (
            id INTEGER PRIMARY KEY,
            count INTEGER NOT NULL,
            sheet INTEGER NOT NULL,
            source_line INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            batch TEXT NOT NULL DEFAULT '',
            counted INTEGER NOT NULL CHECK (counted >= 0),
            reason TEXT,
            notes TEXT,
            user INTEGER);
        CREATE INDEX count_lines_by_item ON count_lines (count, variant, location);
        -- Each item's figures, fixed when its count completes.
        CREATE TABLE count_results (
            count INTEGER NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            batch TEXT,
            system_quantity INTEGER NOT NULL,
            counted_quantity INTEGER,
            moved_during_count INTEGER NOT NULL,
            unit_cost_minor INTEGER,
            reason TEXT,
            notes TEXT,
            rows INTEGER NOT NULL,
            movement INTEGER,
            PRIMARY KEY (count, variant, location)) WITHOUT ROWID;
        """

    /// `stock_count_items` shows a completed count's fixed figures, and an open count's lines
    /// as they stand (system quantity from the start, moved-during from the balances now).
    static let viewsSQL = """
        CREATE VIEW stock_counts AS
        SELECT c.id, t.tenant_id, o.org_id, c.name, c.type, c.status, loc.location_id, c.started_at,
               c.finished_at AS completed_at, u.user_id AS started_by,
               COALESCE(c.items_counted, (SELECT COUNT(*) FROM (SELECT DISTINCT variant, location FROM count_lines WHERE count = c.id))) AS items_counted,
               c.items_with_discrepancy, c.missing_value_minor, c.excess_value_minor, c.net_variance_minor
        FROM count_sessions c
        JOIN tenants t ON t.id = c.tenant
        JOIN catalog_orgs o ON o.id = c.org
        LEFT JOIN catalog_locations loc ON loc.id = c.location
        LEFT JOIN catalog_users u ON u.id = c.started_by;

        CREATE VIEW count_items_now AS
        SELECT l.count, l.variant, l.location,
               group_concat(DISTINCT NULLIF(l.batch, '')) AS batch,
               COALESCE(s.on_hand, 0) AS system_quantity, SUM(l.counted) AS counted_quantity,
               COALESCE(b.on_hand, 0) - COALESCE(s.on_hand, 0) AS moved_during_count,
               v.unit_cost_minor, MAX(l.reason) AS reason, group_concat(l.notes, char(10)) AS notes,
               COUNT(*) AS rows, NULL AS movement
        FROM count_lines l
        JOIN count_sessions c ON c.id = l.count AND c.status = 'IN_PROGRESS'
        JOIN catalog_variants v ON v.id = l.variant
        LEFT JOIN count_snapshots s ON s.count = l.count AND s.variant = l.variant AND s.location = l.location
        LEFT JOIN stock_levels b ON b.tenant = c.tenant AND b.variant = l.variant AND b.location = l.location
        GROUP BY l.count, l.variant, l.location;

        CREATE VIEW stock_count_items AS
        SELECT i.count AS count_id, v.variant_id, loc.location_id, i.batch, i.system_quantity, i.counted_quantity,
               i.counted_quantity - i.system_quantity AS variance, i.unit_cost_minor,
               (i.counted_quantity - i.system_quantity) * COALESCE(i.unit_cost_minor, 0) AS variance_value_minor,
               i.reason, i.notes, i.moved_during_count, i.movement AS movement_id
        FROM (SELECT * FROM count_results UNION ALL SELECT * FROM count_items_now) i
        JOIN catalog_variants v ON v.id = i.variant
        JOIN catalog_locations loc ON loc.id = i.location;

        -- The variance report's lines, as `report variance` prints them.
        CREATE VIEW variance_report AS
        SELECT i.count_id, c.name AS count_name, c.type, c.status, i.variant_id, v.sku, i.location_id, i.batch,
               i.system_quantity, i.moved_during_count, i.counted_quantity, i.variance, i.unit_cost_minor,
               i.variance_value_minor,
               CASE WHEN i.counted_quantity IS NULL THEN 'uncounted' WHEN i.variance = 0 THEN 'match'
                    WHEN i.variance < 0 THEN 'missing' ELSE 'excess' END AS status_of_line,
               i.reason, i.notes, i.movement_id
        FROM stock_count_items i
        JOIN count_sessions c ON c.id = i.count_id
        JOIN catalog_variants v ON v.tenant = c.tenant AND v.variant_id = i.variant_id;

        -- The summary report's figures: movements per day, type, reason and location, with
        -- their value at the movement's unit cost (else the catalog's).
        CREATE VIEW summary_report AS
        SELECT t.tenant_id, substr(COALESCE(l.occurred_at, r.started_at), 1, 10) AS day,
               CASE l.kind WHEN 1 THEN 'adjustment' WHEN 2 THEN 'set' WHEN 3 THEN 'receipt'
                           WHEN 4 THEN 'count' WHEN 5 THEN 'reversal' END AS transaction_type,
               l.adjustment_type, l.reason_code, loc.location_id,
               COUNT(*) AS movements,
               SUM(CASE WHEN l.quantity_delta > 0 THEN l.quantity_delta ELSE 0 END) AS units_in,
               SUM(CASE WHEN l.quantity_delta < 0 THEN l.quantity_delta ELSE 0 END) AS units_out,
               SUM(l.quantity_delta * COALESCE(l.unit_cost_minor, v.unit_cost_minor, 0)) AS value_minor
        FROM ledger l
        JOIN postings p ON p.id = l.posting
        JOIN tenants t ON t.id = p.tenant
        JOIN run_log r ON r.id = p.run
        JOIN catalog_variants v ON v.id = l.variant
        JOIN catalog_locations loc ON loc.id = l.location
        GROUP BY t.tenant_id, day, transaction_type, l.adjustment_type, l.reason_code, loc.location_id;
        """
}
