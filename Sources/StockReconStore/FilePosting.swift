import StockReconCore

/// A file already seen by this tenant: its id, rows, and how many still wait on a fix.
public struct KnownFile: Sendable {
    public var id: Int64
    public var rows: Int
    public var outstanding: Int
    /// How it was read (`FileReading`); nil for files imported before v16 recorded it.
    public var reading: String?
    /// The run that first imported it, and the format or mapping it was read by.
    public var firstRun: Int64
    public var format: String
}

/// Who posts, for whom, in which run.
public struct PostingContext: Sendable {
    public var tenant: Int64
    public var tenantID: String
    public var org: Int64
    public var run: Int64
    public var user: Int64?
    /// What happens to each valid row: post, hold for a manager, or refuse.
    public var reconciler: Reconciler

    public init(tenant: Int64, tenantID: String, org: Int64, run: Int64, user: Int64?, reconciler: Reconciler = Reconciler()) {
        self.tenant = tenant
        self.tenantID = tenantID
        self.org = org
        self.run = run
        self.user = user
        self.reconciler = reconciler
    }
}

/// What the store holds for a valid row when it is decided (`FilePosting.state`).
public struct RowState {
    /// The row's change as written: a `set` stays a `set` until it is decided.
    public let change: StockChange
    public let unitCostMinor: Int64?
    public let adjustmentType: AdjustmentType?
    public let digest: Int64
    /// What the row's natural key saw before it, nil for a new key or none.
    public let earlier: EarlierKey?
    public let onHand: Int64
    /// What the row is decided against: `onHand`, unless it is dated before movements of its
    /// item already posted (`Store.onHandThen`); then, for a removal, the lowest on-hand
    /// since its date, reached on `lowestDay`.
    public let onHandThen: Int64
    public let lowestDay: String?
    /// A receipt's order line as it stands before this row; nil when unexpected or not a receipt.
    public let order: OrderLineState?
    /// The row's record in the file.
    public let record: Int
    let row: Int
    let slot: Int
    let match: (key: ReceiptBook.Key, line: ReceiptBook.Line)?
    let po: String?
}

/// Posts one file's rows inside the caller's transaction: appends movements, keeps
/// balances in memory and writes each touched balance once at the end, records
/// rejections and the file's outstanding records, so that a rerun redoes only those.
public final class FilePosting {
    let db: any SQLConnection
    let context: PostingContext
    public let file: Int64
    let path: String
    var reconciler: Reconciler { context.reconciler }
    /// Where the file's rows come from, for rejections.
    public var displayPath: String { path }
    /// What the posting loop writes through: lent out of `self` for each batch.
    private var writer: BatchWriter
    private var resolvedRecords: [Int] = []
    private var rejectedRecords: [Int] = []
    private var rejections: RejectionWriter
    /// Rows held for approval, written a batch at a time as the ledger's are (made at the first).
    private var heldRows: (any ApprovalAppending)?
    /// Receipts: the held rows' ids are all above this.
    private var heldReceiptsAfter: Int64?
    public let knownOutstanding: Set<Int>
    /// The natural keys the tenant used before this file (nil: too many to hold), for
    /// settling known rows before they are checked.
    public let knownKeys: KnownKeys?
    private let posting: Int64
    /// Every movement of this posting has a larger ledger id.
    private let mark: Int64
    /// The stock date of rows without an `occurred_at`: when the run was recorded.
    private let recordedAt: String
    /// The tenant's latest stock check before this file (a row dated before it may be absorbed
    /// by one), and its latest stock date with this file's rows so far (a `set` dated before it
    /// is decided against on-hand then, a removal against the lowest on-hand since).
    private let latestCheck: [UInt8]?
    private var latestStockDate: [UInt8]?
    private let isRecordedBeforeLatestCheck: Bool
    private var absorptions: [Absorption] = []
    /// The histories of the items the file's backdated rows were decided against, read once an
    /// item and kept with the file's own movements (and the absorbing ones `finish` will post).
    private var histories: [StockKey: ItemHistory] = [:]
    /// Orders the file's movements after every written one, and the absorbing ones after those.
    private var unwrittenOrder = Int64.max / 2
    /// The absorbing movements `finish` will post, by item: grouped when a history is first
    /// read, kept from then on.
    private var absorbingByItem: [StockKey: [(at: String, order: Int64, delta: Int64)]]?
    /// The checks this file's own rows made (rows that set on-hand), by item, and the latest:
    /// a later row of the file dated before one of them is absorbed there too. Grouped from the
    /// writer's checks when first asked (`nextCheck`), which few files do: grouped from the first
    /// set row, they held an array for every balance a file set.
    private var ownChecks: [StockKey: [String]]?
    private var ownLatestCheck: [UInt8]?
    private var isRecordedAtNoted = false
    /// The stock checks of the items this file's backdated rows name, read once an item.
    private lazy var checks = StockChecks(db, tenant: context.tenant)

