import StockReconCore

/// The ledger ids and stock dates of one posting's movements (`posting_spans`, v20). A
/// movement's stock date is its `occurred_at`, else when its run was recorded: a balance as
/// of a moment reads only the postings on the smaller side of it.
public struct PostingSpan: Sendable, Hashable {
    public var posting: Int64
    public var firstID: Int64
    public var lastID: Int64
    public var earliest: String
    public var latest: String
    /// The stock date of its movements that have no `occurred_at`.
    public var recordedAt: String

    /// At most this many movements (ids of other postings may lie between).
    var width: Int64 { lastID - firstID + 1 }
}

/// A balance's key.
public struct StockKey: Hashable, Sendable {
    public var variant: Int64
    public var location: Int64

    public init(variant: Int64, location: Int64) {
        self.variant = variant
        self.location = location
    }
}

/// Which movements a sum by stock date takes: those at or before a moment, or those after it.
public enum DateSide: Sendable {
    case atOrBefore
    case after

    /// The SQL comparison of a stock date with the moment.
    public var comparison: String { self == .atOrBefore ? "<=" : ">" }
}

/// The stock dates some movements span, kept as they are appended (the arrays are reused: a
/// row's date is copied only when it widens the span).
public struct SpanTracker {
    private var earliest: [UInt8] = []
    private var latest: [UInt8] = []
    private var hasDated = false
    /// Some movement has no `occurred_at` of its own: its stock date is when it was recorded.
    private var hasUndated = false

    package init() {}

    /// Notes one movement's stock date, as UTC text; nil for none of its own.
    package mutating func note(_ date: UnsafeBufferPointer<UInt8>?) {
        guard let date else {
            hasUndated = true
            return
        }
        if !hasDated || date.lexicographicallyPrecedes(earliest) {
            earliest.removeAll(keepingCapacity: true)
            earliest.append(contentsOf: date)
        }
        if !hasDated || latest.lexicographicallyPrecedes(date) {
            latest.removeAll(keepingCapacity: true)
            latest.append(contentsOf: date)
        }
        hasDated = true
    }

    package mutating func note(_ date: String?) {
        guard var text = date else { return note(nil as UnsafeBufferPointer<UInt8>?) }
        text.withUTF8 { note($0) }
    }

    /// The earliest and latest stock date noted; nil when nothing was.
    func range(recordedAt: String) -> (earliest: String, latest: String)? {
        var span = self
        if hasUndated { span.note(recordedAt) }
        guard span.hasDated else { return nil }
        return (String(decoding: span.earliest, as: UTF8.self), String(decoding: span.latest, as: UTF8.self))
    }
}

/// The spans of one posting's movements, in ledger order: the dates of the movements noted,
/// then their ids, a span closed every `rowsPerSpan` movements or when the appender says, so
/// that a large file's movements are not one span that every moment falls in.
public struct SpanBook {
    package static let rowsPerSpan = 1 << 16
    private(set) var spans: [(ids: ClosedRange<Int64>, dates: SpanTracker)] = []
    private var current = SpanTracker()
    private var ids: ClosedRange<Int64>?
    private var rows = 0

    package init() {}

    /// The stock date of the next movement (nil: none of its own).
    package mutating func note(date: UnsafeBufferPointer<UInt8>?) { current.note(date) }
    package mutating func note(date: String?) { current.note(date) }

    /// The ids the movements noted took, ascending; closes the span when it is long enough.
    package mutating func noteIDs(_ taken: ClosedRange<Int64>) {
        ids = ids.map { $0.lowerBound...taken.upperBound } ?? taken
        rows += taken.count
        if rows >= Self.rowsPerSpan { close() }
    }

    /// Ends the span at the movements noted so far.
    package mutating func close() {
        if let ids { spans.append((ids, current)) }
        current = SpanTracker()
        ids = nil
        rows = 0
    }
}

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

