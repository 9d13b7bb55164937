/// Purchase orders and receipts (SPEC sections 8 and 9): order lines, the receipt lines
/// posted against them (or held, or unexpected), the kind of a held movement, and the views.
enum ReceiptSchema {
    static let tablesSQL = """
        -- What was ordered, and received so far (kept current in each receipt file's transaction).
        CREATE TABLE order_lines (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            po_number TEXT NOT NULL,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            quantity_ordered INTEGER NOT NULL CHECK (quantity_ordered >= 0),
            quantity_received INTEGER NOT NULL DEFAULT 0,
            unit_cost_minor INTEGER,
            UNIQUE (tenant, po_number, variant, location));
        -- Each receipt row that was posted or held: its order line (NULL: unexpected), the
        -- order's cost then, and whether its own cost was off by more than the tolerance.
        CREATE TABLE receipt_lines (
            id INTEGER PRIMARY KEY,
            tenant INTEGER NOT NULL,
            run INTEGER NOT NULL,
            file INTEGER,
            source_line INTEGER,
            po_number TEXT,
            variant INTEGER NOT NULL,
            location INTEGER NOT NULL,
            quantity INTEGER NOT NULL CHECK (quantity > 0),
            unit_cost_minor INTEGER,
            order_line INTEGER,
            order_unit_cost_minor INTEGER,
            price_flagged INTEGER NOT NULL DEFAULT 0,
            price_variance_minor INTEGER NOT NULL DEFAULT 0,
            status TEXT NOT NULL CHECK (status IN ('posted', 'pending', 'refused')),
            approval INTEGER);
        CREATE INDEX receipt_lines_by_order ON receipt_lines (order_line);
        CREATE INDEX receipt_lines_by_approval ON receipt_lines (approval) WHERE approval IS NOT NULL;
        -- The movement kind a held row posts as when approved (NULL: an adjustment).
        ALTER TABLE approval_requests ADD COLUMN kind INTEGER;
        """

    static let viewsSQL = """
        CREATE VIEW purchase_orders AS
        SELECT t.tenant_id, o.po_number, v.variant_id, loc.location_id, o.quantity_ordered, o.quantity_received, o.unit_cost_minor
        FROM order_lines o
        JOIN tenants t ON t.id = o.tenant
        JOIN catalog_variants v ON v.id = o.variant
        JOIN catalog_locations loc ON loc.id = o.location;

        -- The receipts report's lines: each order line with its state, and the receipt lines
        -- that matched no order (unexpected), by PO, variant and location.
        CREATE VIEW receipts_report AS
        SELECT t.tenant_id, o.po_number, v.variant_id, v.sku, loc.location_id, o.quantity_ordered, o.quantity_received,
               (SELECT COALESCE(SUM(r.quantity), 0) FROM receipt_lines r WHERE r.order_line = o.id AND r.status = 'pending') AS quantity_pending,
               o.unit_cost_minor,
               CASE WHEN o.quantity_received = 0 THEN 'unreceived' WHEN o.quantity_received < o.quantity_ordered THEN 'short'
                    WHEN o.quantity_received = o.quantity_ordered THEN 'complete' ELSE 'over-received' END AS status,
               (SELECT COALESCE(SUM(r.price_variance_minor), 0) FROM receipt_lines r
                WHERE r.order_line = o.id AND r.status = 'posted' AND r.price_flagged = 1) AS price_variance_minor
        FROM order_lines o
        JOIN tenants t ON t.id = o.tenant
        JOIN catalog_variants v ON v.id = o.variant
        JOIN catalog_locations loc ON loc.id = o.location
        UNION ALL
        SELECT t.tenant_id, r.po_number, v.variant_id, v.sku, loc.location_id, 0, SUM(r.quantity), 0, NULL, 'unexpected', 0
        FROM receipt_lines r
        JOIN tenants t ON t.id = r.tenant
        JOIN catalog_variants v ON v.id = r.variant
        JOIN catalog_locations loc ON loc.id = r.location
        WHERE r.order_line IS NULL AND r.status = 'posted'
        GROUP BY r.tenant, r.po_number, r.variant, r.location;
        """
}
