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
}

/// A completed count, as `stock_counts` shows it.
public struct CountSummaryRow: Sendable, Hashable {
    public var id: Int64
    public var name: String
    public var type: String
    public var locationID: String?
    public var completedAt: String
    public var itemsCounted: Int64
    public var itemsWithDiscrepancy: Int64
    public var missingValueMinor: Int64
    public var excessValueMinor: Int64
    public var netVarianceMinor: Int64
}

extension Store {
    /// `day >= from AND day <= to` for the bounds given (dates as YYYY-MM-DD, inclusive).
    private static func period(_ column: String, from: String?, to: String?) -> (sql: String, arguments: SQLArguments) {
        conditions([("\(column) >= ?", from), ("\(column) <= ?", to)])
    }

    /// The `summary_report` view's figures for one tenant and period, summed over days. The
    /// view's GROUP BY sorts the whole ledger; this reads it
    /// once in ledger order and sums in memory, with the catalog's costs and the runs' days
    /// looked up in tables held in memory (the text columns, mostly equal from one row to
    /// the next, become strings only when they change).
    public static func movementSummary(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> [MovementSummaryRow] {
        guard let tenant = try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenantID]) else { return [] }
        if db.dialect == .postgres { return try serverMovementSummary(tenant: tenant, from: from, to: to, in: db) }
        var postingDays: [Int64: String] = [:]
        for row in try db.fetchAll(sql: """
            SELECT p.id AS posting, substr(r.started_at, 1, 10) AS day FROM postings p JOIN run_log r ON r.id = p.run WHERE p.tenant = ?
            """, arguments: [tenant]) {
            postingDays[try row["posting"]] = try row["day"]
        }
        guard let first = postingDays.keys.min(), let last = postingDays.keys.max() else { return [] }
        var costs: [Int64: Int64] = [:]
        for row in try db.fetchAll(sql: "SELECT id, unit_cost_minor FROM catalog_variants WHERE tenant = ? AND unit_cost_minor IS NOT NULL", arguments: [tenant]) {
            costs[try row["id"]] = try row["unit_cost_minor"]
        }
        let locations = Dictionary(uniqueKeysWithValues: try db.fetchAll(
            sql: "SELECT id, location_id FROM catalog_locations WHERE tenant = ?", arguments: [tenant]).map { (try $0["id"] as Int64, try $0["location_id"] as String) })
        let kinds = Dictionary(uniqueKeysWithValues: MovementKind.allCases.map { ($0.code, $0.rawValue) })

