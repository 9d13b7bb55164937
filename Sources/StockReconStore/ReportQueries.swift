import StockReconCore

/// Movements of one kind, adjustment type, reason and location over a period (the
/// `summary_report` view, summed over its days).
public struct MovementSummaryRow: Sendable, Hashable {
    public var transactionType: String
    public var adjustmentType: String?
    public var reasonCode: String?
    public var locationID: String
    public var movements: Int64
    public var unitsIn: Int64
    public var unitsOut: Int64
    public var valueMinor: Int64

    package init(
        transactionType: String, adjustmentType: String?, reasonCode: String?, locationID: String, movements: Int64, unitsIn: Int64,
        unitsOut: Int64, valueMinor: Int64
    ) {
        self.transactionType = transactionType
        self.adjustmentType = adjustmentType
        self.reasonCode = reasonCode
        self.locationID = locationID
        self.movements = movements
        self.unitsIn = unitsIn
        self.unitsOut = unitsOut
        self.valueMinor = valueMinor
    }
}

/// A completed count, as `stock_counts` shows it.
public struct CountSummaryRow: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var type: String
    public var locationID: String?
    public var completedAt: String
    /// When it was taken: the period it falls in.
    public var countedAt: String
    public var itemsCounted: Int64
    public var itemsWithDiscrepancy: Int64
    public var missingValueMinor: Int64
    public var excessValueMinor: Int64
    public var netVarianceMinor: Int64
}

extension Store {
    /// `day >= from AND day <= to` for the bounds given (dates as YYYY-MM-DD, inclusive).
    package static func period(_ column: String, from: String?, to: String?) -> (sql: String, arguments: SQLArguments) {
        conditions([("\(column) >= ?", from), ("\(column) <= ?", to)])
    }

    /// The `summary_report` view's figures for one tenant and period, summed over days: each
    /// backend's way (`movementSummary(tenant:from:to:)`).
    public static func movementSummary(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> [MovementSummaryRow] {
        guard let tenant = try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenantID]) else { return [] }
        return try sortedSummary(db.movementSummary(tenant: tenant, from: from, to: to))
    }

    /// The movement kind a stored code names; an unknown code is a damaged row.
    package static func movementKind(_ code: Int64) throws -> MovementKind {
        guard let kind = MovementKind(code: code) else {
            throw SQLDecodingError(message: "a stored movement kind is damaged: \(code) is none that stockrecon knows")
        }
        return kind
    }

    static func sortedSummary(_ groups: [MovementSummaryRow]) -> [MovementSummaryRow] {
        groups.sorted {
            ($0.transactionType, $0.adjustmentType ?? "", $0.reasonCode ?? "", $0.locationID)
                < ($1.transactionType, $1.adjustmentType ?? "", $1.reasonCode ?? "", $1.locationID)
        }
    }

    public static func completedCounts(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> [CountSummaryRow] {
        let (where_, arguments) = Self.period("substr(counted_at, 1, 10)", from: from, to: to)
        return try db.fetchAll(sql: """
                SELECT id, name, type, location_id, completed_at, counted_at, items_counted, items_with_discrepancy,
                       missing_value_minor, excess_value_minor, net_variance_minor
                FROM stock_counts WHERE tenant_id = ? AND status = 'COMPLETED'\(where_) ORDER BY id
                """, arguments: [tenantID] + arguments).map { row in
                CountSummaryRow(
                    id: try row["id"], name: try row["name"], type: try row["type"], locationID: try row["location_id"], completedAt: try row["completed_at"],
                    countedAt: try row["counted_at"], itemsCounted: try row["items_counted"], itemsWithDiscrepancy: try row["items_with_discrepancy"],
                    missingValueMinor: try row["missing_value_minor"], excessValueMinor: try row["excess_value_minor"], netVarianceMinor: try row["net_variance_minor"])
            }
    }

    /// Imported rows that set on-hand (stock checks, as a count's items are) by day and
    /// location, days given as YYYY-MM-DD.
    public static func importedChecks(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> [(day: String, locationID: String, items: Int64)] {
        let (where_, arguments) = Self.period("substr(s.checked_at, 1, 10)", from: from, to: to)
        return try db.fetchAll(sql: """
            SELECT substr(s.checked_at, 1, 10) AS day, loc.location_id, count(*) AS items
            FROM stock_checks s JOIN tenants t ON t.id = s.tenant JOIN catalog_locations loc ON loc.id = s.location
            WHERE t.tenant_id = ? AND s.count IS NULL\(where_)
            GROUP BY substr(s.checked_at, 1, 10), loc.location_id ORDER BY 1, 2
            """, arguments: [tenantID] + arguments).map { (try $0["day"], try $0["location_id"], try $0["items"]) }
    }

    /// The largest count variances by |value| among the given counts: (label, value).
    public static func largestCountVariances(countIDs: [Int64], limit: Int, in db: any SQLConnection) throws -> [(label: String, valueMinor: Int64)] {
        guard !countIDs.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: countIDs.count).joined(separator: ", ")
        return try db.fetchAll(sql: """
                SELECT count_id, COALESCE(sku, variant_id) AS named, location_id, variance_value_minor FROM variance_report
                WHERE count_id IN (\(placeholders)) AND variance_value_minor <> 0
                ORDER BY abs(variance_value_minor) DESC, count_id, variant_id, location_id LIMIT ?
                """, arguments: SQLArguments(countIDs.map(SQLValue.integer)) + [limit]).map { row in
                let count: Int64 = try row["count_id"]
                let variant: String = try row["named"]
                let location: String = try row["location_id"]
                return (label: "\(variant) @ \(location) (count \(count))", valueMinor: try row["variance_value_minor"])
            }
    }
}

