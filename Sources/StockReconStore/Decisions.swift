import StockReconCore

/// A request the ledger's rules refuse (an unknown or staff user, a decided approval, a
/// movement already reversed or not the tenant's): nothing was changed.
public struct Refusal: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// What deciding an approval did.
public struct Decision: Sendable {
    public var approvalID: Int64
    public var status: ApprovalStatus
    /// The movement approving posted.
    public var movementID: Int64?
    public var runID: Int64
}

// MARK: - Approvals

extension Store {
    /// The columns of `approvals list`.
    public static let approvalColumns = [
        "id", "status", "variant_id", "location_id", "quantity_delta", "cost_impact_minor", "adjustment_type",
        "requested_by", "decided_by", "decided_at", "note", "movement_id", "source_file", "source_line",
    ]

    /// One tenant's approvals, newest last, optionally narrowed, a row at a time in
    /// `approvalColumns` (a million held rows listed whole took 1.1 GB).
    public func forEachApproval(tenantID: String, status: ApprovalStatus?, variantID: String?, _ body: ([TableValue]) throws -> Void) throws {
        let (sql, arguments) = Self.query(
            Self.approvalColumns, from: "approvals", tenantID: tenantID, filters: [("status", status?.rawValue), ("variant_id", variantID)])
        try forEachTableRow(sql: sql + " ORDER BY id", arguments: arguments, columns: Self.approvalColumns.count, body)
    }

