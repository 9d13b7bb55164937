import GRDB
import StockReconCore

/// A file already seen by this tenant: its id, rows, and how many still wait on a fix.
public struct KnownFile: Sendable {
    public var id: Int64
    public var rows: Int
    public var outstanding: Int
}

/// Who posts, for whom, in which run.
public struct PostingContext: Sendable {
    public var tenant: Int64
    public var tenantID: String
    public var org: Int64
    public var run: Int64
    public var user: Int64?

    public init(tenant: Int64, tenantID: String, org: Int64, run: Int64, user: Int64?) {
        self.tenant = tenant
        self.tenantID = tenantID
        self.org = org
        self.run = run
        self.user = user
    }
}

/// What posting one valid row did.
public enum PostResult: Sendable {
    case posted
    case unchanged
    case duplicate
    case rejected(Diagnostic)
}

/// Posts one file's rows inside the caller's transaction: appends movements, keeps
/// balances in memory and writes each touched balance once at the end, records
/// rejections and the file's outstanding records, so that a rerun redoes only those.
public final class FilePosting {
    let db: Database
    let context: PostingContext
    public let file: Int64
    let path: String
    private var balances = BalanceBook()
    private var resolvedRecords: [Int] = []
    private var rejectedRecords: [Int] = []
    private let insertMovement: Statement
    private let knownOutstanding: Set<Int>

    /// Opens posting for a file identified by its SHA-256; creates its `source_files` row on
    /// first sight. `knownOutstanding` are its records still rejected from earlier runs.
    public init(db: Database, context: PostingContext, sha256: String, path: String, format: String) throws {
        self.db = db
        self.context = context
        self.path = path
        if let known = try FilePosting.knownFile(tenant: context.tenant, sha256: sha256, in: db) {
            file = known.id
            knownOutstanding = Set(try Int.fetchAll(db, sql: "SELECT record FROM outstanding_records WHERE file = ?", arguments: [known.id]))
        } else {
            try db.execute(sql: """
                INSERT INTO source_files (tenant, sha256, path, format, rows, outstanding, first_run, last_run)
                VALUES (?, ?, ?, ?, 0, 0, ?, ?)
                """, arguments: [context.tenant, sha256, path, format, context.run, context.run])
            file = db.lastInsertedRowID
            knownOutstanding = []
        }
        insertMovement = try db.cachedStatement(sql: """
            INSERT INTO ledger (tenant, org, variant, location, kind, adjustment_type, quantity_delta,
                quantity_before, quantity_after, reason_code, reason_description, reference_id,
                unit_cost_minor, notes, occurred_at, user, run, file, source_line, record, idempotency_key)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """)
    }

    public static func knownFile(tenant: Int64, sha256: String, in db: Database) throws -> KnownFile? {
        try Row.fetchOne(db, sql: "SELECT id, rows, outstanding FROM source_files WHERE tenant = ? AND sha256 = ?", arguments: [tenant, sha256])
            .map { KnownFile(id: $0[0], rows: $0[1], outstanding: $0[2]) }
    }

    /// Whether a record of this file already ended (posted, pending or unchanged) in an
    /// earlier run, so that it is a duplicate now.
    public func isSettled(record: Int, isKnownFile: Bool) -> Bool {
        isKnownFile && !knownOutstanding.contains(record)
    }

    // MARK: - Outcomes