/// A stock check to record.
package struct StockCheckRow: Sendable {
    var variant: Int64
    var location: Int64
    var at: String
    var count: Int64? = nil
    var movement: Int64? = nil
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
    /// Records the spans of a posting's movements (none for a posting that moved no stock).
    static func recordSpans(_ book: SpanBook, posting: Int64, tenant: Int64, recordedAt: String, in db: any SQLConnection) throws {
        var book = book
        book.close()
        guard !book.spans.isEmpty else { return }
        let rows = try RowInserter(db, table: "posting_spans", columns: ["posting", "tenant", "first_id", "last_id", "earliest", "latest", "recorded_at"])
        for (ids, dates) in book.spans {
            guard let (earliest, latest) = dates.range(recordedAt: recordedAt) else { continue }
            try rows.append([posting, tenant, ids.lowerBound, ids.upperBound, earliest, latest, recordedAt])
        }
        try rows.finish()
    }

    /// The tenant's latest stock check and latest stock date, nil where it has none.
    static func latestDates(tenant: Int64, in db: any SQLConnection) throws -> (check: String?, stockDate: String?) {
        let check = try db.fetchValue(String.self, sql: "SELECT max(checked_at) FROM stock_checks WHERE tenant = ?", arguments: [tenant])
        let stockDate = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ?", arguments: [tenant])
        return (check, stockDate)
    }

    /// The first stock check of an item after `date`, if any.
    static func checkAfter(tenant: Int64, variant: Int64, location: Int64, date: String, in db: any SQLConnection) throws -> StockCheck? {
        try db.fetchOne(sql: """
            SELECT checked_at, count FROM stock_checks WHERE tenant = ? AND variant = ? AND location = ? AND checked_at > ?
            ORDER BY checked_at LIMIT 1
            """, arguments: [tenant, variant, location, date]).map { StockCheck(at: try $0["checked_at"], count: try $0["count"]) }
    }

    static func recordChecks(_ checks: [StockCheckRow], tenant: Int64, in db: any SQLConnection) throws {
        guard !checks.isEmpty else { return }
        let rows = try RowInserter(db, table: "stock_checks", columns: ["tenant", "variant", "location", "checked_at", "count", "movement"])
        for check in checks { try rows.append([tenant, check.variant, check.location, check.at, check.count, check.movement]) }
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
            spans.note(date: absorption.check.at)
        }
        try ledger.finish()
        try runs.flush()
        spans.noteIDs(firstID...(firstID + Int64(absorptions.count) - 1))
    }

    /// When run `run` was recorded: the stock date of its movements without one of their own.
    static func recordedAt(run: Int64, in db: any SQLConnection) throws -> String {
        guard let started = try db.fetchValue(String.self, sql: "SELECT started_at FROM run_log WHERE id = ?", arguments: [run]) else {
            throw SQLDecodingError(message: "run \(run) is missing from run_log")
        }
        return started
    }

    /// The largest ledger id so far (0 for none): every movement appended after it has a larger one.
    static func lastLedgerID(in db: any SQLConnection) throws -> Int64 {
        try db.fetchValue(Int64.self, sql: "SELECT coalesce(max(id), 0) FROM ledger") ?? 0
    }

    static func spans(tenant: Int64, in db: any SQLConnection) throws -> [PostingSpan] {
        try db.fetchAll(sql: """
            SELECT posting, first_id, last_id, earliest, latest, recorded_at FROM posting_spans WHERE tenant = ? ORDER BY posting
            """, arguments: [tenant]).map {
            PostingSpan(
                posting: try $0["posting"], firstID: try $0["first_id"], lastID: try $0["last_id"], earliest: try $0["earliest"],
                latest: try $0["latest"], recordedAt: try $0["recorded_at"])
        }
    }

    /// Every balance of a tenant as of `at` (stock dates at or before it), zero ones left out:
    /// summed forward from the postings that begin by then, or back from today's balances
    /// through the postings that end after it, whichever reads fewer movements.
    /// `forward` chooses the way (tests); nil: the one that reads fewer.
    static func balancesAsOf(tenant: Int64, at: String, forward: Bool? = nil, in db: any SQLConnection) throws -> [StockKey: Int64] {
        let spans = try spans(tenant: tenant, in: db)
        let before = spans.filter { $0.earliest <= at }
        let after = spans.filter { $0.latest > at }
        var result: [StockKey: Int64]
        if forward ?? (before.reduce(0, { $0 + $1.width }) <= after.reduce(0, { $0 + $1.width })) {
            result = try db.sumMovements(before, fromID: 0, side: .atOrBefore, at: at)
        } else {
            result = [:]
            try db.forEachBalance(tenant: tenant) { variant, location, onHand in
                result[StockKey(variant: variant, location: location)] = onHand
            }
            for (key, later) in try db.sumMovements(after, fromID: 0, side: .after, at: at) {
                result[key, default: 0] -= later
            }
        }
        return result.filter { $0.value != 0 }
    }

    /// One variant's movements (at one location, when given): id, location, delta, stock date.
    static func history(variant: Int64, location: Int64?, in db: any SQLConnection) throws -> [(id: Int64, location: Int64, delta: Int64, at: String)] {
        let ids = try VariantMovements.ids(variant: variant, location: location, after: 0, limit: .max, in: db)
        var movements: [(id: Int64, location: Int64, delta: Int64, at: String)] = []
        for chunk in stride(from: 0, to: ids.count, by: 10_000).map({ ids[$0..<min($0 + 10_000, ids.count)] }) {
            for row in try db.fetchAll(sql: """
                SELECT l.id, l.location, l.quantity_delta, COALESCE(l.occurred_at, r.started_at) AS stock_date
                FROM ledger l JOIN postings p ON p.id = l.posting JOIN run_log r ON r.id = p.run
                WHERE l.id IN (\(chunk.map(String.init).joined(separator: ",")))
                """) {
                movements.append((try row["id"], try row["location"], try row["quantity_delta"], try row["stock_date"]))
            }
        }
        return movements
    }

    /// One variant's balances as of `at` (at one location, when given), from its own movements.
    static func variantBalancesAsOf(variant: Int64, location: Int64?, at: String, in db: any SQLConnection) throws -> [StockKey: Int64] {
        var result: [StockKey: Int64] = [:]
        for movement in try history(variant: variant, location: location, in: db) where movement.at <= at {
            result[StockKey(variant: variant, location: movement.location), default: 0] += movement.delta
        }
        return result.filter { $0.value != 0 }
    }

    /// The lowest on-hand an item had from `date` until its next stock check (or until now),
    /// by stock date, and the day it had it: what a change dated `date` would lower.
    package static func lowestOnHand(
        tenant: Int64, variant: Int64, location: Int64, from date: String, in db: any SQLConnection
    ) throws -> (onHand: Int64, day: String) {
        let until = try checkAfter(tenant: tenant, variant: variant, location: location, date: date, in: db)?.at
        var onHand: Int64 = 0
        var later: [(at: String, id: Int64, delta: Int64)] = []
        for movement in try history(variant: variant, location: location, in: db) {
            if movement.at <= date {
                onHand += movement.delta
            } else if until.map({ movement.at < $0 }) ?? true {
                later.append((movement.at, movement.id, movement.delta))
            }
        }
        var lowest = (onHand: onHand, day: String(date.prefix(10)))
        for movement in later.sorted(by: { ($0.at, $0.id) < ($1.at, $1.id) }) {
            onHand += movement.delta
            if onHand < lowest.onHand { lowest = (onHand, String(movement.at.prefix(10))) }
        }
        return lowest
    }
}

