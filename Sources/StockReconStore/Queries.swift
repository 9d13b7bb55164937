/// A cell of a query result.
public enum TableValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
}

/// Rows of a query over the public views, ready to print as a table, CSV or JSON.
public struct ResultTable: Sendable {
    public var columns: [String]
    public var rows: [[TableValue]]
}

extension Store {
    public static let movementColumns = [
        "id", "tenant_id", "org_id", "variant_id", "location_id", "transaction_type", "adjustment_type",
        "quantity_delta", "quantity_before", "quantity_after", "reason_code", "reason_description",
        "reference_id", "unit_cost_minor", "notes", "occurred_at", "recorded_at", "user_id", "approved_by",
        "run_id", "source_file", "source_line", "idempotency_key", "reverses_id", "absorbs_id", "absorbed_by_id",
    ]

    public static let balanceColumns = ["variant_id", "location_id", "on_hand", "name"]

    /// On-hand per variant and location of one tenant, optionally narrowed, a row at a time in
    /// `balanceColumns` (a million held took `balance` 484 MB). The tenant's variants are walked
    /// first (`CROSS JOIN` fixes SQLite's join order), so that one variant's balances are a
    /// look-up, not a scan of every balance of the tenant.
    public func forEachBalance(tenantID: String, variantID: String?, locationID: String?, _ body: ([TableValue]) throws -> Void) throws {
        var sql = """
            SELECT v.variant_id, loc.location_id, s.on_hand, \(Self.variantName("v")) AS name
            FROM tenants t CROSS JOIN catalog_variants v CROSS JOIN stock_levels s
            JOIN catalog_locations loc ON loc.id = s.location
            WHERE t.tenant_id = ? AND v.tenant = t.id AND s.tenant = t.id AND s.variant = v.id
            """
        let (conditions, arguments) = Self.conditions([("v.variant_id = ?", variantID), ("loc.location_id = ?", locationID)])
        sql += conditions + " ORDER BY v.variant_id, loc.location_id"
        try forEachTableRow(sql: sql, arguments: [tenantID] + arguments, columns: Self.balanceColumns.count, body)
    }

    /// What people call variant `alias`: its product's name, then its own title after ` – `; NULL for neither.
    static func variantName(_ alias: String) -> String {
        "CASE WHEN \(alias).product_name IS NULL THEN \(alias).variant_title WHEN \(alias).variant_title IS NULL THEN \(alias).product_name "
            + "ELSE \(alias).product_name || ' – ' || \(alias).variant_title END"
    }

    /// `SELECT columns FROM view WHERE tenant_id = ?`, and `AND column = ?` for each filter
    /// that has a value.
    static func query(
        _ columns: [String], from view: String, tenantID: String, filters: [(column: String, value: (any SQLBindable)?)]
    ) -> (sql: String, arguments: SQLArguments) {
        let (conditions, arguments) = self.conditions(filters.map { ("\($0.column) = ?", $0.value) })
        return ("SELECT \(columns.joined(separator: ", ")) FROM \(view) WHERE tenant_id = ?" + conditions, [tenantID] + arguments)
    }

    /// ` AND condition` for each condition whose value is given, and those values in order.
    static func conditions(_ conditions: [(sql: String, value: (any SQLBindable)?)]) -> (sql: String, arguments: SQLArguments) {
        var sql = ""
        var arguments: SQLArguments = []
        for (condition, value) in conditions {
            guard let value else { continue }
            sql += " AND " + condition
            arguments += [value]
        }
        return (sql, arguments)
    }

    /// One tenant's movements in ledger order after `sinceID`, at most `limit` of them. With a
    /// variant, its movement ids are found first in `variant_movements`: filtering the
    /// view would walk the whole ledger in id order.
    /// `from` and `to` (UTC text) narrow them by stock date; the postings whose spans meet the
    /// period bound the ids read.
    public func movements(
        tenantID: String, variantID: String?, locationID: String?, sinceID: Int64, limit: Int, from: String? = nil, to: String? = nil
    ) throws -> ResultTable {
        var rows: [[TableValue]] = []
        try forEachMovement(tenantID: tenantID, variantID: variantID, locationID: locationID, sinceID: sinceID, limit: limit, from: from, to: to) {
            rows.append($0)
        }
        return ResultTable(columns: Store.movementColumns, rows: rows)
    }

    /// `movements` a row at a time, in `movementColumns`: a page of a million held took 2 GB.
    public func forEachMovement(
        tenantID: String, variantID: String?, locationID: String?, sinceID: Int64, limit: Int, from: String? = nil, to: String? = nil,
        _ body: ([TableValue]) throws -> Void
    ) throws {
        var (sql, arguments) = Self.query(
            Store.movementColumns, from: "movements", tenantID: tenantID, filters: [("location_id", locationID)])
        if from != nil || to != nil {
            let bounds = try read { db -> (Int64, Int64)? in
                guard let tenant = try Self.existingTenant(tenantID, in: db) else { return nil }
                let meeting = try Self.spans(tenant: tenant, in: db).filter { span in
                    from.map { span.latest >= $0 } ?? true && to.map { span.earliest <= $0 } ?? true
                }
                guard let low = meeting.map(\.firstID).min(), let high = meeting.map(\.lastID).max() else { return nil }
                return (low, high)
            }
            let (low, high) = bounds ?? (1, 0)
            let (period, periodArguments) = Self.conditions([("occurred_at >= ?", from), ("occurred_at <= ?", to)])
            sql += " AND id BETWEEN ? AND ?" + period
            arguments += [low, high] + periodArguments
        }
        if let variantID {
            let ids = try read { db in
                try Self.movementIDs(tenantID: tenantID, variantID: variantID, locationID: locationID, sinceID: sinceID, limit: limit, in: db)
            }
            // `IN ()` is SQLite's; `IN (NULL)` matches nothing on both.
            sql += " AND id IN (\(ids.isEmpty ? "NULL" : ids.map(String.init).joined(separator: ", ")))"
        }
        sql += " AND id > ? ORDER BY id LIMIT ?"
        arguments += [sinceID, limit]
        try forEachTableRow(sql: sql, arguments: arguments, columns: Store.movementColumns.count, body)
    }