    /// Approves (deciding the held change again, against on-hand now and the rules it was held
    /// under, and posting it attributed to the requester and the approver) or rejects a
    /// pending approval of `tenantID`. Only a manager of it may. The tenant's lock is taken
    /// before the approval's state is read: of two managers deciding at once, the second sees
    /// the first's decision and is refused as a second attempt is.
    public func decide(approvalID: Int64, tenantID: String, userID: String, note: String?, approve: Bool) throws -> Decision {
        try write("deciding approval \(approvalID)") { db in
            let missing = Refusal("tenant \(tenantID) has no approval \(approvalID): see `stockrecon approvals list --tenant \(tenantID)`")
            guard let tenant = try Store.existingTenant(tenantID, in: db),
                  try db.fetchValue(Int64.self, sql: "SELECT id FROM approval_requests WHERE id = ? AND tenant = ?", arguments: [approvalID, tenant]) != nil
            else { throw missing }
            try db.lockLedger(tenant: tenant)
            // Who may decide is settled before anything about the decision is said.
            let decider = try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db)
            guard decider.role == .manager else {
                throw Refusal("user \(userID) is \(decider.role.rawValue): only a manager may approve or reject")
            }
            guard let request = try db.fetchOne(sql: """
                SELECT a.*, o.org_id AS org_text, d.user_id AS decider
                FROM approval_requests a JOIN catalog_orgs o ON o.id = a.org LEFT JOIN catalog_users d ON d.id = a.decided_by
                WHERE a.id = ? AND a.tenant = ?
                """, arguments: [approvalID, tenant])
            else { throw missing }
            let stored: String = try request["status"]
            guard let status = ApprovalStatus(rawValue: stored) else {
                throw SQLDecodingError(message: "approval \(approvalID) is damaged: its status \(stored) is none that stockrecon knows")
            }
            guard status == .pending else {
                let by: String = try request["decider"] ?? "someone"
                let at: String = try request["decided_at"] ?? "earlier"
                throw Refusal("approval \(approvalID) was already \(status.rawValue.lowercased()) by \(by) at \(at): a decision is final; post a reversal to undo a movement")
            }
            let held = try HeldChange(request)
            let run = try Store.beginRun(
                tenant: tenant, orgID: request["org_text"], command: RunCommand(approve ? .approve : .reject), in: db)
            var movement: Int64?
            if approve {
                let onHand = try Store.onHand(tenant: tenant, variant: held.variant, location: held.location, in: db)
                var (then, day): (Int64, String?) = (onHand, nil)
                if let date: String = try request["occurred_at"], let latest = try Store.latestDates(tenant: tenant, in: db).stockDate, date < latest,
                   let dated = try Store.onHandThen(
                       held.change, variant: held.variant, location: held.location, date: date,
                       isNegativeStockForbidden: held.reconciler.isNegativeStockForbidden, tenant: tenant, in: db) {
                    (then, day) = dated
                }
                var outcome = Outcome.unchanged
                switch held.reconciler.decide(held.change, onHand: then, unitCostMinor: nil, adjustmentType: nil) {
                case .reject(.negativeStock(let onHand, let delta)):
                    let when = day.map { " on \($0), when it is dated," } ?? ""
                    throw Refusal("approval \(approvalID) would take on-hand\(when) from \(onHand) to \(onHand + delta), and negative stock was forbidden when it was held: it stays pending; post the missing receipt or count the stock first, or reject it")
                case .post(let kind, let delta):
                    outcome = .posted
                    movement = try Store.postSingle(held.movement(run: run, kind: kind, delta: delta, approvedBy: decider.id), onHand: onHand, in: db)
                case .unchanged, .duplicate, .hold, .reject:
                    break
                }
                if let key = held.idempotencyKey {
                    try db.execute(
                        sql: "UPDATE idempotency_keys SET outcome = ?, movement = ? WHERE tenant = ? AND key = ?",
                        arguments: [outcome.rawValue, movement, tenant, key])
                }
                try Store.addCounts(OutcomeCounts(rows: 1, posted: outcome == .posted ? 1 : 0, unchanged: outcome == .unchanged ? 1 : 0), toRun: run, in: db)
            }
            if held.kind == .receipt { try Store.decideReceipt(approvalID: approvalID, approve: approve, in: db) }
            let newStatus: ApprovalStatus = approve ? .approved : .rejected
            // Guarded by the state decided on: a decision taken meanwhile leaves nothing to update.
            guard try db.fetchValue(Int64.self, sql: """
                UPDATE approval_requests SET status = ?, decided_by = ?, decided_at = ?, note = ?, movement_id = ?
                WHERE id = ? AND status = 'PENDING' RETURNING id
                """, arguments: [newStatus.rawValue, decider.id, Store.now(), note, movement, approvalID]) != nil
            else { throw Refusal("approval \(approvalID) was decided meanwhile: a decision is final") }
            try Store.finishRun(run, in: db)
            return Decision(approvalID: approvalID, status: newStatus, movementID: movement, runID: run)
        }
    }

    /// The tenant's internal id, nil when no such tenant was ever loaded.
    static func existingTenant(_ tenantID: String, in db: any SQLConnection) throws -> Int64? {
        try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenantID])
    }

    /// On-hand of a variant at a location, 0 where nothing was ever posted.
    static func onHand(tenant: Int64, variant: Int64, location: Int64, in db: any SQLConnection) throws -> Int64 {
        try db.fetchValue(
            Int64.self, sql: "SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = ? AND location = ?",
            arguments: [tenant, variant, location]) ?? 0
    }

    /// A user of the tenant's catalog, or a refusal that says how to load one.
    public static func user(_ userID: String, tenant: Int64, tenantID: String, in db: any SQLConnection) throws -> Catalog.User {
        guard let row = try db.fetchOne(sql: "SELECT id, role FROM catalog_users WHERE tenant = ? AND user_id = ?", arguments: [tenant, userID]) else {
            throw Refusal("user \(userID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) USERS.csv`")
        }
        return Catalog.User(id: try row["id"], userID: userID, role: try stored(Catalog.Role.self, row["role"], in: "catalog_users"))
    }
}

extension Store {
    /// A held receipt decided: approving counts it as received on its order line; either way
    /// its receipt line says how it ended.
    static func decideReceipt(approvalID: Int64, approve: Bool, in db: any SQLConnection) throws {
        try db.execute(
            sql: "UPDATE receipt_lines SET status = ? WHERE approval = ?", arguments: [(approve ? ReceiptLineState.posted : .refused).rawValue, approvalID])
        guard approve else { return }
        try db.execute(sql: """
            UPDATE order_lines SET quantity_received = quantity_received + (SELECT quantity FROM receipt_lines WHERE approval = ?)
            WHERE id = (SELECT order_line FROM receipt_lines WHERE approval = ?)
            """, arguments: [approvalID, approvalID])
    }
}

// MARK: - Reversals

