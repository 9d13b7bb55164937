import StockReconCore

/// Where a balance as of a moment starts: balances that hold every movement of the spans they
/// cover dated at or before `stockDate`, from which the covered movements between that date and
/// the moment, and the others dated by the moment, are summed.
enum AsOfStart: Sendable {
    /// Nothing: every movement dated by the moment is summed.
    case nothing
    /// Today's balances: the movements dated after the moment are taken back.
    case today
    case checkpoint(StockCheckpoint)

    /// Whether the start's balances hold the span's movements (those dated by its date).
    func covers(_ span: PostingSpan) -> Bool {
        if case .checkpoint(let checkpoint) = self { return checkpoint.covers(span) }
        return true
    }

    /// "" sorts before and "~" after every stock date.
    var stockDate: String {
        switch self {
        case .nothing: ""
        case .today: "~"
        case .checkpoint(let checkpoint): checkpoint.stockDate
        }
    }

    /// The spans to read for the moment `at`: the covered ones' between the start's date and
    /// `at` (added when `at` is later, taken back when earlier), and the others' by `at`.
    func reads(_ spans: [PostingSpan], at: String) -> (between: [PostingSpan], dates: StockDateRange, adds: Bool, later: [PostingSpan]) {
        let adds = at >= stockDate
        let dates = adds ? StockDateRange(after: stockDate, through: at) : StockDateRange(after: at, through: stockDate)
        let byMoment = StockDateRange(after: nil, through: at)
        return (spans.filter { covers($0) && stockDate != at && dates.overlaps($0) }, dates, adds,
                spans.filter { !covers($0) && byMoment.overlaps($0) })
    }

    /// Rows read: the start's balances (today's counted as many as `todayRows`) and movements.
    func cost(_ spans: [PostingSpan], at: String, todayRows: Int64) -> Int64 {
        let (between, _, _, later) = reads(spans, at: at)
        let balances: Int64 = switch self {
        case .nothing: 0
        case .today: todayRows
        case .checkpoint(let checkpoint): checkpoint.balances
        }
        return (between + later).reduce(balances) { $0 + $1.width }
    }
}

extension Store {
    /// Every balance of a tenant as of `at` (stock dates at or before it), zero ones left out:
    /// from whichever start reads fewest rows (nothing, today's balances, or a checkpoint kept
    /// after a posting), the postings' movements on the way summed. `start`: the one to take
    /// (tests).
    static func balancesAsOf(tenant: Int64, at: String, start: AsOfStart? = nil, in db: any SQLConnection) throws -> [StockKey: Int64] {
        let spans = try spans(tenant: tenant, in: db)
        let checkpoints = try checkpoints(tenant: tenant, in: db)
        let todayRows = checkpoints.last?.balances ?? 0
        let starts = [AsOfStart.nothing, .today] + checkpoints.map(AsOfStart.checkpoint)
        let chosen = start ?? starts.min { $0.cost(spans, at: at, todayRows: todayRows) < $1.cost(spans, at: at, todayRows: todayRows) } ?? .nothing
        var result: [StockKey: Int64]
        switch chosen {
        case .nothing: result = [:]
        case .today:
            result = [:]
            result.reserveCapacity(Int(clamping: todayRows))
            try db.forEachBalance(tenant: tenant) { variant, location, onHand in
                result[StockKey(variant: variant, location: location)] = onHand
            }
        case .checkpoint(let checkpoint): result = try balances(of: checkpoint, tenant: tenant, in: db)
        }
        let (between, dates, adds, later) = chosen.reads(spans, at: at)
        if !between.isEmpty {
            for (key, delta) in try db.sumMovements(between, fromID: 0, dates: dates) { result[key, default: 0] += adds ? delta : -delta }
        }
        if !later.isEmpty {
            for (key, delta) in try db.sumMovements(later, fromID: 0, dates: StockDateRange(after: nil, through: at)) { result[key, default: 0] += delta }
        }
        // In place: a filtered copy held a million balances twice.
        for key in result.compactMap({ $0.value == 0 ? $0.key : nil }) { result[key] = nil }
        return result
    }

