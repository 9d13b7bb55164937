import GRDB

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
    private static func period(_ column: String, from: String?, to: String?) -> (sql: String, arguments: StatementArguments) {
        var sql = ""
        var arguments: StatementArguments = []
        if let from {
            sql += " AND \(column) >= ?"
            arguments += [from]
        }
        if let to {
            sql += " AND \(column) <= ?"
            arguments += [to]
        }
        return (sql, arguments)
    }

    public static func movementSummary(tenantID: String, from: String?, to: String?, in db: Database) throws -> [MovementSummaryRow] {
        let (where_, arguments) = Self.period("day", from: from, to: to)
        return try Row.fetchAll(db, sql: """
                SELECT transaction_type, adjustment_type, reason_code, location_id, SUM(movements), SUM(units_in),
                       SUM(units_out), SUM(value_minor)
                FROM summary_report WHERE tenant_id = ?\(where_)
                GROUP BY transaction_type, adjustment_type, reason_code, location_id
                ORDER BY transaction_type, adjustment_type, reason_code, location_id
                """, arguments: [tenantID] + arguments).map { row in
                MovementSummaryRow(
                    transactionType: row[0], adjustmentType: row[1], reasonCode: row[2], locationID: row[3],
                    movements: row[4], unitsIn: row[5], unitsOut: row[6], valueMinor: row[7])
            }
    }

    public static func completedCounts(tenantID: String, from: String?, to: String?, in db: Database) throws -> [CountSummaryRow] {
        let (where_, arguments) = Self.period("substr(completed_at, 1, 10)", from: from, to: to)
        return try Row.fetchAll(db, sql: """
                SELECT id, name, type, location_id, completed_at, items_counted, items_with_discrepancy,
                       missing_value_minor, excess_value_minor, net_variance_minor
                FROM stock_counts WHERE tenant_id = ? AND status = 'COMPLETED'\(where_) ORDER BY id
                """, arguments: [tenantID] + arguments).map { row in
                CountSummaryRow(
                    id: row[0], name: row[1], type: row[2], locationID: row[3], completedAt: row[4], itemsCounted: row[5],
                    itemsWithDiscrepancy: row[6], missingValueMinor: row[7], excessValueMinor: row[8], netVarianceMinor: row[9])
            }
    }

    /// The largest count variances by |value| among the given counts: (label, value).
    public static func largestCountVariances(countIDs: [Int64], limit: Int, in db: Database) throws -> [(label: String, valueMinor: Int64)] {
        guard !countIDs.isEmpty else { return [] }
        let placeholders = Array(repeating: "?", count: countIDs.count).joined(separator: ", ")
        return try Row.fetchAll(db, sql: """
                SELECT count_id, COALESCE(sku, variant_id), location_id, variance_value_minor FROM variance_report
                WHERE count_id IN (\(placeholders)) AND variance_value_minor <> 0
                ORDER BY abs(variance_value_minor) DESC, count_id, variant_id, location_id LIMIT ?
                """, arguments: StatementArguments(countIDs + [Int64(limit)])).map { row in
                let count: Int64 = row[0]
                let variant: String = row[1]
                let location: String = row[2]
                return (label: "\(variant) @ \(location) (count \(count))", valueMinor: row[3])
            }
    }
}