    public func post(_ adjustment: ValidAdjustment) throws -> PostResult {
        if let key = adjustment.naturalKey {
            if let earlier = try Row.fetchOne(
                db.cachedStatement(sql: "SELECT content_digest, outcome FROM idempotency_keys WHERE tenant = ? AND key = ?"),
                arguments: [context.tenant, key])
            {
                let digest: Int64 = earlier[0]
                if digest == adjustment.contentDigest { return settle(adjustment.record, as: .duplicate) }
                return .rejected(Diagnostic(
                    .conflictingDuplicate,
                    at: SourceLocation(file: path, line: adjustment.line, field: "idempotency_key"),
                    "this key was already \(earlier[1] as String) with different content: give a corrected row a new key, or post a reversal",
                    input: key))
            }
        }
        let (balanceKey, before) = try balance(adjustment.variant.id, adjustment.locationID)
        let delta: Int64
        let kind: Int64
        switch adjustment.change {
        case .delta(let change):
            delta = change
            kind = 1
        case .set(let onHand):
            delta = onHand - before
            kind = 2
        }
        if delta == 0 {
            try remember(adjustment, outcome: .unchanged, movement: nil)
            return settle(adjustment.record, as: .unchanged)
        }
        let after = before + delta
        try insertMovement.execute(arguments: [
            context.tenant, context.org, adjustment.variant.id, adjustment.locationID, kind,
            adjustment.adjustmentType, delta, before, after, adjustment.reasonCode,
            adjustment.reasonDescription, adjustment.reference, adjustment.unitCostMinor,
            adjustment.notes, adjustment.occurredAt, context.user, context.run, file,
            adjustment.line, adjustment.record, adjustment.naturalKey,
        ])
        balances.set(balanceKey, after)
        try remember(adjustment, outcome: .posted, movement: db.lastInsertedRowID)
        return settle(adjustment.record, as: .posted)
    }

    /// Records a row's rejections; the record stays outstanding for the next run.
    public func reject(record: Int, _ diagnostics: [Diagnostic]) throws {
        try Store.record(diagnostics, run: context.run, tenantID: context.tenantID, in: db)
        rejectedRecords.append(record)
    }

    private func settle(_ record: Int, as result: PostResult) -> PostResult {
        if knownOutstanding.contains(record) { resolvedRecords.append(record) }
        return result
    }

    private func remember(_ adjustment: ValidAdjustment, outcome: Outcome, movement: Int64?) throws {
        guard let key = adjustment.naturalKey else { return }
        try db.execute(sql: """
            INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, movement, run) VALUES (?, ?, ?, ?, ?, ?)
            """, arguments: [context.tenant, key, adjustment.contentDigest, outcome.rawValue, movement, context.run])
    }

    // MARK: - Balances

    private func balance(_ variant: Int64, _ location: Int64) throws -> (BalanceBook.Key, Int64) {
        let key = BalanceBook.Key(variant: variant, location: location)
        if let onHand = balances[key] { return (key, onHand) }
        let onHand = try Int64.fetchOne(
            db.cachedStatement(sql: "SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = ? AND location = ?"),
            arguments: [context.tenant, variant, location]) ?? 0
        balances.load(key, onHand)
        return (key, onHand)
    }

    /// Writes each touched balance once, the file's record of outcomes, and the run's counts.
    public func finish(_ counts: OutcomeCounts) throws {
        let upsert = try db.cachedStatement(sql: """
            INSERT INTO stock_levels (tenant, variant, location, on_hand) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, variant, location) DO UPDATE SET on_hand = excluded.on_hand
            """)
        for (key, onHand) in balances.changed {
            try upsert.execute(arguments: [context.tenant, key.variant, key.location, onHand])
        }
        let resolve = try db.cachedStatement(sql: "DELETE FROM outstanding_records WHERE file = ? AND record = ?")
        for record in resolvedRecords { try resolve.execute(arguments: [file, record]) }
        let keep = try db.cachedStatement(sql: "INSERT OR IGNORE INTO outstanding_records (file, record) VALUES (?, ?)")
        for record in rejectedRecords { try keep.execute(arguments: [file, record]) }
        try db.execute(sql: """
            UPDATE source_files SET rows = ?, last_run = ?,
                outstanding = (SELECT count(*) FROM outstanding_records WHERE file = ?)
            WHERE id = ?
            """, arguments: [counts.rows, context.run, file, file])
        try Store.addCounts(counts, toRun: context.run, in: db)
    }
}

/// On-hand per (variant, location) for the keys a file touches.
struct BalanceBook {
    struct Key: Hashable {
        var variant: Int64
        var location: Int64
    }

    private var onHand: [Key: Int64] = [:]
    private var touched: Set<Key> = []

    subscript(key: Key) -> Int64? { onHand[key] }

    mutating func load(_ key: Key, _ value: Int64) { onHand[key] = value }

    mutating func set(_ key: Key, _ value: Int64) {
        onHand[key] = value
        touched.insert(key)
    }

    var changed: [(Key, Int64)] { touched.compactMap { key in onHand[key].map { (key, $0) } } }
}
