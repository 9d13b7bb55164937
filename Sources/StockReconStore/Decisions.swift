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
    public var status: String
    /// The movement approving posted.
    public var movementID: Int64?
    public var runID: Int64
}

// MARK: - Approvals

extension Store {
    /// One tenant's approvals, newest last, optionally narrowed.
    public func approvals(tenantID: String, status: String?, variantID: String?) throws -> ResultTable {
        let columns = [
            "id", "status", "variant_id", "location_id", "quantity_delta", "cost_impact_minor", "adjustment_type",
            "requested_by", "decided_by", "decided_at", "note", "movement_id", "source_file", "source_line",
        ]
        let (sql, arguments) = Self.query(
            columns, from: "approvals", tenantID: tenantID, filters: [("status", status), ("variant_id", variantID)])
        return try table(sql: sql + " ORDER BY id", arguments: arguments, columns: columns)
    }

    /// Approves (posting the movement, attributed to the requester and the approver, in the
    /// same transaction) or rejects a pending approval. Only a manager of its tenant may.
    public func decide(approvalID: Int64, userID: String, note: String?, approve: Bool) throws -> Decision {
        try write("deciding approval \(approvalID)") { db in
            guard let request = try db.fetchOne(sql: """
                SELECT a.*, t.tenant_id AS tenant_text, o.org_id AS org_text, d.user_id AS decider
                FROM approval_requests a JOIN tenants t ON t.id = a.tenant JOIN catalog_orgs o ON o.id = a.org
                LEFT JOIN catalog_users d ON d.id = a.decided_by
                WHERE a.id = ?
                """, arguments: [approvalID])
            else { throw Refusal("there is no approval \(approvalID): see `stockrecon approvals list --tenant T`") }
            let tenant: Int64 = try request["tenant"]
            let status: String = try request["status"]
            guard status == ApprovalStatus.pending.rawValue else {
                let by: String = try request["decider"] ?? "someone"
                let at: String = try request["decided_at"] ?? "earlier"
                throw Refusal("approval \(approvalID) was already \(status.lowercased()) by \(by) at \(at): a decision is final; post a reversal to undo a movement")
            }
            let decider = try Store.user(userID, tenant: tenant, tenantID: request["tenant_text"], in: db)
            guard decider.role == .manager else {
                throw Refusal("user \(userID) is \(decider.role.rawValue): only a manager may approve or reject")
            }
            let command = RunCommand(approve ? .approve : .reject)
            let run = try Store.beginRun(tenant: tenant, orgID: request["org_text"], command: command, in: db)
            let kind = (try request["kind"] as Int64?).flatMap(MovementKind.init(code:)) ?? .adjustment
            var movement: Int64?
            if kind == .receipt { try Store.decideReceipt(approvalID: approvalID, approve: approve, in: db) }
            if approve {
                movement = try Store.postSingle(SingleMovement(
                    tenant: tenant, org: request["org"], run: run, file: request["file"], user: request["requested_by"],
                    approvedBy: decider.id, variant: request["variant"], location: request["location"], kind: kind,
                    delta: request["quantity_delta"], adjustmentType: request["adjustment_type"],
                    reasonCode: request["reason_code"], reasonDescription: request["reason_description"],
                    reference: request["reference_id"], unitCostMinor: request["unit_cost_minor"], notes: request["notes"],
                    occurredAt: request["occurred_at"], sourceLine: request["source_line"], record: request["record"],
                    idempotencyKey: request["idempotency_key"], reverses: nil), in: db)
                if let key: String = try request["idempotency_key"] {
                    try db.execute(
                        sql: "UPDATE idempotency_keys SET outcome = '\(Outcome.posted.rawValue)', movement = ? WHERE tenant = ? AND key = ?",
                        arguments: [movement, tenant, key])
                }
                try Store.addCounts(OutcomeCounts(rows: 1, posted: 1), toRun: run, in: db)
            }
            let newStatus = (approve ? ApprovalStatus.approved : .rejected).rawValue
            try db.execute(sql: """
                UPDATE approval_requests SET status = ?, decided_by = ?, decided_at = ?, note = ?, movement_id = ?
                WHERE id = ?
                """, arguments: [newStatus, decider.id, Store.now(), note, movement, approvalID])
            try Store.finishRun(run, in: db)
            return Decision(approvalID: approvalID, status: newStatus, movementID: movement, runID: run)
        }
    }

    /// A user of the tenant, or a refusal naming how to add one.
    /// A user of the tenant's catalog, or a refusal that says how to load one.
    public static func user(_ userID: String, tenant: Int64, tenantID: String, in db: any SQLConnection) throws -> Catalog.User {
        guard let row = try db.fetchOne(sql: "SELECT id, role FROM catalog_users WHERE tenant = ? AND user_id = ?", arguments: [tenant, userID]),
              let role = Catalog.Role(rawValue: try row[1])
        else {
            throw Refusal("user \(userID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) USERS.csv`")
        }
        return Catalog.User(id: try row[0], userID: userID, role: role)
    }
}

