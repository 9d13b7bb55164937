import StockReconCore

/// A stock check: a completed count's item, or an imported row that set on-hand. A movement
/// dated before it and posted after it is absorbed there (`Store.absorb`).
package struct StockCheck: Sendable {
    package var at: String
    /// The count that found it; nil for an imported row.
    package var count: Int64?
}

/// The stock checks of items, read once an item and kept: a file of backdated rows names the
/// same items again and again.
final class StockChecks {
    private let db: any SQLConnection
    private let tenant: Int64
    private var ofItem: [StockKey: [StockCheck]] = [:]

    init(_ db: any SQLConnection, tenant: Int64) {
        self.db = db
        self.tenant = tenant
    }

    /// The item's first check after `date`, if any.
    func after(_ date: String, variant: Int64, location: Int64) throws -> StockCheck? {
        let key = StockKey(variant: variant, location: location)
        let checks: [StockCheck]
        if let known = ofItem[key] {
            checks = known
        } else {
            checks = try db.fetchAll(sql: """
                SELECT checked_at, count FROM stock_checks WHERE tenant = ? AND variant = ? AND location = ? ORDER BY checked_at
                """, arguments: [tenant, variant, location]).map { StockCheck(at: try $0["checked_at"], count: try $0["count"]) }
            ofItem[key] = checks
        }
        var (low, high) = (0, checks.count)
        while low < high {
            let middle = (low + high) / 2
            if checks[middle].at <= date { low = middle + 1 } else { high = middle }
        }
        return low < checks.count ? checks[low] : nil
    }
}

/// An imported row's stock check to record (a count's are copied from its results).
package struct StockCheckRow: Sendable {
    var variant: Int64
    var location: Int64
    var at: String
}

/// A movement dated before a stock check of its item: `Store.absorb` posts its opposite at the check.
package struct Absorption: Sendable {
    /// The backdated movement's record in its file (found by it), or its id.
    var record: Int?
    var id: Int64?
    var variant: Int64
    var location: Int64
    var delta: Int64
    var stockDate: String
    var check: StockCheck
}

extension Store {
    /// The first stock check of an item after `date`, if any.
    static func checkAfter(tenant: Int64, variant: Int64, location: Int64, date: String, in db: any SQLConnection) throws -> StockCheck? {
        try db.fetchOne(sql: """
            SELECT checked_at, count FROM stock_checks WHERE tenant = ? AND variant = ? AND location = ? AND checked_at > ?
            ORDER BY checked_at LIMIT 1
            """, arguments: [tenant, variant, location, date]).map { StockCheck(at: try $0["checked_at"], count: try $0["count"]) }
    }

    static func recordChecks(_ checks: inout StockCheckList, tenant: Int64, in db: any SQLConnection) throws {
        guard !checks.isEmpty else { return }
        let rows = try RowInserter(db, table: "stock_checks", columns: ["tenant", "variant", "location", "checked_at"])
        try checks.forEachInKeyOrder { check in try rows.append([tenant, check.variant, check.location, check.at]) }
        try rows.finish()
    }

    /// Posts, for each movement dated before a stock check of its item, the opposite movement
    /// (kind `count`) dated at the check, naming it (`absorbs_id`), in `posting`: what the
    /// check found stays what stood from then on, and on-hand is as before the movement.
    /// `onHand` holds the items' on-hand and is kept. A movement named by `record` is found
    /// among the posting's movements after `mark`.
    /// The absorbing movements are noted in `spans`.
    static func absorb(
        _ absorptions: [Absorption], posting: Int64, after mark: Int64, onHand: inout [StockKey: Int64], spans: inout SpanBook,
        in db: any SQLConnection
    ) throws {
        guard !absorptions.isEmpty else { return }
        // The posting's movements from the lowest id not yet found, a block of records at a
        // time: in one statement they were held in memory whole, in small blocks each walked them all.
        var idOfRecord: [Int: Int64] = [:]
        let records = absorptions.compactMap(\.record).sorted()
        var from = mark
        for start in stride(from: 0, to: records.count, by: 50_000) {
            let block = records[start..<min(start + 50_000, records.count)]
            let wanted = Set(block)
            for row in try db.fetchAll(sql: """
                SELECT id, record FROM ledger WHERE id > ? AND posting = ? AND record BETWEEN ? AND ?
                """, arguments: [from, posting, block.first ?? 0, block.last ?? 0]) {
                let (id, record): (Int64, Int?) = (try row["id"], try row["record"])
                if let record, wanted.contains(record) { idOfRecord[record] = id }
            }
            from = block.compactMap { idOfRecord[$0] }.max() ?? from
        }
        let firstID = try db.takeLedgerIDs(absorptions.count) ?? lastLedgerID(in: db) + 1
        let ledger = try RowInserter(db, table: "ledger", columns: [
            "id", "posting", "variant", "location", "kind", "quantity_delta", "quantity_before", "reference_id", "occurred_at", "absorbs_id",
        ])
        var runs = VariantMovements.Runs(db)
        for (offset, absorption) in absorptions.enumerated() {
            guard let absorbed = absorption.id ?? absorption.record.flatMap({ idOfRecord[$0] }) else {
                throw SQLDecodingError(message: "record \(absorption.record ?? -1) of posting \(posting) was appended but is not in the ledger")
            }
            let id = firstID + Int64(offset)
            let key = StockKey(variant: absorption.variant, location: absorption.location)
            let before = onHand[key] ?? 0
            let check = absorption.check.count.map { "count \($0)" } ?? "on-hand set at \(absorption.check.at)"
            try ledger.append([
                id, posting, absorption.variant, absorption.location, MovementKind.count.code, -absorption.delta, before, check,
                absorption.check.at, absorbed,
            ])
            try runs.add(variant: absorption.variant, id: id)
            onHand[key] = before - absorption.delta
            spans.note(date: absorption.check.at, variant: absorption.variant, location: absorption.location, delta: -absorption.delta)
        }
        try ledger.finish()
        try runs.flush()
        spans.noteIDs(firstID...(firstID + Int64(absorptions.count) - 1))
    }