    /// The ids of one variant's movements (at one location, when named) after `sinceID`, at
    /// most `limit`, oldest first.
    static func movementIDs(
        tenantID: String, variantID: String, locationID: String?, sinceID: Int64, limit: Int, in db: any SQLConnection
    ) throws -> [Int64] {
        guard let variant = try db.fetchValue(Int64.self, sql: """
            SELECT v.id FROM catalog_variants v JOIN tenants t ON t.id = v.tenant WHERE t.tenant_id = ? AND v.variant_id = ?
            """, arguments: [tenantID, variantID]) else { return [] }
        var location: Int64?
        if let locationID {
            location = try db.fetchValue(Int64.self, sql: """
                SELECT l.id FROM catalog_locations l JOIN tenants t ON t.id = l.tenant WHERE t.tenant_id = ? AND l.location_id = ?
                """, arguments: [tenantID, locationID])
            guard location != nil else { return [] }
        }
        return try VariantMovements.ids(variant: variant, location: location, after: sinceID, limit: limit, in: db)
    }

    public static let runColumns = [
        "id", "command", "started_at", "finished_at", "rows", "posted", "pending", "rejected", "unchanged", "duplicate",
    ]

    /// A tenant's runs, the latest first, at most `limit`.
    public func runs(tenantID: String, limit: Int) throws -> ResultTable {
        let (sql, arguments) = Self.query(Store.runColumns, from: "runs", tenantID: tenantID, filters: [])
        return try table(sql: sql + " ORDER BY id DESC LIMIT ?", arguments: arguments + [limit], columns: Store.runColumns)
    }

    /// Which run `rejections` lists: one by id, or the tenant's last command (a whole
    /// pipeline run when the last run was a pipeline's stage).
    public enum RunSelector: Sendable, Hashable {
        case id(Int64)
        case last
    }

    public static let rejectionColumns = ["id", "run_id", "source_file", "source_line", "field", "type", "msg", "input", "ctx"]

    /// The runs whose rejections `selector` names: one, or all runs of its pipeline run when
    /// `last` picked one of them; empty when the tenant has no such run.
    public func rejectionRuns(tenantID: String, run selector: RunSelector) throws -> [Int64] {
        try read { db in
            let row: SQLRow?
            switch selector {
            case .id(let id):
                row = try db.fetchOne(sql: """
                    SELECT r.id, r.pipeline_run FROM run_log r JOIN tenants t ON t.id = r.tenant
                    WHERE t.tenant_id = ? AND r.id = ?
                    """, arguments: [tenantID, id])
            case .last:
                row = try db.fetchOne(sql: """
                    SELECT r.id, r.pipeline_run FROM run_log r JOIN tenants t ON t.id = r.tenant
                    WHERE t.tenant_id = ? ORDER BY r.id DESC LIMIT 1
                    """, arguments: [tenantID])
            }
            guard let row else { return [] }
            // A pipeline's runs, when `last` picked one of them; a run named by id is that run.
            guard case .last = selector, let pipelineRun: Int64 = try row["pipeline_run"] else { return [try row["id"]] }
            return try db.fetchValues(Int64.self, sql: "SELECT id FROM run_log WHERE pipeline_run = ? ORDER BY id", arguments: [pipelineRun])
        }
    }

    /// The rejections of `runs`, a row at a time in `rejectionColumns`, in the order they were
    /// recorded (a run of a million listed whole took 768 MB).
    public func forEachRejection(tenantID: String, runs: [Int64], _ body: ([TableValue]) throws -> Void) throws {
        guard !runs.isEmpty else { return }
        let placeholders = Array(repeating: "?", count: runs.count).joined(separator: ", ")
        try forEachTableRow(
            sql: "SELECT \(Store.rejectionColumns.joined(separator: ", ")) FROM rejections WHERE tenant_id = ? AND run_id IN (\(placeholders)) ORDER BY id",
            arguments: [tenantID] + SQLArguments(runs.map(SQLValue.integer)), columns: Store.rejectionColumns.count, body)
    }

    func table(sql: String, arguments: SQLArguments, columns: [String]) throws -> ResultTable {
        // Row by row: fetched whole first, a listing held its rows twice.
        var rows: [[TableValue]] = []
        try forEachTableRow(sql: sql, arguments: arguments, columns: columns.count) { rows.append($0) }
        return ResultTable(columns: columns, rows: rows)
    }

    /// A listing's rows one at a time, its first `columns` values each.
    func forEachTableRow(sql: String, arguments: SQLArguments, columns: Int, _ body: ([TableValue]) throws -> Void) throws {
        try read { db in
            try db.forEachRow(sql: sql, arguments: arguments) { row in
                try body(row.values.prefix(columns).map { value -> TableValue in
                    switch value {
                    case .null: return .null
                    case .integer(let integer): return .integer(integer)
                    case .text(let text): return .text(text)
                    case .blob(let bytes): return .text(String(decoding: bytes, as: UTF8.self))
                    }
                })
            }
        }
    }
}