extension Store {
    /// A held receipt decided: approving counts it as received on its order line; either way
    /// its receipt line says how it ended.
    static func decideReceipt(approvalID: Int64, approve: Bool, in db: any SQLConnection) throws {
        try db.execute(
            sql: "UPDATE receipt_lines SET status = ? WHERE approval = ?", arguments: [approve ? "posted" : "refused", approvalID])
        guard approve else { return }
        try db.execute(sql: """
            UPDATE order_lines SET quantity_received = quantity_received + (SELECT quantity FROM receipt_lines WHERE approval = ?)
            WHERE id = (SELECT order_line FROM receipt_lines WHERE approval = ?)
            """, arguments: [approvalID, approvalID])
    }
}

// MARK: - Reversals

extension Store {
    /// Posts the opposite of a movement, once. A movement of another tenant is not found.
    public func reverse(movementID: Int64, tenantID: String, userID: String, reason: String) throws -> (movementID: Int64, runID: Int64) {
        try write("reversing movement \(movementID)") { db in
            guard let tenant = try db.fetchValue(Int64.self, sql: "SELECT id FROM tenants WHERE tenant_id = ?", arguments: [tenantID]),
                  let original = try db.fetchOne(sql: """
                      SELECT l.*, p.org, o.org_id AS org_text FROM ledger l JOIN postings p ON p.id = l.posting
                      JOIN catalog_orgs o ON o.id = p.org
                      WHERE l.id = ? AND p.tenant = ?
                      """, arguments: [movementID, tenant])
            else { throw Refusal("tenant \(tenantID) has no movement \(movementID): see `stockrecon movements --tenant \(tenantID)`") }
            if let earlier = try db.fetchValue(Int64.self, sql: "SELECT id FROM ledger WHERE reverses_id = ?", arguments: [movementID]) {
                throw Refusal("movement \(movementID) was already reversed by movement \(earlier): a movement is reversed at most once")
            }
            let user = try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db)
            let run = try Store.beginRun(tenant: tenant, orgID: original["org_text"], command: RunCommand(.reverse), in: db)
            let delta: Int64 = try original["quantity_delta"]
            let reversal = try Store.postSingle(SingleMovement(
                tenant: tenant, org: original["org"], run: run, file: nil, user: user.id, approvedBy: nil,
                variant: original["variant"], location: original["location"], kind: .reversal, delta: -delta,
                adjustmentType: nil, reasonCode: reason, reasonDescription: nil, reference: original["reference_id"],
                unitCostMinor: original["unit_cost_minor"], notes: nil, occurredAt: nil, sourceLine: nil, record: nil,
                idempotencyKey: nil, reverses: movementID), in: db)
            try Store.addCounts(OutcomeCounts(rows: 1, posted: 1), toRun: run, in: db)
            try Store.finishRun(run, in: db)
            return (reversal, run)
        }
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

extension Store {
    /// The first of `count` consecutive ledger ids taken for movements about to be appended
    /// (PostgreSQL, whose ids come from a sequence every process shares); nil on SQLite,
    /// where a NULL id is the next rowid of the one writer.
    static func takeLedgerIDs(_ count: Int, in db: any SQLConnection) throws -> Int64? {
        guard db.dialect == .postgres, count > 0 else { return nil }
        return try db.fetchValue(Int64.self, sql: "SELECT stockrecon_take_ledger_ids(?)", arguments: [count])
    }

    /// Appends one movement with its own posting row, reading and writing its balance.
    static func postSingle(_ movement: SingleMovement, in db: any SQLConnection) throws -> Int64 {
        try db.lockLedger(tenant: movement.tenant)
        let posting = try db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user", approved_by) VALUES (?, ?, ?, ?, ?, ?)"#,
            arguments: [movement.tenant, movement.org, movement.run, movement.file, movement.user, movement.approvedBy])
        let before = try db.fetchValue(
            Int64.self, sql: "SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = ? AND location = ?",
            arguments: [movement.tenant, movement.variant, movement.location]) ?? 0
        let id = try db.insert(sql: """
            INSERT INTO ledger (id, posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor,
                source_line, record, reference_id, notes, reason_code, reason_description, adjustment_type,
                occurred_at, idempotency_key, reverses_id)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [
                try takeLedgerIDs(1, in: db), posting, movement.variant, movement.location, movement.kind.code, movement.delta, before,
                movement.unitCostMinor, movement.sourceLine, movement.record, movement.reference, movement.notes,
                movement.reasonCode, movement.reasonDescription, movement.adjustmentType, movement.occurredAt,
                movement.idempotencyKey, movement.reverses,
            ])
        try VariantMovements.record(variant: movement.variant, id: id, in: db)
        try db.execute(sql: """
            INSERT INTO stock_levels (tenant, variant, location, on_hand) VALUES (?, ?, ?, ?)
            ON CONFLICT (tenant, variant, location) DO UPDATE SET on_hand = excluded.on_hand
            """, arguments: [movement.tenant, movement.variant, movement.location, before + movement.delta])
        return id
    }
}
