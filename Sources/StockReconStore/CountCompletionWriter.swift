import StockReconCore

/// A count's completion written a page of items at a time, as they are read in key order: each
/// page's movements (with `posting`) and results, the balances written once at the end. Held
/// whole, a million items took 485 MB; what stays is 24 bytes a posted item (its balance) and
/// the ledger's runs.
struct CountCompletionWriter {
    static let pageSize = 10_000
    private let pageSize: Int
    private let db: any SQLConnection
    private let count: Int64
    private let tenant: Int64
    private let posting: Int64?
    private let countedAt: String
    private let run: Int64
    private let rules: CountRules
    /// A count taken before a stock check already recorded is absorbed there, as any movement dated before one.
    private let isBeforeLatestCheck: Bool
    private var page: [StoredCountItem] = []
    private var firstID: Int64?
    private var runs: VariantMovements.Runs
    private var spans = SpanBook()
    private var balances: [(variant: Int64, location: Int64, onHand: Int64)] = []
    private var absorptions: [(absorption: Absorption, balance: Int)] = []
    private(set) var totals = CountTotals()
    private(set) var counts = OutcomeCounts()
    private(set) var posted = 0

    init(
        _ db: any SQLConnection, count: Int64, tenant: Int64, posting: Int64?, countedAt: String, run: Int64, rules: CountRules,
        pageSize: Int = Self.pageSize
    ) throws {
        self.pageSize = pageSize
        self.db = db
        self.count = count
        self.tenant = tenant
        self.posting = posting
        self.countedAt = countedAt
        self.run = run
        self.rules = rules
        isBeforeLatestCheck = try posting != nil && Store.latestDates(tenant: tenant, in: db).check.map { countedAt < $0 } ?? false
        runs = VariantMovements.Runs(db)
        page.reserveCapacity(pageSize)
    }

    /// Takes the next item (in key order); a full page is written.
    mutating func add(_ item: StoredCountItem) throws {
        page.append(item)
        if page.count >= pageSize { try writePage() }
    }

    /// Writes the last page, then the balances, absorptions, spans and checkpoints of the posting.
    mutating func finish() throws {
        try writePage()
        guard let posting, let firstID else { return }
        try runs.flush()
        if !absorptions.isEmpty {
            var onHand = Dictionary(
                absorptions.map { (StockKey(variant: $0.absorption.variant, location: $0.absorption.location), balances[$0.balance].onHand) },
                uniquingKeysWith: { $1 })
            try Store.absorb(absorptions.map(\.absorption), posting: posting, after: firstID - 1, onHand: &onHand, spans: &spans, in: db)
            for (absorption, index) in absorptions {
                balances[index].onHand = onHand[StockKey(variant: absorption.variant, location: absorption.location)] ?? balances[index].onHand
            }
        }
        try db.setBalances(balances, tenant: tenant)
        try Store.recordSpans(spans, posting: posting, tenant: tenant, recordedAt: try Store.recordedAt(run: run, in: db), in: db)
        try Store.keepCheckpointsIfDue(tenant: tenant, posting: posting, spans: spans, in: db)
    }

    private mutating func writePage() throws {
        guard !page.isEmpty else { return }
        if let posting { try post(posting) }
        let results = try RowInserter(db, table: "count_results", columns: [
            "count", "variant", "location", "batch", "system_quantity", "counted_quantity", "moved_during_count",
            "unit_cost_minor", "reason", "notes", "rows", "movement",
        ])
        for stored in page {
            let item = stored.item
            try results.append(values: [
                .integer(count), .integer(stored.variant), .integer(stored.location), .text(item.batch), .integer(item.systemQuantity),
                .integer(item.countedQuantity), .integer(item.movedDuringCount), .integer(item.unitCostMinor), .text(item.reason),
                .text(item.notes), .integer(Int64(stored.rows)), .integer(stored.movementID),
            ])
            try totals.add(item, rules: rules)
            counts.rows += stored.rows
            if stored.movementID != nil { counts.posted += stored.rows } else { counts.unchanged += stored.rows }
        }
        try results.finish()
        page.removeAll(keepingCapacity: true)
    }

    /// Appends the page's movements: ids in one block (on SQLite, after the largest, as its one
    /// writer would number them), rows as values, not boxed.
    private mutating func post(_ posting: Int64) throws {
        let posts = page.indices.compactMap { index -> (index: Int, kind: MovementKind, delta: Int64)? in
            guard case .post(let kind, let delta) = page[index].item.fate() else { return nil }
            return (index, kind, delta)
        }
        guard !posts.isEmpty else { return }
        let first = try db.takeLedgerIDs(posts.count) ?? Store.lastLedgerID(in: db) + 1
        if firstID == nil {
            firstID = first
            try db.liftLedgerReplaceGuard()
        }
        let ledger = try RowInserter(db, table: "ledger", columns: [
            "id", "posting", "variant", "location", "kind", "quantity_delta", "quantity_before", "unit_cost_minor",
            "reference_id", "notes", "reason_code", "idempotency_key", "occurred_at",
        ])
        let (reference, date) = (SQLValue.text("count \(count)"), SQLValue.text(countedAt))
        for (offset, post) in posts.enumerated() {
            let stored = page[post.index]
            let id = first + Int64(offset)
            let before = stored.item.onHandNow
            try ledger.append(values: [
                .integer(id), .integer(posting), .integer(stored.variant), .integer(stored.location), .integer(post.kind.code),
                .integer(post.delta), .integer(before), .integer(stored.item.unitCostMinor), reference, .text(stored.item.notes),
                .text(stored.item.reason), .text("count-\(count):\(stored.item.variantID)@\(stored.item.locationID)"), date,
            ])
            page[post.index].movementID = id
            if isBeforeLatestCheck,
               let check = try Store.checkAfter(tenant: tenant, variant: stored.variant, location: stored.location, date: countedAt, in: db) {
                absorptions.append((
                    Absorption(record: nil, id: id, variant: stored.variant, location: stored.location, delta: post.delta, stockDate: countedAt, check: check),
                    balances.count))
            }
            try runs.add(variant: stored.variant, id: id)
            balances.append((stored.variant, stored.location, before + post.delta))
            spans.note(date: countedAt, variant: stored.variant, location: stored.location, delta: post.delta)
        }
        try ledger.finish()
        spans.noteIDs(first...(first + Int64(posts.count) - 1))
        posted += posts.count
    }
}
