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
    /// (and one about this many movements apart inside a posting of more): a balance as of a
    /// moment then reads at most about half as many, beside the balances. Task-local: tests
    /// take smaller ones.
    @TaskLocal package static var checkpointEvery: Int64 = 1_000_000
    /// And once at least this many times as many movements as the tenant has balances: a
    /// checkpoint copies them all, and reading from one costs about as many rows.
    static let checkpointBalancesFactor: Int64 = 4
    /// The ledger's columns that statements filter, join or group on: those the planner needs
    /// counted after a large posting.
    static let ledgerColumnsPlanned = [
        "id", "tenant", "posting", "variant", "location", "kind", "record", "reverses_id", "absorbs_id", "occurred_at",
    ]

    /// Keeps the tenant's balances as checkpoints of `posting` when at least `every` movements,
    /// and `perBalance` times its balances, were posted since its last one: at its end, and at
    /// each cut of its `spans`; and has the planner count the ledger anew if they at least
    /// doubled it. Called at the end of a posting, its spans written and its balances written
    /// or in `balances`, under the tenant's lock: every earlier posting of the tenant is committed.
    static func keepCheckpointsIfDue(
        tenant: Int64, posting: Int64, spans: SpanBook, balances source: CheckpointBalances = .stored,
        every: Int64 = checkpointEvery, perBalance: Int64 = checkpointBalancesFactor, in db: any SQLConnection
    ) throws {
        let last = try db.fetchValue(Int64.self, sql: "SELECT max(posting) FROM stock_checkpoints WHERE tenant = ?", arguments: [tenant]) ?? 0
        let since = try db.fetchValue(Int64.self, sql: """
            SELECT coalesce(sum(last_id - first_id + 1), 0) FROM posting_spans WHERE tenant = ? AND posting > ?
            """, arguments: [tenant, last]) ?? 0
        guard since >= every else { return }
        // So many new movements can leave PostgreSQL's planner counting the ledger as it was: one
        // variant's as-of took 1.5 s on a fresh 10,000,000-movement ledger until autovacuum came.
        try db.refreshStatistics(of: "ledger", columns: ledgerColumnsPlanned, added: since)
        // Counted only as far as the answer needs: a million balances took PostgreSQL 0.23 s.
        let most = since / perBalance
        guard try source.count(tenant: tenant, upTo: most + 1, in: db) <= most else { return }
        // Beside the file's book, the balances taken back (16 bytes each) and the segments' sums,
        // SQLite's 24 MB of pages took Lightspeed's fifth night to 151-152 MB; given back, 146-148.
        try db.withPageCacheGivenBack(megabytes: 2) {
            var book = spans
            book.closeAll()
            try keepCheckpoints(at: book.cuts, posting: posting, tenant: tenant, balances: source, in: db)
            guard let stockDate = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ?", arguments: [tenant])
            else { return }
            let checkpoint = try db.insert(
                sql: "INSERT INTO stock_checkpoints (tenant, posting, stock_date, balances) VALUES (?, ?, ?, 0)",
                arguments: [tenant, posting, stockDate])
            var blocks = try CheckpointBlocks.Writer(db, tenant: tenant, checkpoint: checkpoint)
            try source.forEach(tenant: tenant, in: db) { try blocks.append(variant: $0, location: $1, onHand: $2) }
            try db.execute(sql: "UPDATE stock_checkpoints SET balances = ? WHERE tenant = ? AND id = ?", arguments: [try blocks.finish(), tenant, checkpoint])
        }
    }

    /// A checkpoint at each cut inside a posting: today's balances less the movements after
    /// the cut, taken back segment by segment from the posting's end (a segment not held read
    /// back from the ledger).
    private static func keepCheckpoints(
        at cuts: [(lastID: Int64, after: [StockDelta]?)], posting: Int64, tenant: Int64, balances source: CheckpointBalances,
        in db: any SQLConnection
    ) throws {
        guard !cuts.isEmpty else { return }
        let own = try spans(tenant: tenant, in: db).filter { $0.posting == posting }
        let earlier = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ? AND posting < ?", arguments: [tenant, posting])
        // Today's balances less each segment, from the last.
        var balances = try BalancesTakenBack(count: source.knownCount) { try source.forEach(tenant: tenant, in: db, $0) }
        for (index, cut) in cuts.enumerated().reversed() {
            if let after = cut.after {
                try balances.subtract { body in for sum in after { try body(sum.key.variant, sum.key.location, sum.delta) } }
            } else {
                let next = cuts.indices.contains(index + 1) ? cuts[index + 1].lastID : nil
                var sums = try movementSums(after: cut.lastID, through: next, of: own, in: db)
                try balances.subtract { try sums.forEach($0) }
            }
            let stockDate = own.filter { $0.lastID <= cut.lastID }.map(\.latest).reduce(earlier ?? "") { max($0, $1) }
            let checkpoint = try db.insert(
                sql: "INSERT INTO stock_checkpoints (tenant, posting, last_id, stock_date, balances) VALUES (?, ?, ?, ?, ?)",
                arguments: [tenant, posting, cut.lastID, stockDate, balances.nonZeroCount])
            var blocks = try CheckpointBlocks.Writer(db, tenant: tenant, checkpoint: checkpoint)
            try balances.forEach { try blocks.append(variant: $0, location: $1, onHand: $2) }
            _ = try blocks.finish()
        }
    }

    /// The sums by key of a posting's movements after `lastID` (and through `end`), read back
    /// from the ledger: a cut falls at a span's end, so its spans hold them. Read a span at a
    /// time into one book: a dictionary of the whole segment held more than the posting had.
    private static func movementSums(after lastID: Int64, through end: Int64?, of spans: [PostingSpan], in db: any SQLConnection) throws -> StockSums {
        var sums = StockSums()
        for span in spans where span.lastID > lastID && end.map({ span.lastID <= $0 }) ?? true {
            for (key, delta) in try db.sumMovements([span], fromID: lastID, dates: StockDateRange(after: nil, through: nil)) {
                sums.add(variant: key.variant, location: key.location, delta)
            }
        }
        return sums
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

    /// The balances a checkpoint holds: in blocks, or a row each when kept before v29.
    static func balances(of checkpoint: StockCheckpoint, tenant: Int64, in db: any SQLConnection) throws -> [StockKey: Int64] {
        var balances: [StockKey: Int64] = [:]
        balances.reserveCapacity(Int(checkpoint.balances))
        try db.forEachRow(sql: "SELECT entries FROM checkpoint_blocks WHERE tenant = ? AND checkpoint = ? ORDER BY block",
                          arguments: [tenant, checkpoint.id]) { row in
            try CheckpointBlocks.forEach(in: try row[0]) { variant, location, onHand in
                balances[StockKey(variant: variant, location: location)] = onHand
            }
        }
        try db.forEachRow(sql: "SELECT variant, location, on_hand FROM checkpoint_balances WHERE tenant = ? AND checkpoint = ?",
                          arguments: [tenant, checkpoint.id]) { row in
            balances[StockKey(variant: try row["variant"], location: try row["location"])] = try row["on_hand"]
        }
        return balances
    }
}