extension Store {
    /// Posts the opposite of a movement, once. A movement of another tenant is not found. The
    /// tenant's lock is taken before "already reversed" is asked, and the schema allows one
    /// reversal a movement, so that two reversing at once post one.
    public func reverse(movementID: Int64, tenantID: String, userID: String, reason: String) throws -> (movementID: Int64, runID: Int64) {
        try write("reversing movement \(movementID)") { db in
            let missing = Refusal("tenant \(tenantID) has no movement \(movementID): see `stockrecon movements --tenant \(tenantID)`")
            guard let tenant = try Store.existingTenant(tenantID, in: db) else { throw missing }
            try db.lockLedger(tenant: tenant)
            guard let original = try db.fetchOne(sql: """
                SELECT l.*, p.org, o.org_id AS org_text, \(Self.stockDateOfMovement) FROM ledger l JOIN postings p ON p.id = l.posting
                JOIN catalog_orgs o ON o.id = p.org JOIN run_log rl ON rl.id = p.run
                WHERE l.id = ? AND p.tenant = ?
                """, arguments: [movementID, tenant])
            else { throw missing }
            let user = try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db)
            if let earlier = try db.fetchValue(Int64.self, sql: "SELECT id FROM ledger WHERE reverses_id = ?", arguments: [movementID]) {
                throw Refusal("movement \(movementID) was already reversed by movement \(earlier): a movement is reversed at most once")
            }
            let run = try Store.beginRun(tenant: tenant, orgID: original["org_text"], command: RunCommand(.reverse), in: db)
            let reversal = try Store.postReversal(of: original, tenant: tenant, run: run, user: user.id, reason: reason, in: db)
            try Store.addCounts(OutcomeCounts(rows: 1, posted: 1), toRun: run, in: db)
            try Store.finishRun(run, in: db)
            return (reversal, run)
        }
    }

    /// What undoing a run did: the reversals posted, and the run's movements already reversed before.
    public struct RunReversal: Sendable {
        public var runID: Int64
        public var reversals: Int
        public var alreadyReversed: Int
    }

    /// Reverses every movement run `runID` posted that is not reversed yet, in one transaction:
    /// the way back from a wrong import. Refused when nothing of the run is left to reverse.
    /// The movements are read a page at a time: a run of a million read at once took 1.4 GB.
    public func reverse(runID: Int64, tenantID: String, userID: String, reason: String) throws -> RunReversal {
        try write("reversing run \(runID)") { db in
            let missing = Refusal("tenant \(tenantID) has no run \(runID): see `stockrecon runs --tenant \(tenantID)`")
            guard let tenant = try Store.existingTenant(tenantID, in: db) else { throw missing }
            try db.lockLedger(tenant: tenant)
            guard let orgID = try db.fetchOne(sql: "SELECT org_id FROM run_log WHERE id = ? AND tenant = ?", arguments: [runID, tenant])
            else { throw missing }
            let user = try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db)
            guard let counted = try db.fetchOne(sql: """
                SELECT count(*), count(r.id), min(l.id), max(l.id) FROM ledger l JOIN postings p ON p.id = l.posting
                LEFT JOIN ledger r ON r.reverses_id = l.id WHERE p.run = ? AND p.tenant = ?
                """, arguments: [runID, tenant])
            else { throw missing }
            let (movements, reversedBefore): (Int, Int) = (try counted[0], try counted[1])
            let (firstID, lastID): (Int64?, Int64?) = (try counted[2], try counted[3])
            guard movements > reversedBefore, let firstID, let lastID else {
                throw Refusal(movements == 0
                    ? "run \(runID) posted no movements: there is nothing to reverse"
                    : "every movement of run \(runID) was already reversed: a movement is reversed at most once")
            }
            let run = try Store.beginRun(tenant: tenant, orgID: orgID[0], command: RunCommand(.reverse), in: db)
            let recordedAt = try Store.recordedAt(run: run, in: db)
            let latestCheck = try Store.latestDates(tenant: tenant, in: db).check
            var reversals = 0
            // A window of ids at a time: asked for the next page after an id, PostgreSQL read the
            // whole ledger's range for each (it takes a run's postings for a sliver of it).
            var low = firstID
            while low <= lastID {
                let high = lastID - low < Int64(Self.reversalPage) ? lastID : low + Int64(Self.reversalPage) - 1
                let page = try db.fetchAll(sql: """
                    SELECT l.id, l.variant, l.location, l.quantity_delta, l.unit_cost_minor, l.reference_id, p.org, \(Self.stockDateOfMovement)
                    FROM ledger l JOIN postings p ON p.id = l.posting JOIN run_log rl ON rl.id = p.run
                    WHERE p.run = ? AND p.tenant = ? AND l.id BETWEEN ? AND ? AND NOT EXISTS (SELECT 1 FROM ledger r WHERE r.reverses_id = l.id)
                    ORDER BY l.id
                    """, arguments: [runID, tenant, low, high])
                // A posting for each stretch of one org's movements (a run's are all its org's).
                var start = 0
                while start < page.count {
                    let org: Int64 = try page[start]["org"]
                    var end = start + 1
                    while end < page.count, try page[end]["org"] as Int64 == org { end += 1 }
                    try Store.postReversals(
                        of: page[start..<end], tenant: tenant, org: org, run: run, user: user.id, reason: reason, recordedAt: recordedAt,
                        latestCheck: latestCheck, in: db)
                    start = end
                }
                reversals += page.count
                low = high + 1
            }
            try Store.addCounts(OutcomeCounts(rows: reversals, posted: reversals), toRun: run, in: db)
            try Store.finishRun(run, in: db)
            return RunReversal(runID: run, reversals: reversals, alreadyReversed: reversedBefore)
        }
    }

    /// Ledger ids a run's reversal reads at once, at most as many movements (tests lower it).
    @TaskLocal static var reversalPage = 10_000

    /// A ledger row's stock date, for the reversals' reads (`l` the ledger, `rl` its run). A
    /// reversal takes its movement's, so that history before a stock check is undone before it
    /// (and absorbed at it, as the movement was).
    static let stockDateOfMovement = "COALESCE(l.occurred_at, rl.started_at) AS stock_date"

    /// Posts the opposite of each of `originals` (ledger rows of `org`, in id order) in one
    /// posting, as `postReversal` does one: each decided against the on-hand the ones before it
    /// left, dated as its movement, the balances read once and written once, the ledger rows
    /// appended together. A reversal dated before a stock check of its item is absorbed at it,
    /// after the posting's reversals, as a file's rows are. A run of a million, a posting a
    /// movement, took a minute.
    static func postReversals(
        of originals: ArraySlice<SQLRow>, tenant: Int64, org: Int64, run: Int64, user: Int64, reason: String, recordedAt: String,
        latestCheck: String?, in db: any SQLConnection
    ) throws {
        guard !originals.isEmpty else { return }
        let posting = try db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user", approved_by) VALUES (?, ?, ?, ?, ?, ?)"#,
            arguments: [tenant, org, run, Int64?.none, user, Int64?.none])
        let items = try originals.map { StockKey(variant: try $0["variant"], location: try $0["location"]) }
        var onHand = try balances(of: items, tenant: tenant, in: db)
        let firstID = try db.takeLedgerIDs(originals.count) ?? lastLedgerID(in: db) + 1
        // Plain inserts of new ids, each reversing a movement not reversed (the unique index
        // holds that): the guard against REPLACE checked both a row.
        try db.liftLedgerReplaceGuard()
        let ledger = try RowInserter(db, table: "ledger", columns: [
            "id", "posting", "variant", "location", "kind", "quantity_delta", "quantity_before", "unit_cost_minor", "reference_id",
            "reason_code", "occurred_at", "reverses_id",
        ])
        var runs = VariantMovements.Runs(db)
        var spans = SpanBook()
        var absorptions: [Absorption] = []
        for (offset, (original, key)) in zip(originals, items).enumerated() {
            let before = onHand[key] ?? 0
            let (kind, change) = try reversalChange(of: original, onHand: before)
            let id = firstID + Int64(offset)
            let date: String = try original["stock_date"]
            let (cost, reference, reversed): (Int64?, String?, Int64) = (try original["unit_cost_minor"], try original["reference_id"], try original["id"])
            try ledger.append([id, posting, key.variant, key.location, kind.code, change, before, cost, reference, reason, date, reversed])
            try runs.add(variant: key.variant, id: id)
            spans.note(date: date, variant: key.variant, location: key.location, delta: change)
            onHand[key] = before + change
            if let latestCheck, date < latestCheck, let check = try checkAfter(tenant: tenant, variant: key.variant, location: key.location, date: date, in: db) {
                absorptions.append(Absorption(record: nil, id: id, variant: key.variant, location: key.location, delta: change, stockDate: date, check: check))
            }
        }
        try ledger.finish()
        try runs.flush()
        spans.noteIDs(firstID...(firstID + Int64(originals.count) - 1))
        try absorb(absorptions, posting: posting, after: firstID - 1, onHand: &onHand, spans: &spans, in: db)
        // In key order: in the ledger's, each balance was a seek to another page of the table.
        try db.setBalances(
            onHand.map { (variant: $0.key.variant, location: $0.key.location, onHand: $0.value) }.sorted { ($0.variant, $0.location) < ($1.variant, $1.location) },
            tenant: tenant)
        try recordSpans(spans, posting: posting, tenant: tenant, recordedAt: recordedAt, in: db)
    }

    /// The stored on-hand of `items` (those with a balance), their variants asked for
    /// 10,000 at a time.
    static func balances(of items: [StockKey], tenant: Int64, in db: any SQLConnection) throws -> [StockKey: Int64] {
        let wanted = Set(items)
        let variants = Array(Set(items.map(\.variant))).sorted()
        var found: [StockKey: Int64] = [:]
        for start in stride(from: 0, to: variants.count, by: 10_000) {
            let chunk = variants[start..<min(start + 10_000, variants.count)]
            // A cursor's statement is not kept: each list of ids would stay in SQLite's cache (100 MB for a million).
            try db.forEachRow(sql: """
                SELECT variant, location, on_hand FROM stock_levels WHERE tenant = ? AND variant IN (\(chunk.map(String.init).joined(separator: ",")))
                """, arguments: [tenant]) { row in
                let key = StockKey(variant: try row["variant"], location: try row["location"])
                if wanted.contains(key) { found[key] = try row["on_hand"] }
            }
        }
        return found
    }

    /// The opposite of a ledger row against `onHand`, decided as every change is.
    private static func reversalChange(of original: SQLRow, onHand: Int64) throws -> (kind: MovementKind, change: Int64) {
        let delta: Int64 = try original["quantity_delta"]
        guard case .post(let kind, let change) = Reconciler.reversing.decide(.delta(-delta), onHand: onHand, unitCostMinor: nil, adjustmentType: nil) else {
            throw SQLDecodingError(message: "movement \(try original["id"] as Int64) is damaged: it moved no stock, so there is nothing to reverse")
        }
        return (kind, change)
    }

    /// Posts the opposite of a ledger row (with its posting's org), decided as every change is.
    static func postReversal(of original: SQLRow, tenant: Int64, run: Int64, user: Int64, reason: String, in db: any SQLConnection) throws -> Int64 {
        let (variant, location): (Int64, Int64) = (try original["variant"], try original["location"])
        let onHand = try onHand(tenant: tenant, variant: variant, location: location, in: db)
        let (kind, change) = try reversalChange(of: original, onHand: onHand)
        let reversal = try SingleMovement(
            tenant: tenant, org: original["org"], run: run, file: nil, user: user, approvedBy: nil,
            variant: variant, location: location, kind: kind, delta: change,
            adjustmentType: nil, reasonCode: reason, reasonDescription: nil, reference: original["reference_id"],
            unitCostMinor: original["unit_cost_minor"], notes: nil, occurredAt: original["stock_date"],
            sourceLine: nil, record: nil, idempotencyKey: nil, reverses: original["id"])
        return try postSingle(reversal, onHand: onHand, in: db)
    }
}