    /// What a change dated `date`, before later movements of its item, is decided against,
    /// imported or approved alike: a `set`, on-hand at its date; a removal under the
    /// negative-stock rule, the lowest on-hand from its date to the next check, and that day.
    /// Nil for any other change: today's on-hand decides it.
    static func onHandThen(
        _ change: StockChange, variant: Int64, location: Int64, date: String, isNegativeStockForbidden: Bool, tenant: Int64,
        in db: any SQLConnection
    ) throws -> (onHand: Int64, day: String?)? {
        guard isDecidedThen(change, isNegativeStockForbidden: isNegativeStockForbidden) else { return nil }
        let history = try ItemHistory(variant: variant, location: location, in: db)
        let check = try checkAfter(tenant: tenant, variant: variant, location: location, date: date, in: db)?.at
        return history.decidingThen(change, date: date, nextCheck: check)
    }

    /// Whether a change dated before later movements is decided by its item's history (a set,
    /// or a removal under the negative-stock rule); any other, against today's on-hand.
    static func isDecidedThen(_ change: StockChange, isNegativeStockForbidden: Bool) -> Bool {
        switch change {
        case .set: true
        case .delta(let delta): delta < 0 && isNegativeStockForbidden
        }
    }
}

/// An item's movements, as (stock date, order, delta), in any order: what a change dated in
/// its past is decided against. The order breaks ties of a date: ledger ids, or larger for
/// movements a posting has not written yet.
package struct ItemHistory {
    var movements: [(at: String, order: Int64, delta: Int64)]

    /// The item's movements as stored, with a posting's own `unlisted` (`Store.history`).
    init(variant: Int64, location: Int64, unlisted: [Int64] = [], in db: any SQLConnection) throws {
        movements = try Store.history(variant: variant, location: location, unlisted: unlisted, in: db).map { ($0.at, $0.id, $0.delta) }
    }

    /// For a set, on-hand at `date`; for a removal (under the negative-stock rule), the lowest
    /// on-hand from `date` until `nextCheck` (or until now), and the day it had it.
    func decidingThen(_ change: StockChange, date: String, nextCheck: String?) -> (onHand: Int64, day: String?) {
        var onHand: Int64 = 0
        var later: [(at: String, order: Int64, delta: Int64)] = []
        for movement in movements {
            if movement.at <= date {
                onHand += movement.delta
            } else if nextCheck.map({ movement.at < $0 }) ?? true {
                later.append(movement)
            }
        }
        guard case .delta = change else { return (onHand, nil) }
        var lowest = (onHand: onHand, day: String(date.prefix(10)))
        for movement in later.sorted(by: { ($0.at, $0.order) < ($1.at, $1.order) }) {
            onHand += movement.delta
            if onHand < lowest.onHand { lowest = (onHand, String(movement.at.prefix(10))) }
        }
        return (lowest.onHand, lowest.day)
    }
}

/// A movement dated before a count and posted after it, absorbed at the count.
public struct AbsorbedMovement: Sendable, Hashable {
    public var id: Int64
    public var variantID: String
    public var locationID: String
    public var delta: Int64
    public var occurredAt: String
    public var recordedAt: String
    /// The count movement that absorbed it.
    public var absorbedBy: Int64
}

extension Store {
    /// The movements count `count` absorbed, in ledger order.
    public static func absorbedMovements(count: Int64, in db: any SQLConnection) throws -> [AbsorbedMovement] {
        try db.fetchAll(sql: """
            SELECT b.id, v.variant_id, loc.location_id, b.quantity_delta, COALESCE(b.occurred_at, r.started_at) AS occurred_at,
                   r.started_at AS recorded_at, a.id AS absorbed_by
            FROM ledger a JOIN ledger b ON b.id = a.absorbs_id
            JOIN postings p ON p.id = b.posting JOIN run_log r ON r.id = p.run
            JOIN catalog_variants v ON v.id = b.variant JOIN catalog_locations loc ON loc.id = b.location
            WHERE a.absorbs_id IS NOT NULL AND a.reference_id = ? ORDER BY b.id
            """, arguments: ["count \(count)"]).map {
            AbsorbedMovement(
                id: try $0["id"], variantID: try $0["variant_id"], locationID: try $0["location_id"], delta: try $0["quantity_delta"],
                occurredAt: try $0["occurred_at"], recordedAt: try $0["recorded_at"], absorbedBy: try $0["absorbed_by"])
        }
    }
}