/// Where a checkpoint reads the tenant's balances: `stock_levels`, or a posting's book and the
/// stored balances its file did not touch, which hold every one of them (they read them all),
/// before they are written. Scanning 100,000 balances back took PostgreSQL's import 0.17 s.
enum CheckpointBalances {
    case stored
    case book(BalanceBook, untouched: StoredBalances?)

    /// How many balances there are, where known without counting.
    var knownCount: Int? {
        switch self {
        case .stored: nil
        case .book(let book, let untouched): book.balanceCount + (untouched?.count ?? 0)
        }
    }

    /// How many balances the tenant has, counted no further than `limit`.
    func count(tenant: Int64, upTo limit: Int64, in db: any SQLConnection) throws -> Int64 {
        switch self {
        case .stored:
            // Counted only as far as the answer needs: a million balances took PostgreSQL 0.23 s.
            try db.fetchValue(Int64.self, sql: """
                SELECT count(*) FROM (SELECT 1 FROM stock_levels WHERE tenant = ? LIMIT ?) AS enough
                """, arguments: [tenant, limit]) ?? 0
        case .book:
            Int64(knownCount ?? 0)
        }
    }

    /// Each balance, in no particular order.
    func forEach(tenant: Int64, in db: any SQLConnection, _ body: (Int64, Int64, Int64) throws -> Void) throws {
        switch self {
        case .stored: try db.forEachBalance(tenant: tenant, body)
        case .book(let book, let untouched):
            try book.forEach(body)
            try untouched?.forEach(body)
        }
    }
}

/// A checkpoint's balances as rows of `checkpoint_blocks` (v29): up to 4,096 a row, each three
/// little-endian 8-byte words (variant, location, on-hand), none zero.
enum CheckpointBlocks {
    static let entriesPerBlock = 4096
    /// Three words: variant, location, on-hand.
    static let entrySize = 24

    /// Writes balances a block at a time, by the backend's bulk writer, leaving out zeros.
    struct Writer {
        private let rows: RowInserter
        private let tenant: Int64
        private let checkpoint: Int64
        private var entries: [UInt8] = []
        private var block: Int64 = 0
        private var count: Int64 = 0

        init(_ db: any SQLConnection, tenant: Int64, checkpoint: Int64) throws {
            rows = try RowInserter(db, table: "checkpoint_blocks", columns: ["tenant", "checkpoint", "block", "entries"], binary: true)
            self.tenant = tenant
            self.checkpoint = checkpoint
            entries.reserveCapacity(CheckpointBlocks.entriesPerBlock * CheckpointBlocks.entrySize)
        }

        mutating func append(variant: Int64, location: Int64, onHand: Int64) throws {
            guard onHand != 0 else { return }
            PackedWords.append(variant, to: &entries)
            PackedWords.append(location, to: &entries)
            PackedWords.append(onHand, to: &entries)
            count += 1
            if entries.count == CheckpointBlocks.entriesPerBlock * CheckpointBlocks.entrySize { try flush() }
        }

        /// Writes the last block; how many balances were written.
        mutating func finish() throws -> Int64 {
            try flush()
            try rows.finish()
            return count
        }

        private mutating func flush() throws {
            guard !entries.isEmpty else { return }
            try rows.append(values: [.integer(tenant), .integer(checkpoint), .integer(block), .blob(entries)])
            block += 1
            entries.removeAll(keepingCapacity: true)
        }
    }

    /// Each balance of one block.
    static func forEach(in entries: [UInt8], _ body: (Int64, Int64, Int64) throws -> Void) throws {
        let words = try PackedWords.words(in: entries, perEntry: 3, table: "checkpoint_blocks", part: "a block")
        for start in stride(from: 0, to: words.count, by: 3) { try body(words[start], words[start + 1], words[start + 2]) }
    }
}
