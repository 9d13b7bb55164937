import StockReconCore

/// A tenant's balances as they stood after one of its postings, or inside a large one after its
/// movement `lastID` (`stock_checkpoints`, v24): the sum of every movement it covers, all dated
/// at or before `stockDate`.
struct StockCheckpoint: Sendable {
    var id: Int64
    var posting: Int64
    /// nil: every movement of `posting`.
    var lastID: Int64?
    var stockDate: String
    /// How many balances it holds (none zero).
    var balances: Int64

    /// Whether the span's movements are in the checkpoint's balances: every posting before its
    /// own, and its own up to `lastID`.
    func covers(_ span: PostingSpan) -> Bool {
        span.posting < posting || (span.posting == posting && (lastID.map { span.lastID <= $0 } ?? true))
    }
}

extension Store {
    /// A checkpoint is kept once this many movements were posted since the tenant's last one
    /// (and one this many movements apart inside a posting of twice as many): a balance as of a
    /// moment then reads at most about half as many, beside the balances.
    package static let checkpointEvery: Int64 = 1_000_000

    /// Keeps the tenant's balances as checkpoints of `posting` when at least `every` movements
    /// were posted since its last one. Called at the end of a posting, its balances and spans
    /// written, under the tenant's lock: every earlier posting of the tenant is committed.
    static func keepCheckpointsIfDue(tenant: Int64, posting: Int64, every: Int64 = checkpointEvery, in db: any SQLConnection) throws {
        let last = try db.fetchValue(Int64.self, sql: "SELECT max(posting) FROM stock_checkpoints WHERE tenant = ?", arguments: [tenant]) ?? 0
        let since = try db.fetchValue(Int64.self, sql: """
            SELECT coalesce(sum(last_id - first_id + 1), 0) FROM posting_spans WHERE tenant = ? AND posting > ?
            """, arguments: [tenant, last]) ?? 0
        guard since >= every else { return }
        try keepCheckpointsInside(posting: posting, tenant: tenant, every: every, in: db)
        guard let stockDate = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ?", arguments: [tenant])
        else { return }
        let checkpoint = try db.insert(
            sql: "INSERT INTO stock_checkpoints (tenant, posting, stock_date, balances) VALUES (?, ?, ?, 0)",
            arguments: [tenant, posting, stockDate])
        try db.execute(sql: """
            INSERT INTO checkpoint_balances (tenant, checkpoint, variant, location, on_hand)
            SELECT tenant, ?, variant, location, on_hand FROM stock_levels WHERE tenant = ? AND on_hand <> 0
            """, arguments: [checkpoint, tenant])
        try db.execute(sql: """
            UPDATE stock_checkpoints SET balances = (SELECT count(*) FROM checkpoint_balances WHERE tenant = ? AND checkpoint = ?)
            WHERE id = ?
            """, arguments: [tenant, checkpoint, checkpoint])
    }

    /// In a posting of at least twice `every` movements, a checkpoint after each `every`: today's
    /// balances less the posting's movements after it, summed back from the posting's end.
    private static func keepCheckpointsInside(posting: Int64, tenant: Int64, every: Int64, in db: any SQLConnection) throws {
        let own = try spans(tenant: tenant, in: db).filter { $0.posting == posting }.sorted { $0.firstID < $1.firstID }
        guard own.reduce(0, { $0 + $1.width }) >= 2 * every else { return }
        var ends: [Int] = []  // the index of the last span each checkpoint covers
        var width: Int64 = 0
        for (index, span) in own.enumerated().dropLast() {
            width += span.width
            if width >= every {
                ends.append(index)
                width = 0
            }
        }
        guard !ends.isEmpty else { return }
        let earlier = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ? AND posting < ?", arguments: [tenant, posting])
        var balances: [StockKey: Int64] = [:]
        try db.forEachBalance(tenant: tenant) { variant, location, onHand in balances[StockKey(variant: variant, location: location)] = onHand }
        var after = own.count
        for end in ends.reversed() {
            for (key, delta) in try db.sumMovements(Array(own[(end + 1)..<after]), fromID: 0, dates: StockDateRange(after: nil, through: nil)) {
                balances[key, default: 0] -= delta
            }
            after = end + 1
            let stockDate = own[...end].map(\.latest).reduce(earlier ?? "") { max($0, $1) }
            let checkpoint = try db.insert(
                sql: "INSERT INTO stock_checkpoints (tenant, posting, last_id, stock_date, balances) VALUES (?, ?, ?, ?, ?)",
                arguments: [tenant, posting, own[end].lastID, stockDate, balances.values.count(where: { $0 != 0 })])
            let rows = try RowInserter(db, table: "checkpoint_balances", columns: ["tenant", "checkpoint", "variant", "location", "on_hand"])
            for (key, onHand) in balances.sorted(by: { ($0.key.variant, $0.key.location) < ($1.key.variant, $1.key.location) }) where onHand != 0 {
                try rows.append([tenant, checkpoint, key.variant, key.location, onHand])
            }
            try rows.finish()
        }
    }

    /// A tenant's checkpoints, in posting order.
    static func checkpoints(tenant: Int64, in db: any SQLConnection) throws -> [StockCheckpoint] {
        try db.fetchAll(sql: """
            SELECT id, posting, last_id, stock_date, balances FROM stock_checkpoints WHERE tenant = ? ORDER BY posting, id
            """, arguments: [tenant]).map {
            StockCheckpoint(
                id: try $0["id"], posting: try $0["posting"], lastID: try $0["last_id"], stockDate: try $0["stock_date"], balances: try $0["balances"])
        }
    }

    /// The balances a checkpoint holds.
    static func balances(of checkpoint: StockCheckpoint, tenant: Int64, in db: any SQLConnection) throws -> [StockKey: Int64] {
        var balances: [StockKey: Int64] = [:]
        balances.reserveCapacity(Int(checkpoint.balances))
        try db.forEachRow(sql: "SELECT variant, location, on_hand FROM checkpoint_balances WHERE tenant = ? AND checkpoint = ?",
                          arguments: [tenant, checkpoint.id]) { row in
            balances[StockKey(variant: try row["variant"], location: try row["location"])] = try row["on_hand"]
        }
        return balances
    }
}