extension Store {
    public static let asOfColumns = ["variant_id", "location_id", "on_hand", "name", "unit_cost_minor", "value_minor"]

    /// On-hand per variant and location of one tenant as of `at` (by stock date), with its
    /// value at the catalog's unit cost (stockrecon keeps no history of catalog costs); only
    /// balances that are not zero then.
    public func balances(tenantID: String, variantID: String?, locationID: String?, asOf at: String) throws -> ResultTable {
        try read { db in
            guard let tenant = try Self.existingTenant(tenantID, in: db) else { return ResultTable(columns: Self.asOfColumns, rows: []) }
            var location: Int64?
            if let locationID {
                guard let id = try db.fetchValue(
                    Int64.self, sql: "SELECT id FROM catalog_locations WHERE tenant = ? AND location_id = ?", arguments: [tenant, locationID])
                else { return ResultTable(columns: Self.asOfColumns, rows: []) }
                location = id
            }
            var balances: [StockKey: Int64]
            if let variantID {
                guard let variant = try db.fetchValue(
                    Int64.self, sql: "SELECT id FROM catalog_variants WHERE tenant = ? AND variant_id = ?", arguments: [tenant, variantID])
                else { return ResultTable(columns: Self.asOfColumns, rows: []) }
                balances = try Self.variantBalancesAsOf(variant: variant, location: location, at: at, in: db)
            } else {
                balances = try Self.balancesAsOf(tenant: tenant, at: at, in: db)
                if let location { balances = balances.filter { $0.key.location == location } }
            }
            return try Self.asOfTable(balances, tenant: tenant, in: db)
        }
    }

    /// The rows of `balance --as-of`, named and valued, in the order `balance` lists them.
    private static func asOfTable(_ balances: [StockKey: Int64], tenant: Int64, in db: any SQLConnection) throws -> ResultTable {
        var variants: [Int64: (id: String, name: String?, cost: Int64?)] = [:]
        let variantIDs = Array(Set(balances.keys.map(\.variant)))
        // Large lists: a round trip a few hundred ids took PostgreSQL half a second for 100,000.
        for start in stride(from: 0, to: variantIDs.count, by: 10_000) {
            let chunk = variantIDs[start..<min(start + 10_000, variantIDs.count)]
            for row in try db.fetchAll(sql: """
                SELECT id, variant_id, \(variantName("v")) AS name, unit_cost_minor FROM catalog_variants v
                WHERE id IN (\(chunk.map(String.init).joined(separator: ",")))
                """) {
                variants[try row["id"]] = (try row["variant_id"], try row["name"], try row["unit_cost_minor"])
            }
        }
        let locations = Dictionary(uniqueKeysWithValues: try db.fetchAll(
            sql: "SELECT id, location_id FROM catalog_locations WHERE tenant = ?", arguments: [tenant])
            .map { (try $0["id"] as Int64, try $0["location_id"] as String) })
        var rows: [(variant: String, location: String, cells: [TableValue])] = []
        for (key, onHand) in balances {
            guard let variant = variants[key.variant], let location = locations[key.location] else {
                throw SQLDecodingError(message: "a movement names variant \(key.variant) or location \(key.location), which the catalog lacks")
            }
            var value = TableValue.null
            if let cost = variant.cost {
                let (product, overflow) = onHand.multipliedReportingOverflow(by: cost)
                if overflow { throw MoneyOverflow("the value of \(variant.id) at \(location) (\(onHand) × \(Money.format(minorUnits: cost)))") }
                value = .integer(product)
            }
            rows.append((variant.id, location, [
                .text(variant.id), .text(location), .integer(onHand), variant.name.map(TableValue.text) ?? .null,
                variant.cost.map(TableValue.integer) ?? .null, value,
            ]))
        }
        rows.sort { ($0.variant, $0.location) < ($1.variant, $1.location) }
        return ResultTable(columns: asOfColumns, rows: rows.map(\.cells))
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