    /// Opens posting for a file identified by its SHA-256: `known` is what `knownFile` found
    /// for it (nil creates its `source_files` row). `knownOutstanding` are its records still
    /// rejected from earlier runs.
    public init(
        db: any SQLConnection, context: PostingContext, known: KnownFile?, sha256: String, path: String, format: String, reading: String
    ) throws {
        self.db = db
        self.context = context
        self.path = path
        rejections = try RejectionWriter(db, run: context.run, tenantID: context.tenantID)
        // Normally taken by `knownFile` already; a posting must hold it before reading balances.
        try db.lockLedger(tenant: context.tenant)
        if let known {
            file = known.id
            if known.reading == nil {
                try db.execute(sql: "UPDATE source_files SET reading = ? WHERE id = ?", arguments: [reading, known.id])
            }
            knownOutstanding = Set(try db.fetchValues(Int.self, sql: "SELECT record FROM outstanding_records WHERE file = ?", arguments: [known.id]))
        } else {
            file = try db.insert(sql: """
                INSERT INTO source_files (tenant, sha256, path, format, rows, outstanding, first_run, last_run, reading)
                VALUES (?, ?, ?, ?, 0, 0, ?, ?, ?)
                """, arguments: [context.tenant, sha256, path, format, context.run, context.run, reading])
            knownOutstanding = []
        }
        posting = try db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user") VALUES (?, ?, ?, ?, ?)"#,
            arguments: [context.tenant, context.org, context.run, file, context.user])
        mark = try Store.lastLedgerID(in: db)
        let recorded = try Store.recordedAt(run: context.run, in: db)
        recordedAt = recorded
        let latest = try Store.latestDates(tenant: context.tenant, in: db)
        latestCheck = latest.check.map { Array($0.utf8) }
        latestStockDate = latest.stockDate.map { Array($0.utf8) }
        isRecordedBeforeLatestCheck = latest.check.map { recorded < $0 } ?? false
        writer = BatchWriter(
            ledger: try db.movementAppender(posting: posting, tenant: context.tenant),
            balances: try BalanceCache(db, tenant: context.tenant),
            keys: try KeyBook(db, tenant: context.tenant, run: context.run),
            receipts: context.reconciler.receiving.map { ReceiptBook(tenant: context.tenant, policy: $0) })
        knownKeys = writer.keys.known
    }

    /// The file as this tenant saw it before, if it did. Takes the tenant's ledger lock first
    /// (PostgreSQL), so that two processes given the same file post it once.
    public static func knownFile(tenant: Int64, sha256: String, in db: any SQLConnection) throws -> KnownFile? {
        try db.lockLedger(tenant: tenant)
        return try db.fetchOne(sql: """
            SELECT id, rows, outstanding, reading, first_run, format FROM source_files WHERE tenant = ? AND sha256 = ?
            """, arguments: [tenant, sha256])
            .map {
                KnownFile(
                    id: try $0["id"], rows: try $0["rows"], outstanding: try $0["outstanding"], reading: try $0["reading"],
                    firstRun: try $0["first_run"], format: try $0["format"])
            }
    }

    // MARK: - Rows

    /// Lends the batch's writer to `body`, with the batch's keys claimed in order and its
    /// arena at hand; afterwards the ledger rows held are written, and the keys of ended
    /// rows once a block of them is full. The posting loop is the caller's: the store
    /// appends, holds, rejects and reads here, and decides nothing.
    public func withBatch(_ batch: PostingBatch, _ body: (inout BatchWriter, UnsafePointer<UInt8>?) throws -> Void) throws {
        // A local value is not checked for exclusive access on every row, as a class's
        // stored property is: the writer is swapped out of `self` for the loop.
        var local = BatchWriter.placeholder
        swap(&local, &writer)
        defer { swap(&local, &writer) }
        try batch.arena.withUnsafeBufferPointer { arena in
            try local.keys.claim(batch, arena: arena.baseAddress)
            try local.balances.readAhead((0 ..< batch.records.count).lazy.map { StockKey(variant: batch.variants[$0], location: batch.locations[$0]) })
            try local.receipts?.readOrders(of: (0 ..< batch.records.count).lazy.compactMap { Self.po(of: $0, in: batch) }, in: db)
            for row in 0 ..< min(batch.records.count, Self.prefetchDistance) { local.prefetch(row: row, of: batch) }
            try body(&local, arena.baseAddress)
            try local.ledger?.endBatch(batch, arena: arena.baseAddress)
            try heldRows?.endBatch(batch, arena: arena.baseAddress)
            try local.receipts?.endBatch(db, run: context.run, file: file, heldAfter: heldReceiptsAfter)
        }
        try local.keys.writeEndedBlock(in: db)
    }

    /// A receipt row's PO number, trimmed.
    private static func po(of row: Int, in batch: PostingBatch) -> String? {
        batch.string(.reference, of: row)?.trimmingCharacters(in: " \t")
    }

    /// How many rows ahead a balance is asked for: posting a row takes long enough for
    /// memory to answer a few rows ahead.
    public static let prefetchDistance = 4

    /// What the store holds for valid row `row`, for deciding it: the row's change as
    /// written, what its key saw, its on-hand, and (receipts) its order line.
    public func state(of row: Int, in batch: PostingBatch, arena: UnsafePointer<UInt8>?, writer: inout BatchWriter) throws -> RowState {
        let (slot, before) = try writer.balances.onHand(variant: batch.variants[row], location: batch.locations[row])
        let po = writer.receipts == nil ? nil : Self.po(of: row, in: batch)
        let order = writer.receipts?.line(po: po, variant: batch.variants[row], location: batch.locations[row])
        var then: (onHand: Int64, day: String?) = (before, nil)
        if Store.isDecidedThen(batch.changes[row], isNegativeStockForbidden: reconciler.isNegativeStockForbidden),
           let latestStockDate, batch.text(.occurredAt, of: row, precedes: latestStockDate), let date = batch.string(.occurredAt, of: row) {
            let key = StockKey(variant: batch.variants[row], location: batch.locations[row])
            then = try history(of: key, slot: slot, in: batch, arena: arena, writer: &writer)
                .decidingThen(batch.changes[row], date: date, nextCheck: nextCheck(after: date, of: key, made: writer.checks)?.at)
        }
        return RowState(
            change: batch.changes[row], unitCostMinor: batch.unitCosts[row], adjustmentType: batch.type(of: row),
            digest: batch.digests[row], earlier: writer.keys.earlier(row: row), onHand: before, onHandThen: then.onHand, lowestDay: then.day,
            order: order?.line.state,
            record: batch.records[row], row: row, slot: slot, match: order, po: po)
    }

    /// The item's history, read the first time: its movements written (the file's own held
    /// ones written first, when it moved the item) and the absorbing ones still to post.
    private func history(
        of key: StockKey, slot: Int, in batch: PostingBatch, arena: UnsafePointer<UInt8>?, writer: inout BatchWriter
    ) throws -> ItemHistory {
        if let known = histories[key] { return known }
        var unlisted: [Int64] = []
        if writer.balances.isTouched(slot), let ledger = writer.ledger {
            unlisted = try ledger.written(variant: key.variant, batch, arena: arena)
        }
        var history = try ItemHistory(variant: key.variant, location: key.location, unlisted: unlisted, in: db)
        if absorbingByItem == nil {
            absorbingByItem = Dictionary(grouping: absorptions) { StockKey(variant: $0.variant, location: $0.location) }
                .mapValues { $0.map { (at: $0.check.at, order: .max, delta: -$0.delta) } }
        }
        history.movements += absorbingByItem?[key] ?? []
        histories[key] = history
        return history
    }

    /// Appends the row's movement of `delta` (a `kind`) and its balance after.
    public func append(_ state: RowState, kind: MovementKind, delta: Int64, of batch: PostingBatch, arena: UnsafePointer<UInt8>?, writer: inout BatchWriter) throws {
        let row = state.row
        guard let ledger = writer.ledger else { throw SQLDecodingError(message: "the posting writer is lent out: posting re-entered") }
        try ledger.append(batch, row: row, arena: arena, kind: kind, delta: delta, before: state.onHand)
        writer.balances.set(state.slot, state.onHand + delta)
        let date = batch.borrowed(.occurredAt, of: row, arena: arena)
        noteStockDate(date?.bytes)
        if !histories.isEmpty {
            unwrittenOrder += 1
            histories[StockKey(variant: batch.variants[row], location: batch.locations[row])]?.movements.append(
                (date.map { String(decoding: $0.bytes, as: UTF8.self) } ?? recordedAt, unwrittenOrder, delta))
        }
        var isBeforeLatestCheck = isRecordedBeforeLatestCheck
        if let latestCheck, let date { isBeforeLatestCheck = date.bytes.lexicographicallyPrecedes(latestCheck) }
        var isBeforeOwnCheck = false
        if let ownLatestCheck {
            isBeforeOwnCheck = date.map { $0.bytes.lexicographicallyPrecedes(ownLatestCheck) } ?? recordedAt.utf8.lexicographicallyPrecedes(ownLatestCheck)
        }
        if isBeforeLatestCheck || isBeforeOwnCheck {
            let stockDate = batch.string(.occurredAt, of: row) ?? recordedAt
            let key = StockKey(variant: batch.variants[row], location: batch.locations[row])
            if let check = try nextCheck(after: stockDate, of: key, stored: isBeforeLatestCheck, own: isBeforeOwnCheck, made: writer.checks) {
                absorptions.append(Absorption(
                    record: batch.records[row], id: nil, variant: key.variant, location: key.location, delta: delta,
                    stockDate: stockDate, check: check))
                histories[key]?.movements.append((check.at, .max, -delta))
                absorbingByItem?[key, default: []].append((check.at, .max, -delta))
                // The movement and its absorption together leave on-hand as it was.
                writer.balances.set(state.slot, state.onHand)
            }
        }
        writer.receipts?.record(
            state.match, po: state.po, variant: batch.variants[row], location: batch.locations[row], quantity: delta,
            unitCostMinor: state.unitCostMinor, sourceLine: batch.lines[row], heldRecord: nil)
    }

    /// The item's first stock check after `date`: a stored one or one this file made (`made`,
    /// the writer's), whichever is earlier (`stored`, `own`: false where none can be after `date`).
    private func nextCheck(
        after date: String, of key: StockKey, stored: Bool = true, own: Bool = true, made: StockCheckList
    ) throws -> StockCheck? {
        var check = stored ? try checks.after(date, variant: key.variant, location: key.location) : nil
        if own, ownChecks == nil {
            var own: [StockKey: [String]] = [:]
            made.forEach { own[StockKey(variant: $0.variant, location: $0.location), default: []].append($0.at) }
            ownChecks = own
        }
        if own, let mine = ownChecks?[key]?.filter({ $0 > date }).min(), check.map({ mine < $0.at }) ?? true {
            check = StockCheck(at: mine, count: nil)
        }
        return check
    }

    /// Notes a movement's stock date (nil: when the run was recorded) in the latest one.
    private func noteStockDate(_ date: UnsafeBufferPointer<UInt8>?) {
        guard let date else {
            if !isRecordedAtNoted, latestStockDate.map({ $0.lexicographicallyPrecedes(recordedAt.utf8) }) ?? true {
                latestStockDate = Array(recordedAt.utf8)
            }
            isRecordedAtNoted = true
            return
        }
        guard var latest = latestStockDate else { return latestStockDate = Array(date) }
        guard latest.lexicographicallyPrecedes(date) else { return }
        // Replaced in place: a file in date order has a later date every row.
        latestStockDate = nil
        latest.replaceSubrange(0..<latest.count, with: date)
        latestStockDate = latest
    }

    /// Holds the row for a manager: `delta` is what approving posts; it moves no stock now.
    /// Held rows are written in batches, numbered as written; a receipt's order line finds its
    /// approval by the row's record once they are.
    public func hold(
        _ state: RowState, delta: Int64, of batch: PostingBatch, arena: UnsafePointer<UInt8>?, writer: inout BatchWriter
    ) throws {
        if heldRows == nil {
            heldRows = try db.approvalAppender(HeldFile(
                tenant: context.tenant, org: context.org, requestedBy: context.user, run: context.run, file: file,
                kind: reconciler.changeKind == .adjustment ? nil : reconciler.changeKind.code,
                isNegativeStockForbidden: reconciler.isNegativeStockForbidden, idsReadEachBatch: writer.receipts != nil))
        }
        if writer.receipts != nil, heldReceiptsAfter == nil {
            // Every id taken from here on is larger (a sequence, or SQLite's one writer).
            heldReceiptsAfter = try db.fetchValue(Int64.self, sql: "SELECT COALESCE(max(id), 0) FROM approval_requests") ?? 0
        }
        let row = state.row
        var setOnHand: Int64?
        if case .set(let target) = batch.changes[row] { setOnHand = target }
        try heldRows?.append(
            HeldRow(
                row: row, delta: delta, costImpactMinor: ApprovalPolicy.costImpact(delta: delta, unitCostMinor: batch.unitCosts[row]),
                setOnHand: setOnHand),
            of: batch, arena: arena)
        writer.receipts?.record(
            state.match, po: state.po, variant: batch.variants[row], location: batch.locations[row], quantity: delta,
            unitCostMinor: state.unitCostMinor, sourceLine: batch.lines[row], heldRecord: batch.records[row])
    }

    /// Notes a row that set on-hand (posted or unchanged): a stock check at its stock date,
    /// which a movement dated before it and posted later is absorbed at.
    public func noteCheck(_ state: RowState, of batch: PostingBatch, writer: inout BatchWriter) {
        let check = StockCheckRow(
            variant: batch.variants[state.row], location: batch.locations[state.row],
            at: batch.string(.occurredAt, of: state.row) ?? recordedAt)
        writer.checks.append(check)
        ownChecks?[StockKey(variant: check.variant, location: check.location), default: []].append(check.at)
        if ownLatestCheck.map({ $0.lexicographicallyPrecedes(check.at.utf8) }) ?? true { ownLatestCheck = Array(check.at.utf8) }
    }

    /// Remembers how the row's key ended, so that the same row again is a duplicate (a
    /// rejected row's key is not remembered).
    public func remember(_ state: RowState, outcome: Outcome, writer: inout BatchWriter) {
        writer.keys.record(row: state.row, digest: state.digest, outcome: outcome)
    }

    /// Records a row's rejections; the record stays outstanding for the next run.
    public func reject(record: Int, _ diagnostics: [Diagnostic]) throws {
        try rejections.append(diagnostics)
        rejectedRecords.append(record)
    }

    /// Records that a row of the file ended (not rejected): an earlier run's rejection of
    /// it is resolved.
    public func settle(_ record: Int) {
        if !knownOutstanding.isEmpty, knownOutstanding.contains(record) { resolvedRecords.append(record) }
    }

    // MARK: - Balances

    /// Writes each touched balance once, the file's record of outcomes, and the run's counts.
    public func finish(_ counts: OutcomeCounts) throws {
        // Written, and their room given back, before the ledger's last rows and the spans'
        // sums are, and the balances.
        try Store.recordChecks(&writer.checks, tenant: context.tenant, in: db)
        writer.checks = StockCheckList()
        try writer.ledger?.finish()
        var spans = writer.ledger?.spans ?? SpanBook()
        if !absorptions.isEmpty {
            // On-hand as if nothing were absorbed, from which `absorb` takes each back.
            var onHand: [StockKey: Int64] = [:]
            for absorption in absorptions {
                let key = StockKey(variant: absorption.variant, location: absorption.location)
                if onHand[key] == nil { onHand[key] = try writer.balances.onHand(variant: key.variant, location: key.location).onHand }
                onHand[key, default: 0] += absorption.delta
            }
            try Store.absorb(absorptions, posting: posting, after: mark, onHand: &onHand, spans: &spans, in: db)
            for (key, value) in onHand {
                let (slot, _) = try writer.balances.onHand(variant: key.variant, location: key.location)
                writer.balances.set(slot, value)
            }
        }
        try Store.recordSpans(spans, posting: posting, tenant: context.tenant, recordedAt: recordedAt, in: db)
        if writer.balances.isWhole {
            // From the book, before it is written; its copy here is gone by then (else the
            // write's draining would copy the book).
            try Store.keepCheckpointsIfDue(tenant: context.tenant, posting: posting, spans: spans, balances: .book(writer.balances.book, untouched: writer.balances.scanned), in: db)
            try writer.balances.write()
        } else {
            try writer.balances.write()
            try Store.keepCheckpointsIfDue(tenant: context.tenant, posting: posting, spans: spans, in: db)
        }
        try writer.keys.flush(in: db)
        try heldRows?.finish()
        try writer.receipts?.finish(db, run: context.run, file: file, heldAfter: heldReceiptsAfter)
        try rejections.finish()
        try db.resolveOutstanding(resolvedRecords, file: file)
        try db.keepOutstanding(rejectedRecords, file: file)
        try db.execute(sql: """
            UPDATE source_files SET rows = ?, last_run = ?,
                outstanding = (SELECT count(*) FROM outstanding_records WHERE file = ?)
            WHERE id = ?
            """, arguments: [counts.rows, context.run, file, file])
        try Store.addCounts(counts, toRun: context.run, in: db)
    }
}

/// The ledger statement, balances, keys and order lines a file's rows are written through,
/// lent to the posting loop a batch at a time (`FilePosting.withBatch`).
public struct BatchWriter {
    /// Nil only in the placeholder that holds `FilePosting`'s place while the writer is lent.
    var ledger: (any MovementAppending)?
    var balances: BalanceCache
    var keys: KeyBook
    /// Receipts only: the tenant's order lines, matched row by row.
    var receipts: ReceiptBook?
    /// Rows that set on-hand: stock checks, written at the end.
    var checks = StockCheckList()

    static var placeholder: BatchWriter { BatchWriter(ledger: nil, balances: .placeholder, keys: .placeholder, receipts: nil) }

    /// Asks for a valid row's balance ahead of its lookup.
    public func prefetch(row: Int, of batch: PostingBatch) { balances.prefetch(variant: batch.variants[row], location: batch.locations[row]) }
}
