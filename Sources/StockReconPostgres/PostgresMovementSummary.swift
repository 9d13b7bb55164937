import StockReconCore
import StockReconStore

extension PostgresStoreConnection {
    /// The same figures summed by the server, the tenant's movements only: a row's value is
    /// its delta at its own cost, else the catalog's. The tenant's postings are named by id:
    /// filtered by tenant in the query, they were estimated from `postings`, which autovacuum
    /// never analyzes while it is small, at a few thousand movements of a million, and the
    /// plan looked up each movement's variant by index.
    func movementSummary(tenant: Int64, from: String?, to: String?) throws -> [MovementSummaryRow] {
        let db = self
        let postings = try db.fetchValues(Int64.self, sql: "SELECT id FROM postings WHERE tenant = ?", arguments: [tenant])
        guard !postings.isEmpty else { return [] }
        let (period, arguments) = Store.period("substr(COALESCE(l.occurred_at, r.started_at), 1, 10)", from: from, to: to)
        return try db.fetchAll(sql: """
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
            let transactionType = try Store.movementKind(try row["kind"]).rawValue
            return MovementSummaryRow(
                transactionType: transactionType, adjustmentType: try row["adjustment_type"], reasonCode: try row["reason_code"],
                locationID: try row["location_id"], movements: try row["movements"], unitsIn: try row["units_in"], unitsOut: try row["units_out"], valueMinor: value)
        }
    }
}
