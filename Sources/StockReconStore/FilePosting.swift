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

/// What posting one valid row did.
public enum PostResult: Sendable {
    case posted
    case pending
    case unchanged
    case duplicate
    case rejected(Diagnostic)
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
    /// What the posting loop writes through: lent out of `self` for each batch.
    private var writer: RowWriter
    private var resolvedRecords: [Int] = []
    private var rejectedRecords: [Int] = []
    private var rejections: RejectionWriter
    public let knownOutstanding: Set<Int>
    /// The natural keys the tenant used before this file (nil: too many to hold), for
    /// settling known rows before they are checked.
    public let knownKeys: KnownKeys?

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
        let posting = try db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user") VALUES (?, ?, ?, ?, ?)"#,
            arguments: [context.tenant, context.org, context.run, file, context.user])
        let onServer = db.dialect == .postgres
        writer = RowWriter(
            ledger: onServer ? nil : try LedgerAppender(db, posting: posting),
            copier: onServer ? try LedgerCopier(db, posting: posting) : nil,
            balances: try BalanceCache(db, tenant: context.tenant),
            keys: try KeyBook(db, tenant: context.tenant, run: context.run),
            receipts: try context.reconciler.receiving.map { try ReceiptBook(db, tenant: context.tenant, policy: $0) })
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

    // MARK: - Outcomes

    /// Posts a batch in order: valid rows are posted (or found duplicate, unchanged or in
    /// conflict), invalid rows recorded as rejections. Each row is counted once.
    public func post(_ batch: PostingBatch, into counts: inout OutcomeCounts, rejected: ([Diagnostic]) -> Void) throws {
        try withWriter { writer in try post(batch, into: &counts, writer: &writer, rejected: rejected) }
    }

    /// Lends the writer out of `self` for a loop: a local value is not checked for
    /// exclusive access on every row, as a class's stored property is.
    private func withWriter<T>(_ body: (inout RowWriter) throws -> T) rethrows -> T {
        var local = RowWriter.placeholder
        swap(&local, &writer)
        defer { swap(&local, &writer) }
        return try body(&local)
    }

    private func post(
        _ batch: PostingBatch, into counts: inout OutcomeCounts, writer: inout RowWriter, rejected: ([Diagnostic]) -> Void
    ) throws {
        try batch.arena.withUnsafeBufferPointer { arena in
            try writer.keys.claim(batch, arena: arena.baseAddress)
            let rows = batch.records.count
            for row in 0 ..< min(rows, Self.prefetchDistance) {
                writer.balances.prefetch(variant: batch.variants[row], location: batch.locations[row])
            }
            for entry in batch.entries {
                switch entry {
                case .settled:
                    counts.count(.duplicate)
                case .noChange(let record):
                    _ = settle(record, as: .unchanged)
                    counts.count(.unchanged)
                case .invalid(let record, let diagnostics):
                    try reject(record: record, diagnostics)
                    counts.count(.rejected)
                    rejected(diagnostics)
                case .valid(let row):
                    let ahead = row + Self.prefetchDistance
                    if ahead < rows { writer.balances.prefetch(variant: batch.variants[ahead], location: batch.locations[ahead]) }
                    switch try post(batch, row: row, arena: arena.baseAddress, writer: &writer) {
                    case .posted: counts.count(.posted)
                    case .pending: counts.count(.pending)
                    case .unchanged: counts.count(.unchanged)
                    case .duplicate: counts.count(.duplicate)
                    case .rejected(let diagnostic):
                        try reject(record: batch.records[row], [diagnostic])
                        counts.count(.rejected)
                        rejected([diagnostic])
                    }
                }
            }
            try writer.ledger?.flush(batch, arena: arena.baseAddress)
        }
        try writer.keys.writeEndedBlock(in: db)
    }

    /// How many rows ahead a balance is asked for: posting a row takes long enough for
    /// memory to answer a few rows ahead.
    static let prefetchDistance = 4

    private func post(
        _ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, writer: inout RowWriter
    ) throws -> PostResult {
        let record = batch.records[row]
        let key = batch.borrowed(.naturalKey, of: row, arena: arena)
        let earlier = writer.keys.earlier(row: row)
        let (slot, before) = try writer.balances.onHand(variant: batch.variants[row], location: batch.locations[row])
        let po = writer.receipts == nil ? nil : batch.string(.reference, of: row)?.trimmingCharacters(in: " \t")
        let order = writer.receipts?.line(po: po, variant: batch.variants[row], location: batch.locations[row])
        let fate = reconciler.decide(
            batch.changes[row], onHand: before, unitCostMinor: batch.unitCosts[row], adjustmentType: batch.type(of: row),
            earlier: earlier, digest: batch.digests[row], order: order?.line.state)
        let result: PostResult
        switch fate {
        case .duplicate:
            return settle(record, as: .duplicate)
        case .reject(let rejection):
            let at = SourceLocation(file: path, line: batch.lines[row], field: batch.quantityColumn(of: row))
            return .rejected(Reconciler.diagnostic(rejection, at: at, key: key?.string))
        case .unchanged:
            result = .unchanged
        case .hold(let delta):
            let approval = try requestApproval(batch, row: row, delta: delta)
            writer.receipts?.record(
                order, po: po, variant: batch.variants[row], location: batch.locations[row], quantity: delta,
                unitCostMinor: batch.unitCosts[row], sourceLine: batch.lines[row], approval: approval)
            result = .pending
        case .post(let kind, let delta):
            if writer.copier != nil {
                try writer.copier?.append(batch, row: row, arena: arena, kind: kind, delta: delta, before: before)
            } else {
                guard writer.ledger != nil else { throw SQLDecodingError(message: "the posting writer is lent out: posting re-entered") }
                try writer.ledger?.append(batch, row: row, arena: arena, kind: kind, delta: delta, before: before)
            }
            writer.balances.set(slot, before + delta)
            writer.receipts?.record(
                order, po: po, variant: batch.variants[row], location: batch.locations[row], quantity: delta,
                unitCostMinor: batch.unitCosts[row], sourceLine: batch.lines[row], approval: nil)
            result = .posted
        }
        // The key remembers how its row ended, so that the same row again is a duplicate.
        writer.keys.record(row: row, digest: batch.digests[row], outcome: fate.outcome)
        return settle(record, as: result)
    }

    /// Holds a valid row for a manager: it moves no stock until approved. Returns its id.
    private func requestApproval(_ batch: PostingBatch, row: Int, delta: Int64) throws -> Int64 {
        let cost = batch.unitCosts[row]
        // A held `set` keeps its target: approving posts target − on-hand then.
        var setOnHand: Int64?
        if case .set(let target) = batch.changes[row] { setOnHand = target }
        return try db.insert(sql: """
            INSERT INTO approval_requests (tenant, org, variant, location, quantity_delta, cost_impact_minor,
                adjustment_type, reason_code, reason_description, reference_id, unit_cost_minor, notes,
                occurred_at, idempotency_key, requested_by, run, file, source_line, record, kind, set_on_hand,
                negative_stock_forbidden)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                context.tenant, context.org, batch.variants[row], batch.locations[row], delta,
                ApprovalPolicy.costImpact(delta: delta, unitCostMinor: cost),
                batch.string(.adjustmentType, of: row), batch.string(.reasonCode, of: row),
                batch.string(.reasonDescription, of: row), batch.string(.reference, of: row), cost,
                batch.string(.notes, of: row), batch.string(.occurredAt, of: row), batch.string(.naturalKey, of: row),
                context.user, context.run, file, batch.lines[row], batch.records[row],
                reconciler.changeKind == .adjustment ? nil : reconciler.changeKind.code, setOnHand,
                reconciler.isNegativeStockForbidden,
            ])
    }

    /// Records a row's rejections; the record stays outstanding for the next run.
    public func reject(record: Int, _ diagnostics: [Diagnostic]) throws {
        try rejections.append(diagnostics)
        rejectedRecords.append(record)
    }

    private func settle(_ record: Int, as result: PostResult) -> PostResult {
        if !knownOutstanding.isEmpty, knownOutstanding.contains(record) { resolvedRecords.append(record) }
        return result
    }

    // MARK: - Balances

    /// Writes each touched balance once, the file's record of outcomes, and the run's counts.
    public func finish(_ counts: OutcomeCounts) throws {
        try writer.ledger?.finish()
        try writer.copier?.finish()
        try writer.balances.write()
        try writer.keys.flush(in: db)
        try writer.receipts?.write(db, tenant: context.tenant, run: context.run, file: file)
        try rejections.finish()
        try OutstandingRecords.resolve(resolvedRecords, file: file, in: db)
        try OutstandingRecords.keep(rejectedRecords, file: file, in: db)
        try db.execute(sql: """
            UPDATE source_files SET rows = ?, last_run = ?,
                outstanding = (SELECT count(*) FROM outstanding_records WHERE file = ?)
            WHERE id = ?
            """, arguments: [counts.rows, context.run, file, file])
        try Store.addCounts(counts, toRun: context.run, in: db)
    }
}

/// The ledger statement and the balances a file's rows are written through.
struct RowWriter {
    /// Nil only in the placeholder that holds `FilePosting`'s place while the writer is lent.
    var ledger: LedgerAppender?
    /// PostgreSQL's ledger writer, in place of `ledger`.
    var copier: LedgerCopier?
    var balances: BalanceCache
    var keys: KeyBook
    /// Receipts only: the tenant's order lines, matched row by row.
    var receipts: ReceiptBook?

    static var placeholder: RowWriter { RowWriter(ledger: nil, copier: nil, balances: .placeholder, keys: .placeholder, receipts: nil) }
}