        /// Text ids: index into `texts`, -1 for NULL.
        struct Key: Hashable {
            var kind: Int64
            var location: Int64
            var adjustmentType: Int
            var reason: Int
        }
        var texts = TextIDs()
        var groups: [MovementSummaryRow] = []
        var groupOfKey: [Key: Int] = [:]
        var lastKey: Key?
        var lastGroup = 0
        var statement = try FastStatement(db, sql: """
            SELECT posting, kind, location, variant, quantity_delta, unit_cost_minor, adjustment_type, reason_code, occurred_at FROM ledger
            """)
        defer { statement.reset() }
        var adjustmentTypes = RepeatedText(), reasons = RepeatedText(), days = RepeatedText()
        while try statement.step() {
            let posting = statement.int64(column: 0)
            guard posting >= first, posting <= last, let postingDay = postingDays[posting] else { continue }
            if from != nil || to != nil {
                let day = days.id(statement, column: 8, in: &texts).map { String(texts.text(of: $0).prefix(10)) } ?? postingDay
                if let from, day < from { continue }
                if let to, day > to { continue }
            }
            let key = Key(
                kind: statement.int64(column: 1), location: statement.int64(column: 2),
                adjustmentType: adjustmentTypes.id(statement, column: 6, in: &texts) ?? -1,
                reason: reasons.id(statement, column: 7, in: &texts) ?? -1)
            if key != lastKey {
                if let known = groupOfKey[key] {
                    lastGroup = known
                } else {
                    lastGroup = groups.count
                    groupOfKey[key] = lastGroup
                    groups.append(MovementSummaryRow(
                        transactionType: kinds[key.kind] ?? "adjustment",
                        adjustmentType: key.adjustmentType < 0 ? nil : texts.text(of: key.adjustmentType),
                        reasonCode: key.reason < 0 ? nil : texts.text(of: key.reason),
                        locationID: locations[key.location] ?? String(key.location), movements: 0, unitsIn: 0, unitsOut: 0, valueMinor: 0))
                }
                lastKey = key
            }
            let delta = statement.int64(column: 4)
            let cost = statement.isNull(column: 5) ? costs[statement.int64(column: 3)] ?? 0 : statement.int64(column: 5)
            groups[lastGroup].movements += 1
            if delta > 0 { groups[lastGroup].unitsIn += delta } else { groups[lastGroup].unitsOut += delta }
            let (value, overflow) = delta.multipliedReportingOverflow(by: cost)
            if overflow { throw MoneyOverflow("the value of a movement (\(delta) × \(Money.format(minorUnits: cost)))") }
            groups[lastGroup].valueMinor = try groups[lastGroup].valueMinor.adding(value, exactly: "the value of the period's movements")
        }
        return sortedSummary(groups)
    }

    private static func sortedSummary(_ groups: [MovementSummaryRow]) -> [MovementSummaryRow] {
        groups.sorted {
            ($0.transactionType, $0.adjustmentType ?? "", $0.reasonCode ?? "", $0.locationID)
                < ($1.transactionType, $1.adjustmentType ?? "", $1.reasonCode ?? "", $1.locationID)
        }
    }

    /// The same figures summed by the server, the tenant's movements only: a row's value is
    /// its delta at its own cost, else the catalog's. The tenant's postings are named by id:
    /// filtered by tenant in the query, they were estimated from `postings`, which autovacuum
    /// never analyzes while it is small, at a few thousand movements of a million, and the
    /// plan looked up each movement's variant by index.
    private static func serverMovementSummary(tenant: Int64, from: String?, to: String?, in db: any SQLConnection) throws -> [MovementSummaryRow] {
        let postings = try db.fetchValues(Int64.self, sql: "SELECT id FROM postings WHERE tenant = ?", arguments: [tenant])
        guard !postings.isEmpty else { return [] }
        let (period, arguments) = Self.period("substr(COALESCE(l.occurred_at, r.started_at), 1, 10)", from: from, to: to)
        let kinds = Dictionary(uniqueKeysWithValues: MovementKind.allCases.map { ($0.code, $0.rawValue) })
        return try sortedSummary(db.fetchAll(sql: """
            SELECT l.kind, loc.location_id, l.adjustment_type, l.reason_code, count(*) AS movements,
                   sum(CASE WHEN l.quantity_delta > 0 THEN l.quantity_delta ELSE 0 END) AS units_in,
                   sum(CASE WHEN l.quantity_delta < 0 THEN l.quantity_delta ELSE 0 END) AS units_out,
                   sum(l.quantity_delta * COALESCE(l.unit_cost_minor, v.unit_cost_minor, 0)) AS value_minor
            FROM ledger l JOIN postings p ON p.id = l.posting JOIN run_log r ON r.id = p.run
            JOIN catalog_locations loc ON loc.id = l.location JOIN catalog_variants v ON v.id = l.variant
            WHERE l.posting = ANY(CAST(? AS BIGINT[]))\(period)
            GROUP BY l.kind, loc.location_id, l.adjustment_type, l.reason_code
            """, arguments: [postings.postgresArray] + arguments).map { row in
            // The server sums exactly (numeric): a sum beyond 64 bits arrives as a longer number.
            guard let value = Int64(try row["value_minor"] as String) else { throw MoneyOverflow("the value of the period's movements") }
            let kind: Int64 = try row["kind"]
            guard let transactionType = kinds[kind] else { throw SQLDecodingError(message: "a row of ledger is damaged: it holds kind \(kind), which stockrecon does not know") }
            return MovementSummaryRow(
                transactionType: transactionType, adjustmentType: try row["adjustment_type"], reasonCode: try row["reason_code"],
                locationID: try row["location_id"], movements: try row["movements"], unitsIn: try row["units_in"], unitsOut: try row["units_out"], valueMinor: value)
        })
    }

    public static func completedCounts(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> [CountSummaryRow] {
        let (where_, arguments) = Self.period("substr(completed_at, 1, 10)", from: from, to: to)
        return try db.fetchAll(sql: """
                SELECT id, name, type, location_id, completed_at, items_counted, items_with_discrepancy,
                       missing_value_minor, excess_value_minor, net_variance_minor
                FROM stock_counts WHERE tenant_id = ? AND status = 'COMPLETED'\(where_) ORDER BY id
                """, arguments: [tenantID] + arguments).map { row in
                CountSummaryRow(
                    id: try row["id"], name: try row["name"], type: try row["type"], locationID: try row["location_id"], completedAt: try row["completed_at"],
                    itemsCounted: try row["items_counted"], itemsWithDiscrepancy: try row["items_with_discrepancy"],
                    missingValueMinor: try row["missing_value_minor"], excessValueMinor: try row["excess_value_minor"], netVarianceMinor: try row["net_variance_minor"])
            }
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

/// Texts read from the ledger, each once, by small integer id.
private struct TextIDs {
    private var ids: [String: Int] = [:]
    private var texts: [String] = []

    mutating func id(of text: String) -> Int {
        if let id = ids[text] { return id }
        ids[text] = texts.count
        texts.append(text)
        return texts.count - 1
    }

    func text(of id: Int) -> String { texts[id] }
}

/// A text column read row after row: its id is looked up only when the bytes differ from
/// the last row's.
private struct RepeatedText {
    private var bytes: [UInt8] = []
    private var last: Int?

    mutating func id(_ statement: FastStatement, column: Int32, in texts: inout TextIDs) -> Int? {
        if statement.isNull(column: column) {
            last = nil
            return nil
        }
        return statement.withText(column: column) { text in
            let current = text.bytes
            if let last, current.elementsEqual(bytes) { return last }
            bytes = Array(current)
            let id = texts.id(of: String(decoding: current, as: UTF8.self))
            last = id
            return id
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
        try db.fetchAll(sql: """
            SELECT r.po_number, r.variant_id, r.sku, r.location_id, r.quantity_ordered, r.quantity_received, r.quantity_pending,
                   r.unit_cost_minor, r.status, r.price_variance_minor, \(variantName("v")) AS name
            FROM receipts_report r JOIN tenants t ON t.tenant_id = r.tenant_id
            LEFT JOIN catalog_variants v ON v.tenant = t.id AND v.variant_id = r.variant_id
            WHERE r.tenant_id = ? AND (CAST(? AS TEXT) IS NULL OR r.po_number = ?)
            ORDER BY r.po_number, r.location_id, r.variant_id
            """, arguments: [tenantID, po, po]).map { row in
            ReceiptReportLine(
                poNumber: try row["po_number"], variantID: try row["variant_id"], sku: try row["sku"], name: try row["name"], locationID: try row["location_id"],
                ordered: try row["quantity_ordered"], received: try row["quantity_received"], pending: try row["quantity_pending"],
                unitCostMinor: try row["unit_cost_minor"], status: try stored(ReceiptReportStatus.self, row["status"], in: "receipts_report"),
                priceVarianceMinor: try row["price_variance_minor"])
        }
    }

    public static func receiptExceptions(tenantID: String, po: String?, in db: any SQLConnection) throws -> [ReceiptException] {
        try db.fetchAll(sql: """
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
            """, arguments: [tenantID, po, po]).map { row in
            let status = try stored(ReceiptLineState.self, row["status"], in: "receipt_lines")
            var reasons: [String] = []
            if try row["unexpected"] as Bool { reasons.append("unexpected: no order line") }
            if try row["price_flagged"] as Bool { reasons.append("price variance") }
            if let approval: Int64 = try row["approval"] {
                reasons.append("over the order's tolerance: approval \(approval) \(status == .pending ? "waits" : status == .posted ? "approved" : "rejected")")
            }
            return ReceiptException(
                file: try row["path"], line: try row["source_line"], poNumber: try row["po_number"], variantID: try row["variant_id"],
                locationID: try row["location_id"], quantity: try row["quantity"], unitCostMinor: try row["unit_cost_minor"],
                orderUnitCostMinor: try row["order_unit_cost_minor"], priceVarianceMinor: try row["price_variance_minor"], status: status,
                reason: reasons.joined(separator: "; "))
        }
    }
}