// MARK: - One movement at a time

/// A movement posted on its own (an approval, a reversal), not from a file's batch.
struct SingleMovement {
    var tenant: Int64
    var org: Int64
    var run: Int64
    var file: Int64?
    var user: Int64?
    var approvedBy: Int64?
    var variant: Int64
    var location: Int64
    var kind: MovementKind
    var delta: Int64
    var adjustmentType: String?
    var reasonCode: String?
    var reasonDescription: String?
    var reference: String?
    var unitCostMinor: Int64?
    var notes: String?
    var occurredAt: String?
    var sourceLine: Int?
    var record: Int?
    var idempotencyKey: String?
    var reverses: Int64?
}

/// A held row as stored: the change as written (a `set` stays "set to N") and the rules it
/// was held under, decided again when a manager approves it.
struct HeldChange {
    var variant: Int64
    var location: Int64
    var kind: MovementKind
    var change: StockChange
    var reconciler: Reconciler
    var idempotencyKey: String?
    private var request: SQLRow

    init(_ request: SQLRow) throws {
        self.request = request
        variant = try request["variant"]
        location = try request["location"]
        // NULL is a plain adjustment (`requestApproval`); a code no kind has is a damaged row.
        kind = try (try request["kind"] as Int64?).map(Store.movementKind) ?? .adjustment
        let setTo: Int64? = try request["set_on_hand"]
        let delta: Int64 = try request["quantity_delta"]
        change = setTo.map { .set(onHand: $0) } ?? .delta(delta)
        let forbidden: Bool = try request["negative_stock_forbidden"]
        reconciler = Reconciler(approval: .never, isNegativeStockForbidden: forbidden, changeKind: kind)
        idempotencyKey = try request["idempotency_key"]
    }