    /// One variant's movements (at one location, when given): id, location, delta, stock date;
    /// with a posting's own movements `unlisted` (written, not yet in `VariantMovements`).
    /// The location is told from the rows read, not asked of the ledger first.
    static func history(
        variant: Int64, location: Int64?, unlisted: [Int64] = [], in db: any SQLConnection
    ) throws -> [(id: Int64, location: Int64, delta: Int64, at: String)] {
        let ids = try VariantMovements.ids(variant: variant, location: nil, after: 0, limit: .max, in: db) + unlisted
        var movements: [(id: Int64, location: Int64, delta: Int64, at: String)] = []
        for chunk in stride(from: 0, to: ids.count, by: 10_000).map({ ids[$0..<min($0 + 10_000, ids.count)] }) {
            for row in try db.fetchAll(sql: """
                SELECT l.id, l.location, l.quantity_delta, COALESCE(l.occurred_at, r.started_at) AS stock_date
                FROM ledger l JOIN postings p ON p.id = l.posting JOIN run_log r ON r.id = p.run
                WHERE l.id IN (\(chunk.map(String.init).joined(separator: ",")))
                """) {
                let movement = (id: try row["id"] as Int64, location: try row["location"] as Int64, delta: try row["quantity_delta"] as Int64,
                                at: try row["stock_date"] as String)
                if location.map({ $0 == movement.location }) ?? true { movements.append(movement) }
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
}

extension Store {
    public static let asOfColumns = ["variant_id", "location_id", "on_hand", "name", "unit_cost_minor", "value_minor"]

    /// On-hand per variant and location of one tenant as of `at` (by stock date), with its
    /// value at the unit cost in force then; only balances that are not zero then.
    public func balances(tenantID: String, variantID: String?, locationID: String?, asOf at: String) throws -> ResultTable {
        var rows: [[TableValue]] = []
        try forEachBalance(tenantID: tenantID, variantID: variantID, locationID: locationID, asOf: at) { rows.append($0) }
        return ResultTable(columns: Self.asOfColumns, rows: rows)
    }

    /// `balances(…asOf:)` a row at a time, in `asOfColumns`: a million held as rows took 463 MB.
    public func forEachBalance(
        tenantID: String, variantID: String?, locationID: String?, asOf at: String, _ body: ([TableValue]) throws -> Void
    ) throws {
        try read { db in
            guard let tenant = try Self.existingTenant(tenantID, in: db) else { return }
            var location: Int64?
            if let locationID {
                guard let id = try db.fetchValue(
                    Int64.self, sql: "SELECT id FROM catalog_locations WHERE tenant = ? AND location_id = ?", arguments: [tenant, locationID])
                else { return }
                location = id
            }
            var balances: [StockKey: Int64]
            if let variantID {
                guard let variant = try db.fetchValue(
                    Int64.self, sql: "SELECT id FROM catalog_variants WHERE tenant = ? AND variant_id = ?", arguments: [tenant, variantID])
                else { return }
                balances = try Self.variantBalancesAsOf(variant: variant, location: location, at: at, in: db)
            } else {
                balances = try Self.balancesAsOf(tenant: tenant, at: at, in: db)
                if let location { balances = balances.filter { $0.key.location == location } }
            }
            try Self.forEachAsOfRow(of: &balances, tenant: tenant, at: at, in: db, body)
        }
    }

    /// Of `variants` (nil: all the tenant's), each one whose unit cost was replaced after `at`,
    /// with the cost it had at `at`: the one its first replacement after `at` replaced (v23).
    static func costsReplaced(after at: String, tenant: Int64, variants: ArraySlice<Int64>?, in db: any SQLConnection) throws -> [Int64: Int64?] {
        var costs: [Int64: Int64?] = [:]
        let which = variants.map { "variant IN (\($0.map(String.init).joined(separator: ",")))" } ?? "tenant = \(tenant)"
        // A cursor's statement is not kept in SQLite's cache, as one with arguments would be: each list of ids would stay.
        try db.forEachRow(sql: """
            SELECT variant, unit_cost_minor FROM catalog_cost_history WHERE \(which) AND replaced_at > ?
            ORDER BY variant, replaced_at, run
            """, arguments: [at]) { row in
            let variant: Int64 = try row["variant"]
            if costs[variant] == nil { costs[variant] = .some(try row["unit_cost_minor"]) }
        }
        return costs
    }

    /// How many variants `balance --as-of` names before it reads the whole catalog (when they are
    /// a quarter of it or more) rather than lists of their ids; task-local: tests take both ways.
    @TaskLocal package static var wholeCatalogFrom = 10_000
    /// How many variants' ids `balance --as-of` gives a query at most; task-local: tests take several.
    @TaskLocal package static var asOfChunk = 10_000

    /// The rows of `balance --as-of`, named and valued at the unit cost in force at `at`, in the
    /// order `balance` lists them; `balances` is emptied as they are read. Most of the catalog is
    /// read in one pass in that order, each variant's balances found among the keys sorted.
    private static func forEachAsOfRow(
        of balances: inout [StockKey: Int64], tenant: Int64, at: String, in db: any SQLConnection, _ body: ([TableValue]) throws -> Void
    ) throws {
        // Ids and texts in the database's order (its collation, as `balance` lists them), not
        // Swift's: on a PostgreSQL database whose collation is not C the two differ.
        var locations: [Int64: (rank: Int, id: String)] = [:]
        for (rank, row) in try db.fetchAll(
            sql: "SELECT id, location_id FROM catalog_locations WHERE tenant = ? ORDER BY location_id", arguments: [tenant]).enumerated() {
            locations[try row["id"]] = (rank, try row["location_id"])
        }
        // By variant, then by location in that order: 24 bytes a balance.
        var keys = balances.map { (variant: $0.key.variant, location: $0.key.location, onHand: $0.value) }
        balances = [:]
        keys.sort { ($0.variant, locations[$0.location]?.rank ?? .max) < ($1.variant, locations[$1.location]?.rank ?? .max) }
        var written = 0
        func write(variant: Int64, id: String, name: String?, cost: Int64?) throws {
            // The first key of `variant`, by bisection.
            var (low, high) = (0, keys.count)
            while low < high {
                let middle = (low + high) / 2
                if keys[middle].variant < variant { low = middle + 1 } else { high = middle }
            }
            while low < keys.count, keys[low].variant == variant {
                let (onHand, location) = (keys[low].onHand, locations[keys[low].location]?.id ?? "")
                var value = TableValue.null
                if let cost {
                    let (product, overflow) = onHand.multipliedReportingOverflow(by: cost)
                    if overflow { throw MoneyOverflow("the value of \(id) at \(location) (\(onHand) × \(Money.format(minorUnits: cost)))") }
                    value = .integer(product)
                }
                try body([.text(id), .text(location), .integer(onHand), name.map(TableValue.text) ?? .null, cost.map(TableValue.integer) ?? .null, value])
                written += 1
                low += 1
            }
        }
        let named = "SELECT id, variant_id, \(variantName("v")) AS name, unit_cost_minor FROM catalog_variants v"
        // A row of `named`, at the cost in force at `at` (`costs`: those replaced after it).
        func variant(_ row: SQLRow, costs: [Int64: Int64?]) throws -> (id: Int64, variantID: String, name: String?, cost: Int64?) {
            let id: Int64 = try row["id"]
            return (id, try row["variant_id"], try row["name"], try costs[id] ?? row["unit_cost_minor"])
        }
        let distinct = keys.indices.filter { $0 == 0 || keys[$0 - 1].variant != keys[$0].variant }.map { keys[$0].variant }
        if distinct.count >= wholeCatalogFrom, distinct.count * 4 >= (try notedVariantCount(tenant: tenant, in: db) ?? 0) {
            // Most of the catalog: read in one pass, in the order `balance` lists. Lists of 10,000
            // ids cost PostgreSQL 30 ms each to parse and bind, half of a whole tenant's as-of
            // after its sums.
            let costs = try costsReplaced(after: at, tenant: tenant, variants: nil, in: db)
            try db.forEachRow(sql: "\(named) WHERE tenant = ? ORDER BY variant_id", arguments: [tenant]) { row in
                let named = try variant(row, costs: costs)
                try write(variant: named.id, id: named.variantID, name: named.name, cost: named.cost)
            }
        } else {
            // A round trip a few hundred ids took PostgreSQL half a second for 100,000. One list
            // comes back in `balance`'s order; several are put in it by the catalog's ids in order.
            let chunk = asOfChunk
            var variants: [(id: Int64, variantID: String, name: String?, cost: Int64?)] = []
            for start in stride(from: 0, to: distinct.count, by: chunk) {
                let some = distinct[start..<min(start + chunk, distinct.count)]
                let costs = try costsReplaced(after: at, tenant: tenant, variants: some, in: db)
                for row in try db.fetchAll(sql: "\(named) WHERE id IN (\(some.map(String.init).joined(separator: ","))) ORDER BY variant_id") {
                    variants.append(try variant(row, costs: costs))
                }
            }
            if distinct.count <= chunk {
                for variant in variants { try write(variant: variant.id, id: variant.variantID, name: variant.name, cost: variant.cost) }
            } else {
                let byID = Dictionary(uniqueKeysWithValues: variants.map { ($0.id, $0) })
                variants = []
                try db.forEachRow(sql: "SELECT id FROM catalog_variants WHERE tenant = ? ORDER BY variant_id", arguments: [tenant]) { row in
                    guard let variant = byID[try row["id"]] else { return }
                    try write(variant: variant.id, id: variant.variantID, name: variant.name, cost: variant.cost)
                }
            }
        }
        guard written == keys.count, keys.allSatisfy({ locations[$0.location] != nil }) else {
            throw SQLDecodingError(message: "a movement names a variant or location of tenant \(tenant) that its catalog lacks")
        }
    }
}