/// An order line (or the unexpected receipts of a PO, variant and location), as the
/// `receipts_report` view has it.
public struct ReceiptReportLine: Sendable, Hashable {
    public var poNumber: String?
    public var variantID: String
    public var sku: String?
    /// What people call the variant, where the catalog says.
    public var name: String?
    public var locationID: String
    public var ordered: Int64
    public var received: Int64
    public var pending: Int64
    public var unitCostMinor: Int64?
    public var status: ReceiptReportStatus
    public var priceVarianceMinor: Int64
}

/// A receipt row a person should look at: a price off the order's, a receipt held over the
/// tolerance, or one that matched no order line.
public struct ReceiptException: Sendable, Hashable {
    public var file: String?
    public var line: Int?
    public var poNumber: String?
    public var variantID: String
    public var locationID: String
    public var quantity: Int64
    public var unitCostMinor: Int64?
    public var orderUnitCostMinor: Int64?
    public var priceVarianceMinor: Int64
    public var status: ReceiptLineState
    public var reason: String
}

extension Store {
    public static func receiptReportLines(tenantID: String, po: String?, in db: any SQLConnection) throws -> [ReceiptReportLine] {
        var lines: [ReceiptReportLine] = []
        try forEachReceiptReportLine(tenantID: tenantID, po: po, in: db) { lines.append($0) }
        return lines
    }

    /// The lines one at a time, in the report's order: a tenant's order lines grow with every
    /// order, and a million held at once took a gigabyte.
    public static func forEachReceiptReportLine(
        tenantID: String, po: String?, in db: any SQLConnection, _ body: (ReceiptReportLine) throws -> Void
    ) throws {
        try db.forEachRow(sql: """
            SELECT r.po_number, r.variant_id, r.sku, r.location_id, r.quantity_ordered, r.quantity_received, r.quantity_pending,
                   r.unit_cost_minor, r.status, r.price_variance_minor, \(variantName("v")) AS name
            FROM receipts_report r JOIN tenants t ON t.tenant_id = r.tenant_id
            LEFT JOIN catalog_variants v ON v.tenant = t.id AND v.variant_id = r.variant_id
            WHERE r.tenant_id = ? AND (CAST(? AS TEXT) IS NULL OR r.po_number = ?)
            ORDER BY r.po_number, r.location_id, r.variant_id
            """, arguments: [tenantID, po, po]) { row in
            try body(ReceiptReportLine(
                poNumber: try row["po_number"], variantID: try row["variant_id"], sku: try row["sku"], name: try row["name"], locationID: try row["location_id"],
                ordered: try row["quantity_ordered"], received: try row["quantity_received"], pending: try row["quantity_pending"],
                unitCostMinor: try row["unit_cost_minor"], status: try stored(ReceiptReportStatus.self, row["status"], in: "receipts_report"),
                priceVarianceMinor: try row["price_variance_minor"]))
        }
    }

    /// The receipts to look at one at a time, in the order they were read.
    public static func forEachReceiptException(
        tenantID: String, po: String?, in db: any SQLConnection, _ body: (ReceiptException) throws -> Void
    ) throws {
        try db.forEachRow(sql: """
            SELECT f.path, r.source_line, r.po_number, v.variant_id, loc.location_id, r.quantity, r.unit_cost_minor,
                   r.order_unit_cost_minor, r.price_variance_minor, r.status, r.price_flagged, r.order_line IS NULL AS unexpected, r.approval
            FROM receipt_lines r
            JOIN tenants t ON t.id = r.tenant
            JOIN catalog_variants v ON v.id = r.variant
            JOIN catalog_locations loc ON loc.id = r.location
            LEFT JOIN source_files f ON f.id = r.file
            WHERE t.tenant_id = ? AND (CAST(? AS TEXT) IS NULL OR r.po_number = ?)
              AND (r.price_flagged = 1 OR r.order_line IS NULL OR r.approval IS NOT NULL)
            ORDER BY r.id
            """, arguments: [tenantID, po, po]) { row in
            let status = try stored(ReceiptLineState.self, row["status"], in: "receipt_lines")
            var reasons: [String] = []
            if try row["unexpected"] as Bool { reasons.append("unexpected: no order line") }
            if try row["price_flagged"] as Bool { reasons.append("price variance") }
            if let approval: Int64 = try row["approval"] {
                reasons.append("over the order's tolerance: approval \(approval) \(status == .pending ? "waits" : status == .posted ? "approved" : "rejected")")
            }
            try body(ReceiptException(
                file: try row["path"], line: try row["source_line"], poNumber: try row["po_number"], variantID: try row["variant_id"],
                locationID: try row["location_id"], quantity: try row["quantity"], unitCostMinor: try row["unit_cost_minor"],
                orderUnitCostMinor: try row["order_unit_cost_minor"], priceVarianceMinor: try row["price_variance_minor"], status: status,
                reason: reasons.joined(separator: "; ")))
        }
    }
}
