import StockReconCore
import StockReconStore
#if os(Linux)
import CMalloc
#endif

/// PostgreSQL's way: one statement for all the rows, as arrays (a statement a row waited a
/// round trip each); ledger ids in one block from the shared sequence.
extension PostgresStoreConnection: BackendOperations {
    func takeLedgerIDs(_ count: Int) throws -> Int64? {
        guard count > 0 else { return nil }
        return try fetchValue(Int64.self, sql: "SELECT stockrecon_take_ledger_ids(?)", arguments: [count])
    }

    /// Its guards refuse UPDATE and DELETE only: an insert is not checked a row.
    func liftLedgerReplaceGuard() throws {}

    /// The first import after a load of a million variants, which writes their index, took
    /// 171 MB (its heap kept the index's tables); trimmed, 138 MB.
    func returnFreedMemory() {
        #if os(Linux)
        malloc_trim(0)
        #endif
    }

    func triggers() throws -> [String] {
        try fetchValues(String.self, sql: """
            SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid
            WHERE c.relnamespace = current_schema()::regnamespace AND NOT t.tgisinternal
            """)
    }

    var expectedTriggers: [String] {
        ["ledger_refuses_change", "ledger_refuses_truncate", "movements_refuse_change", "movements_refuse_insert",
         "postings_refuse_change", "postings_refuse_truncate"]
            + LedgerGuards.namedTables.flatMap { ["\($0)_refuse_delete", "\($0)_refuse_truncate"] }
    }

    func upsertCatalog(_ entries: [CatalogEntry], tenant: Int64, run: Int64) throws {
        try PostgresCatalogUpsert.upsert(entries, tenant: tenant, run: run, in: self)
    }

    func withPageCache<T>(megabytes: Int, _ body: () throws -> T) throws -> T { try body() }

    func withPageCacheGivenBack<T>(megabytes: Int, _ body: () throws -> T) throws -> T { try body() }

    /// As it is: the server's write-ahead log is its own.
    func loadingFirstCatalog<T>(_ body: () throws -> T) throws -> T { try body() }

    func withoutForeignKeyChecks<T>(_ body: () throws -> T) throws -> T { try body() }

    /// NUL shows as U+FFFD.
    func storable(_ text: String?) -> String? { text?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") }

    func resolveOutstanding(_ records: [Int], file: Int64) throws {
        guard !records.isEmpty else { return }
        try execute(sql: "DELETE FROM outstanding_records WHERE file = ? AND record = ANY(CAST(? AS BIGINT[]))", arguments: [file, records.postgresArray])
    }

    func keepOutstanding(_ records: [Int], file: Int64) throws {
        guard !records.isEmpty else { return }
        try execute(
            sql: "INSERT INTO outstanding_records (file, record) SELECT ?, unnest(CAST(? AS BIGINT[])) ON CONFLICT DO NOTHING",
            arguments: [file, records.postgresArray])
    }

    func setReceived(_ lines: [(id: Int64, received: Int64)]) throws {
        guard !lines.isEmpty else { return }
        try execute(sql: """
            UPDATE order_lines AS o SET quantity_received = u.received
            FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS u (id, received) WHERE o.id = u.id
            """, arguments: [lines.map(\.id).postgresArray, lines.map(\.received).postgresArray])
    }

    func upsertOrderLines(_ lines: [OrderLine], tenant: Int64) throws {
        guard !lines.isEmpty else { return }
        try execute(sql: """
            INSERT INTO order_lines (tenant, po_number, variant, location, quantity_ordered, unit_cost_minor)
            SELECT CAST(? AS BIGINT), * FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[]))
            ON CONFLICT (tenant, po_number, variant, location)
            DO UPDATE SET quantity_ordered = excluded.quantity_ordered, unit_cost_minor = excluded.unit_cost_minor
            """, arguments: [
                tenant, lines.map(\.poNumber).postgresArray, lines.map(\.variant).postgresArray, lines.map(\.location).postgresArray,
                lines.map(\.quantityOrdered).postgresArray, lines.map(\.unitCostMinor).postgresArray,
            ])
    }

    func setBalances(_ balances: [(variant: Int64, location: Int64, onHand: Int64)], tenant: Int64) throws {
        guard !balances.isEmpty else { return }
        // The stored ones updated, the rest inserted: `ON CONFLICT DO UPDATE` took a count's
        // 860,000 balances 9.2 s. The tenant's lock keeps another process from inserting one between.
        try execute(sql: """
            WITH given AS (
                SELECT * FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS g (variant, location, on_hand)),
            updated AS (
                UPDATE stock_levels AS s SET on_hand = g.on_hand FROM given g
                WHERE s.tenant = ? AND s.variant = g.variant AND s.location = g.location
                RETURNING s.variant, s.location)
            INSERT INTO stock_levels (tenant, variant, location, on_hand)
            SELECT CAST(? AS BIGINT), g.variant, g.location, g.on_hand FROM given g
            WHERE NOT EXISTS (SELECT 1 FROM updated u WHERE u.variant = g.variant AND u.location = g.location)
            """,
            arguments: [balances.map(\.variant).postgresArray, balances.map(\.location).postgresArray, balances.map(\.onHand).postgresArray, tenant, tenant])
    }
}