    /// The movement approving posts, attributed to the requester and the approver.
    func movement(run: Int64, kind: MovementKind, delta: Int64, approvedBy: Int64) throws -> SingleMovement {
        try SingleMovement(
            tenant: request["tenant"], org: request["org"], run: run, file: request["file"], user: request["requested_by"],
            approvedBy: approvedBy, variant: variant, location: location, kind: kind, delta: delta,
            adjustmentType: request["adjustment_type"], reasonCode: request["reason_code"],
            reasonDescription: request["reason_description"], reference: request["reference_id"],
            unitCostMinor: request["unit_cost_minor"], notes: request["notes"], occurredAt: request["occurred_at"],
            sourceLine: request["source_line"], record: request["record"], idempotencyKey: idempotencyKey, reverses: nil)
    }
}

extension Store {
    /// Appends one movement with its own posting row and writes its balance; `before` is the
    /// on-hand its decision read, under the tenant's lock.
    static func postSingle(_ movement: SingleMovement, onHand before: Int64, in db: any SQLConnection) throws -> Int64 {
        try db.lockLedger(tenant: movement.tenant)
        let posting = try db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user", approved_by) VALUES (?, ?, ?, ?, ?, ?)"#,
            arguments: [movement.tenant, movement.org, movement.run, movement.file, movement.user, movement.approvedBy])
        let id = try db.insert(sql: """
            INSERT INTO ledger (id, posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor,
                source_line, record, reference_id, notes, reason_code, reason_description, adjustment_type,
                occurred_at, idempotency_key, reverses_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                try db.takeLedgerIDs(1), posting, movement.variant, movement.location, movement.kind.code, movement.delta, before,
                movement.unitCostMinor, movement.sourceLine, movement.record, movement.reference, movement.notes,
                movement.reasonCode, movement.reasonDescription, movement.adjustmentType, movement.occurredAt,
                movement.idempotencyKey, movement.reverses,
            ])
        try VariantMovements.record(variant: movement.variant, id: id, in: db)
        let recordedAt = try recordedAt(run: movement.run, in: db)
        let date = movement.occurredAt ?? recordedAt
        var spans = SpanBook()
        spans.note(date: date, variant: movement.variant, location: movement.location, delta: movement.delta)
        spans.noteIDs(id...id)
        let key = StockKey(variant: movement.variant, location: movement.location)
        var onHand = [key: before + movement.delta]
        if let check = try checkAfter(tenant: movement.tenant, variant: movement.variant, location: movement.location, date: date, in: db) {
            let absorption = Absorption(
                record: nil, id: id, variant: movement.variant, location: movement.location, delta: movement.delta, stockDate: date, check: check)
            try absorb([absorption], posting: posting, after: id, onHand: &onHand, spans: &spans, in: db)
        }
        try db.execute(sql: """
            INSERT INTO stock_levels (tenant, variant, location, on_hand) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, variant, location) DO UPDATE SET on_hand = excluded.on_hand
            """, arguments: [movement.tenant, movement.variant, movement.location, onHand[key] ?? 0])
        try recordSpans(spans, posting: posting, tenant: movement.tenant, recordedAt: recordedAt, in: db)
        return id
    }
}
