import CMalloc
import GRDB
import StockReconCore
import StockReconStore

/// SQLite's way: one writer in process, a statement a row costs no round trip.
extension SQLiteConnection: BackendOperations {
    func takeLedgerIDs(_ count: Int) throws -> Int64? { nil }

    func withPageCache<T>(megabytes: Int, _ body: () throws -> T) throws -> T {
        let size = try fetchValue(Int64.self, sql: "PRAGMA cache_size") ?? -24576
        try execute(sql: "PRAGMA cache_size = -\(megabytes * 1024)")
        defer { try? execute(sql: "PRAGMA cache_size = \(size)") }
        return try body()
    }

    func withPageCacheGivenBack<T>(megabytes: Int, _ body: () throws -> T) throws -> T {
        try withPageCache(megabytes: megabytes) {
            // The freed pages are holes in the C heap, which keeps them unless trimmed.
            #if os(Linux)
            malloc_trim(0)
            #endif
            return try body()
        }
    }

    /// SQLite checks them at once, so a statement of many rows might stop half-way: it keeps a
    /// journal of every page it touches to undo, a fifth of a catalog load's time.
    func withoutForeignKeyChecks<T>(_ body: () throws -> T) throws -> T {
        guard !db.isInsideTransaction else { return try body() }
        try execute(sql: "PRAGMA foreign_keys = OFF")
        defer { try? execute(sql: "PRAGMA foreign_keys = ON") }
        return try body()
    }

    func storable(_ text: String?) -> String? { text }

    /// Nothing: the heap's freed pages serve the run after (a first import after a load of a
    /// million variants, 143 MB; trimmed, 146 to 149 MB).
    func returnFreedMemory() {}

    func triggers() throws -> [String] { try fetchValues(String.self, sql: "SELECT name FROM sqlite_master WHERE type = 'trigger'") }

    var expectedTriggers: [String] {
        ["ledger_refuses_update", "ledger_refuses_delete", "ledger_refuses_replace", "movements_refuse_update",
         "movements_refuse_delete", "movements_refuse_insert", "postings_refuse_replace", "postings_refuse_update",
         "postings_refuse_delete"] + LedgerGuards.namedTables.map { "\($0)_refuse_delete" }
    }

    func resolveOutstanding(_ records: [Int], file: Int64) throws {
        // A statement a few thousand records: SQLite binds at most 32,766 values to one.
        for start in stride(from: 0, to: records.count, by: 4096) {
            let some = records[start ..< min(start + 4096, records.count)].map(Int64.init)
            try OutstandingRecordRow.filter(OutstandingRecordRow.Columns.file == file && some.contains(OutstandingRecordRow.Columns.record))
                .deleteAll(db)
        }
    }

    /// A cached statement, not a record's insert: a file of a million rejected rows took half
    /// as long again through GRDB's records.
    func keepOutstanding(_ records: [Int], file: Int64) throws {
        for record in records {
            try execute(sql: "INSERT INTO outstanding_records (file, record) VALUES (?, ?) ON CONFLICT DO NOTHING", arguments: [file, record])
        }
    }

    /// Statements prepared once, not GRDB's records: a record's statement is built again for
    /// each line (a million receipts' order lines took 4.5 s of a 19 s run; a million lines of
    /// orders 26 s). Updated in id order, a page after another.
    func setReceived(_ lines: [(id: Int64, received: Int64)]) throws {
        var update = try FastStatement(self, sql: "UPDATE order_lines SET quantity_received = ? WHERE id = ?")
        for line in lines.sorted(by: { $0.id < $1.id }) {
            update.reset()
            update.bind(line.received, at: 1)
            update.bind(line.id, at: 2)
            try update.step()
        }
    }

    /// An order line loaded again keeps its id and what was received: the upsert overwrites
    /// only the line's own columns.
    func upsertOrderLines(_ lines: [OrderLine], tenant: Int64) throws {
        var upsert = try FastStatement(self, sql: """
            INSERT INTO order_lines (tenant, po_number, variant, location, quantity_ordered, unit_cost_minor) VALUES (?, ?, ?, ?, ?, ?)
            ON CONFLICT (tenant, po_number, variant, location)
            DO UPDATE SET quantity_ordered = excluded.quantity_ordered, unit_cost_minor = excluded.unit_cost_minor
            """)
        for line in lines {
            upsert.reset()
            upsert.bind(tenant, at: 1)
            upsert.bind(text: line.poNumber, at: 2)
            upsert.bind(line.variant, at: 3)
            upsert.bind(line.location, at: 4)
            upsert.bind(line.quantityOrdered, at: 5)
            upsert.bind(line.unitCostMinor, at: 6)
            try upsert.step()
        }
    }

    /// SQL, not a record's upsert: GRDB's returns the rowid, which `stock_levels` (WITHOUT ROWID)
    /// has not. Prepared once (a count's 860,000 balances took 6.8 s as a statement each).
    func setBalances(_ balances: [(variant: Int64, location: Int64, onHand: Int64)], tenant: Int64) throws {
        var upsert = try FastStatement(self, sql: """
            INSERT INTO stock_levels (tenant, variant, location, on_hand) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, variant, location) DO UPDATE SET on_hand = excluded.on_hand
            """)
        for balance in balances {
            upsert.reset()
            upsert.bind(tenant, at: 1)
            upsert.bind(balance.variant, at: 2)
            upsert.bind(balance.location, at: 3)
            upsert.bind(balance.onHand, at: 4)
            try upsert.step()
        }
    }
}
