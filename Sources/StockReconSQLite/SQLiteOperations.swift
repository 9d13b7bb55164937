import StockReconCore
import StockReconStore

/// SQLite's way: one writer in process, a statement a row costs no round trip.
extension SQLiteConnection: BackendOperations {
    func takeLedgerIDs(_ count: Int) throws -> Int64? { nil }

    func storable(_ text: String?) -> String? { text }

    func triggers() throws -> [String] { try fetchValues(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") }

    var expectedTriggers: [String] {
        ["ledger_refuses_update", "ledger_refuses_delete", "ledger_refuses_replace", "movements_refuse_update",
         "movements_refuse_delete", "movements_refuse_insert", "postings_refuse_replace", "postings_refuse_update",
         "postings_refuse_delete"] + LedgerGuards.namedTables.map { "\($0)_refuse_delete" }
    }

    func resolveOutstanding(_ records: [Int], file: Int64) throws {
        for record in records { try execute(sql: "DELETE FROM outstanding_records WHERE file = ? AND record = ?", arguments: [file, record]) }
    }

    func keepOutstanding(_ records: [Int], file: Int64) throws {
        for record in records {
            try execute(sql: "INSERT INTO outstanding_records (file, record) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [file, record])
        }
    }

    func setReceived(_ lines: [(id: Int64, received: Int64)]) throws {
        for line in lines { try execute(sql: "UPDATE order_lines SET quantity_received = ? WHERE id = ?", arguments: [line.received, line.id]) }
    }

    func upsertOrderLines(_ lines: [OrderLine], tenant: Int64) throws {
        for line in lines {
            try execute(sql: """
                INSERT INTO order_lines (tenant, po_number, variant, location, quantity_ordered, unit_cost_minor)
                VALUES (?, ?, ?, ?, ?, ?)
                """ + SharedSQL.orderLineConflict, arguments: [tenant, line.poNumber, line.variant, line.location, line.quantityOrdered, line.unitCostMinor])
        }
    }

    func setBalances(_ balances: [(variant: Int64, location: Int64, onHand: Int64)], tenant: Int64) throws {
        for balance in balances {
            try execute(
                sql: "INSERT INTO stock_levels (tenant, variant, location, on_hand) VALUES (?, ?, ?, ?) " + SharedSQL.balanceConflict,
                arguments: [tenant, balance.variant, balance.location, balance.onHand])
        }
    }
}
