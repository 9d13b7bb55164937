import StockReconCore

/// A stocktake session as stored.
public struct CountSession: Sendable, Hashable {
    public var id: Int64
    public var tenant: Int64
    public var tenantID: String
    public var org: Int64
    public var orgID: String
    public var name: String
    public var type: CountType
    public var status: CountStatus
    /// The location scope (internal id and text id); nil for every location.
    public var location: Int64?
    public var locationID: String?
    public var notes: String?
    public var startedAt: String
    /// When it was taken: its system quantities are on-hand then, its movements dated then.
    public var countedAt: String
    /// Every movement posted after it started has a larger ledger id (nil: a count from before v20).
    public var ledgerMark: Int64?
    public var startedBy: String?
    public var finishedAt: String?
    public var finishedBy: String?
    public var applied: Bool?
    public var uncounted: UncountedPolicy?
    /// The review threshold the count was completed with.
    public var reviewOverMinor: Int64?
}

/// A count's item with the store's keys, as the completion posts it.
public struct StoredCountItem: Sendable, Hashable {
    public var variant: Int64
    public var location: Int64
    public var item: CountItem
    /// The sheet rows that counted it (0 for an uncounted item).
    public var rows: Int
    public var movementID: Int64?
}

/// What completing a count did.
public struct CountCompletion: Sendable {
    public var countID: Int64
    public var runID: Int64
    public var totals: CountTotals
    public var movementsPosted: Int
    public var counts: OutcomeCounts
}

extension Store {
    // MARK: - Sessions

    /// Starts a count: only a manager may, and only when no count of the org in progress
    /// covers an overlapping location (no location covers them all). On-hand in scope is
    /// kept as the count's system quantities.
    public static func startCount(
        tenantID: String, orgID: String, type: CountType, name: String, locationID: String?, notes: String?,
        userID: String, countedAt: String? = nil, in db: any SQLConnection
    ) throws -> Int64 {
        let startedAt = now()
        let given = countedAt
        let countedAt = countedAt ?? startedAt
        guard countedAt <= startedAt else {
            throw Refusal("--counted-at \(countedAt) is in the future: a count is taken when its sheets were counted, at the latest now (\(startedAt))")
        }
        guard let tenant = try existingTenant(tenantID, in: db) else {
            throw Refusal("tenant \(tenantID) has no catalog: load one with `stockrecon catalog import --tenant \(tenantID) FILE...`")
        }
        // Before the overlap is asked: of two overlapping starts at once, the second sees the first.
        try db.lockLedger(tenant: tenant)
        let user = try manager(userID, tenant: tenant, tenantID: tenantID, doing: "start a count", in: db)
        guard let org = try db.fetchValue(Int64.self, sql: "SELECT id FROM catalog_orgs WHERE tenant = ? AND org_id = ?", arguments: [tenant, orgID]) else {
            throw Refusal("org \(orgID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) ORGS.csv`")
        }
        var location: Int64?
        if let locationID {
            guard let key = try db.fetchValue(
                Int64.self, sql: "SELECT id FROM catalog_locations WHERE tenant = ? AND location_id = ?", arguments: [tenant, locationID])
            else { throw Refusal("location \(locationID) is not in tenant \(tenantID)'s catalog: check the id, or load it with `stockrecon catalog import`") }
            location = key
        }
        if let open = try db.fetchOne(sql: """
            SELECT c.id, c.name, loc.location_id FROM count_sessions c LEFT JOIN catalog_locations loc ON loc.id = c.location
            WHERE c.tenant = ? AND c.org = ? AND c.status = 'IN_PROGRESS' AND (c.location IS NULL OR CAST(? AS BIGINT) IS NULL OR c.location = ?)
            ORDER BY c.id LIMIT 1
            """, arguments: [tenant, org, location, location]) {
            let id: Int64 = try open[0]
            let name: String = try open[1]
            let scopeID: String? = try open[2]
            let scope = scopeID.map { "location \($0)" } ?? "every location"
            throw Refusal("count \(id) (\"\(name)\", \(scope)) is in progress for org \(orgID) and overlaps this one: complete or cancel it first (`stockrecon count complete \(id) --tenant \(tenantID)` or `count cancel \(id) --tenant \(tenantID)`)")
        }
        // Not given, its time stays open (NULL, read as when it started) for a sheet that says when it was counted.
        let count = try db.insert(sql: """
            INSERT INTO count_sessions (tenant, org, name, type, location, notes, started_at, started_by, counted_at, ledger_mark)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [tenant, org, name, type.rawValue, location, notes, startedAt, user.id, given, try lastLedgerID(in: db)])
        try takeSnapshot(count: count, tenant: tenant, orgID: orgID, location: location, at: countedAt, in: db)
        return count
    }

    /// A sheet that says when it was counted gives its count that time, when the count has
    /// none of its own yet: its system quantities are taken again as of then. A count taken at
    /// another time refuses it.
    public static func takeCountedAt(_ date: String, count id: Int64, sheet: String, in db: any SQLConnection) throws {
        let session = try countSession(id, in: db)
        let given = try db.fetchValue(String.self, sql: "SELECT counted_at FROM count_sessions WHERE id = ?", arguments: [id])
        if let given {
            guard given == date else {
                throw Refusal("\(sheet) was counted at \(date), but count \(id) was taken at \(given): add it to a count started with --counted-at \(date)")
            }
            return
        }
        guard date <= now() else { throw Refusal("\(sheet) says it was counted at \(date), which is in the future: check its date") }
        try db.execute(
            sql: "UPDATE count_sessions SET counted_at = ?, ledger_mark = ? WHERE id = ?", arguments: [date, try lastLedgerID(in: db), id])
        try db.execute(sql: "DELETE FROM count_snapshots WHERE count = ?", arguments: [id])
        try takeSnapshot(count: id, tenant: session.tenant, orgID: session.orgID, location: session.location, at: date, in: db)
    }

    /// Keeps on-hand of the count's scope as of `at` as its system quantities.
    /// Nothing dated after that time: today's balances, in one statement. Else the tenant's
    /// balances then (`balancesAsOf`), the scope's written in bulk: an update a moved item
    /// took 3.4 s for 100,000 items on SQLite, and a round trip each on a server.
    private static func takeSnapshot(count: Int64, tenant: Int64, orgID: String, location: Int64?, at countedAt: String, in db: any SQLConnection) throws {
        if try spans(tenant: tenant, in: db).allSatisfy({ $0.latest <= countedAt }) {
            try db.execute(sql: """
                INSERT INTO count_snapshots (count, variant, location, on_hand)
                SELECT ?, s.variant, s.location, s.on_hand FROM stock_levels s
                JOIN catalog_variants v ON v.id = s.variant AND v.org_id = ?
                WHERE s.tenant = ? AND (CAST(? AS BIGINT) IS NULL OR s.location = ?)
                """, arguments: [count, orgID, tenant, location, location])
        } else {
            let inOrg = Set(try db.fetchValues(
                Int64.self, sql: "SELECT id FROM catalog_variants WHERE tenant = ? AND org_id = ?", arguments: [tenant, orgID]))
            let snapshot = try RowInserter(db, table: "count_snapshots", columns: ["count", "variant", "location", "on_hand"])
            for (key, onHand) in try balancesAsOf(tenant: tenant, at: countedAt, in: db)
            where inOrg.contains(key.variant) && location.map({ $0 == key.location }) ?? true {
                try snapshot.append([count, key.variant, key.location, onHand])
            }
            try snapshot.finish()
        }
        try db.refreshStatistics(of: "count_snapshots")
    }

    /// A count of `tenantID` by id, or a refusal that says how to find one: another tenant's
    /// count is not found.
    public static func countSession(_ id: Int64, tenantID: String, in db: any SQLConnection) throws -> CountSession {
        let session = try countSession(id, in: db)
        guard session.tenantID == tenantID else { throw noCount(id, tenantID: tenantID) }
        return session
    }

    static func noCount(_ id: Int64, tenantID: String) -> Refusal {
        Refusal("tenant \(tenantID) has no count \(id): see `stockrecon count list --tenant \(tenantID)`")
    }

    /// A count by id (whichever tenant's: for those that know it is theirs).
    static func countSession(_ id: Int64, in db: any SQLConnection) throws -> CountSession {
        guard let row = try db.fetchOne(sql: """
            SELECT c.*, t.tenant_id AS tenant_text, o.org_id AS org_text, loc.location_id AS location_text,
                   s.user_id AS started_text, f.user_id AS finished_text
            FROM count_sessions c JOIN tenants t ON t.id = c.tenant JOIN catalog_orgs o ON o.id = c.org
            LEFT JOIN catalog_locations loc ON loc.id = c.location
            LEFT JOIN catalog_users s ON s.id = c.started_by LEFT JOIN catalog_users f ON f.id = c.finished_by
            WHERE c.id = ?
            """, arguments: [id])
        else { throw Refusal("there is no count \(id): see `stockrecon count list --tenant T`") }
        let type = try stored(CountType.self, row["type"], in: "count_sessions")
        let status = try stored(CountStatus.self, row["status"], in: "count_sessions")
        let uncounted = try (row["uncounted"] as String?).map { try stored(UncountedPolicy.self, $0, in: "count_sessions") }
        return CountSession(
            id: id, tenant: try row["tenant"], tenantID: try row["tenant_text"], org: try row["org"], orgID: try row["org_text"],
            name: try row["name"], type: type, status: status, location: try row["location"], locationID: try row["location_text"],
            notes: try row["notes"], startedAt: try row["started_at"],
            countedAt: try (row["counted_at"] as String?) ?? row["started_at"], ledgerMark: try row["ledger_mark"], startedBy: try row["started_text"], finishedAt: try row["finished_at"],
            finishedBy: try row["finished_text"], applied: (try row["applied"] as Int64?).map { $0 != 0 },
            uncounted: uncounted, reviewOverMinor: try row["review_over_minor"])
    }

    /// The latest count of an org with this name and location scope (not cancelled), for a
    /// pipeline run again: it resumes an open count, or finds that a completed one took its sheets.
    public static func latestCount(tenantID: String, orgID: String, name: String, locationID: String?, in db: any SQLConnection) throws -> CountSession? {
        guard let id = try db.fetchValue(Int64.self, sql: """
            SELECT c.id FROM count_sessions c JOIN tenants t ON t.id = c.tenant JOIN catalog_orgs o ON o.id = c.org
            WHERE t.tenant_id = ? AND o.org_id = ? AND c.name = ? AND c.location IS NOT DISTINCT FROM (
                SELECT id FROM catalog_locations WHERE tenant = c.tenant AND location_id = ?)
              AND c.status <> 'CANCELLED'
            ORDER BY c.id DESC LIMIT 1
            """, arguments: [tenantID, orgID, name, locationID])
        else { return nil }
        return try countSession(id, in: db)
    }

    /// A count of `tenantID` that still takes lines, or a refusal saying how it ended. The
    /// tenant's lock is taken before the status is read, so that a decision racing this one
    /// (complete, cancel, a sheet added) is seen, not overwritten.
    public static func openCount(_ id: Int64, tenantID: String, doing action: String, in db: any SQLConnection) throws -> CountSession {
        guard let tenant = try db.fetchValue(Int64.self, sql: """
            SELECT c.tenant FROM count_sessions c JOIN tenants t ON t.id = c.tenant WHERE c.id = ? AND t.tenant_id = ?
            """, arguments: [id, tenantID])
        else { throw noCount(id, tenantID: tenantID) }
        try db.lockLedger(tenant: tenant)
        let session = try countSession(id, in: db)
        guard session.status == .inProgress else {
            throw Refusal("count \(id) is \(session.status.rawValue.lowercased()) (at \(session.finishedAt ?? "?") by \(session.finishedBy ?? "?")): nothing can \(action) a finished count; start a new one")
        }
        return session
    }

    static func manager(_ userID: String, tenant: Int64, tenantID: String, doing action: String, in db: any SQLConnection) throws -> Catalog.User {
        let user = try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db)
        guard user.role == .manager else {
            throw Refusal("user \(userID) is \(user.role.rawValue): only a manager may \(action)")
        }
        return user
    }

    public static func cancelCount(_ id: Int64, tenantID: String, userID: String, in db: any SQLConnection) throws {
        let session = try openCount(id, tenantID: tenantID, doing: "cancel", in: db)
        let user = try manager(userID, tenant: session.tenant, tenantID: session.tenantID, doing: "cancel a count", in: db)
        try closeCount(id, sql: "status = 'CANCELLED', finished_at = ?, finished_by = ?", arguments: [now(), user.id], in: db)
    }

    /// Ends an open count, guarded by its status: a count closed meanwhile is refused, not rewritten.
    private static func closeCount(_ id: Int64, sql assignments: String, arguments: SQLArguments, in db: any SQLConnection) throws {
        guard try db.fetchValue(
            Int64.self, sql: "UPDATE count_sessions SET \(assignments) WHERE id = ? AND status = 'IN_PROGRESS' RETURNING id",
            arguments: arguments + [id]) != nil
        else { throw Refusal("count \(id) was completed or cancelled meanwhile: nothing was changed") }
    }

    // MARK: - Sheets

    /// The rows of a sheet already added to the count (by its bytes), nil for a new sheet.
    public static func addedSheetRows(count: Int64, sha256: String, in db: any SQLConnection) throws -> Int? {
        try db.fetchValue(Int.self, sql: "SELECT rows FROM count_sheets WHERE count = ? AND sha256 = ?", arguments: [count, sha256])
    }

    /// A sheet added to a count before, still counting.
    public struct AddedSheet: Sendable, Hashable {
        public var id: Int64
        public var path: String
        public var run: Int64
    }

    /// The sheet of the count, still counting, whose lines count exactly the items (variant,
    /// location, batch) that `sheet`'s lines count: a corrected copy, or the same sheet saved
    /// again. Compared by the database, so that neither sheet is held in memory.
    public static func sheetCountingTheSameItems(as sheet: Int64, count: Int64, in db: any SQLConnection) throws -> AddedSheet? {
        let earlier = try db.fetchAll(
            sql: "SELECT id FROM count_sheets WHERE count = ? AND id <> ? AND withdrawn_by IS NULL ORDER BY id", arguments: [count, sheet])
        guard !earlier.isEmpty,
              try db.fetchOne(sql: "SELECT 1 FROM count_lines WHERE count = ? AND sheet = ? LIMIT 1", arguments: [count, sheet]) != nil
        else { return nil }
        let items = "SELECT variant, location, batch FROM count_lines WHERE count = ? AND sheet = ?"
        for row in earlier {
            let candidate: Int64 = try row["id"]
            let differs = try db.fetchOne(sql: """
                SELECT 1 FROM (\(items) EXCEPT \(items)) a UNION ALL SELECT 1 FROM (\(items) EXCEPT \(items)) b LIMIT 1
                """, arguments: [count, sheet, count, candidate, count, candidate, count, sheet])
            if differs == nil { return try addedSheet(id: candidate, in: db) }
        }
        return nil
    }

    static func addedSheet(id: Int64, in db: any SQLConnection) throws -> AddedSheet? {
        try db.fetchOne(sql: "SELECT id, path, run FROM count_sheets WHERE id = ?", arguments: [id])
            .map { AddedSheet(id: try $0["id"], path: try $0["path"], run: try $0["run"]) }
    }

    /// The count's sheet, still counting, added under this name (as it was given, or its
    /// file name), or a refusal listing the sheets there are.
    public static func addedSheet(count: Int64, named name: String, in db: any SQLConnection) throws -> AddedSheet {
        let sheets = try db.fetchAll(sql: "SELECT id, path, run FROM count_sheets WHERE count = ? AND withdrawn_by IS NULL ORDER BY id", arguments: [count])
            .map { AddedSheet(id: try $0["id"], path: try $0["path"], run: try $0["run"]) }
        let fileName = { (path: String) in path.split(separator: "/").last.map(String.init) ?? path }
        let exact = sheets.filter { $0.path == name }
        let byFileName = sheets.filter { fileName($0.path) == fileName(name) }
        if let sheet = exact.first ?? (byFileName.count == 1 ? byFileName.first : nil) { return sheet }
        let listed = sheets.isEmpty ? "none" : sheets.map(\.path).joined(separator: ", ")
        throw Refusal("count \(count) has no sheet \(name) still counting to replace (its sheets: \(listed))")
    }

    /// Takes a sheet's lines out of the count, naming the sheet that replaced it.
    public static func withdrawSheet(_ sheet: Int64, replacedBy replacement: Int64, in db: any SQLConnection) throws {
        try db.execute(sql: "DELETE FROM count_lines WHERE sheet = ?", arguments: [sheet])
        try db.execute(
            sql: "UPDATE count_sheets SET withdrawn_by = ?, withdrawn_at = ? WHERE id = ? AND withdrawn_by IS NULL",
            arguments: [replacement, now(), sheet])
    }

    /// The sheets a count withdrew: each one's name and the name of the sheet that replaced it.
    public static func withdrawnSheets(count: Int64, in db: any SQLConnection) throws -> [(sheet: String, replacedBy: String)] {
        try db.fetchAll(sql: """
            SELECT s.path AS sheet, r.path AS replaced_by FROM count_sheets s JOIN count_sheets r ON r.id = s.withdrawn_by WHERE s.count = ? ORDER BY s.id
            """, arguments: [count]).map { (try $0["sheet"], try $0["replaced_by"]) }
    }

    /// Records a sheet; its lines follow through the writer, as they are read.
    public static func beginSheet(
        count: Int64, tenant: Int64, sha256: String, path: String, run: Int64, user: Int64, in db: any SQLConnection
    ) throws -> CountLineWriter {
        let sheet = try db.insert(
            sql: "INSERT INTO count_sheets (count, sha256, path, rows, run) VALUES (?, ?, ?, 0, ?)",
            arguments: [count, sha256, path, run])
        return try CountLineWriter(db, count: count, sheet: sheet, user: user, tenant: tenant)
    }

    // MARK: - Items

    /// A count's items: fixed figures for a completed count; for an open one, its lines as
    /// they stand and, with `uncounted`, the items in scope with stock that nobody counted
    /// (zero policy: counted as zero). In location and variant order, as people read them.
    public static func countItems(_ session: CountSession, uncounted: UncountedPolicy? = nil, in db: any SQLConnection) throws -> [StoredCountItem] {
        var items: [StoredCountItem] = []
        try forEachCountItem(session, uncounted: uncounted, byKey: false, in: db) { items.append($0) }
        return items
    }

    /// The items one at a time, row by row (a million rows fetched at once held twice the
    /// items' memory); `byKey`: by internal ids, the counted ones first, then the uncounted.
    public static func forEachCountItem(
        _ session: CountSession, uncounted: UncountedPolicy? = nil, byKey: Bool = false, in db: any SQLConnection,
        _ body: (StoredCountItem) throws -> Void
    ) throws {
        let source = session.status == .inProgress ? "count_items_now" : "count_results"
        try db.forEachRow(sql: """
            SELECT i.variant, i.location, v.variant_id, v.sku, loc.location_id, i.batch, i.system_quantity,
                   i.counted_quantity, i.moved_during_count, i.unit_cost_minor, i.reason, i.notes, i.rows, i.movement,
                   \(variantName("v")) AS name
            FROM \(source) i JOIN catalog_variants v ON v.id = i.variant JOIN catalog_locations loc ON loc.id = i.location
            WHERE i.count = ? ORDER BY \(byKey ? "i.variant, i.location" : "loc.location_id, v.variant_id")
            """, arguments: [session.id]) { try body(try storedItem($0)) }
        guard let uncounted, session.status == .inProgress, session.type.listsUncounted else { return }
        let countedAs: Int64? = uncounted == .zero ? 0 : nil
        try db.forEachRow(sql: """
            SELECT b.variant, b.location, v.variant_id, v.sku, loc.location_id, NULL AS batch,
                   COALESCE(s.on_hand, 0) AS system_quantity, CAST(? AS BIGINT) AS counted_quantity,
                   b.on_hand - COALESCE(s.on_hand, 0) AS moved_during_count, v.unit_cost_minor, NULL AS reason,
                   NULL AS notes, 0 AS rows, NULL AS movement, \(variantName("v")) AS name
            FROM stock_levels b
            JOIN catalog_variants v ON v.id = b.variant AND v.org_id = ?
            JOIN catalog_locations loc ON loc.id = b.location
            LEFT JOIN count_snapshots s ON s.count = ? AND s.variant = b.variant AND s.location = b.location
            WHERE b.tenant = ? AND b.on_hand <> 0 AND (CAST(? AS BIGINT) IS NULL OR b.location = ?)
              AND NOT EXISTS (SELECT 1 FROM count_lines l WHERE l.count = ? AND l.variant = b.variant AND l.location = b.location)
            ORDER BY \(byKey ? "b.variant, b.location" : "loc.location_id, v.variant_id")
            """, arguments: [countedAs, session.orgID, session.id, session.tenant, session.location, session.location, session.id]
        ) { try body(try storedItem($0)) }
    }

    /// The items of a completed count that posted a movement.
    public static func postedCountItems(_ countID: Int64, in db: any SQLConnection) throws -> [StockKey] {
        var keys: [StockKey] = []
        try db.forEachRow(sql: "SELECT variant, location FROM count_results WHERE count = ? AND movement IS NOT NULL", arguments: [countID]) {
            keys.append(StockKey(variant: try $0[0], location: try $0[1]))
        }
        return keys
    }

    /// By position, in the order both item queries select: found by name, each of a row's
    /// fifteen columns cost string comparisons (a third of reading a million items).
    private static func storedItem(_ row: SQLRow) throws -> StoredCountItem {
        try StoredCountItem(
            variant: row[0], location: row[1],
            item: CountItem(
                variantID: row[2], sku: row[3], locationID: row[4], batch: row[5], systemQuantity: row[6], countedQuantity: row[7],
                movedDuringCount: row[8], unitCostMinor: row[9], reason: row[10], notes: row[11], name: row[14]),
            rows: row[12], movementID: row[13])
    }

    // MARK: - Completion

    /// Completes a count: fixes every item's figures and, with `apply`, posts each variance
    /// as a pre-approved movement of kind `count` on top of what moved while counting. Only
    /// a manager may. One transaction (the caller's).
    public static func completeCount(
        _ id: Int64, tenantID: String, userID: String, apply: Bool, uncounted: UncountedPolicy, rules: CountRules,
        command: RunCommand, pageSize: Int? = nil, in db: any SQLConnection
    ) throws -> CountCompletion {
        // openCount takes the tenant's lock before the items' on-hand is read: another
        // process's posting waits for this one.
        let session = try openCount(id, tenantID: tenantID, doing: "complete", in: db)
        let user = try manager(userID, tenant: session.tenant, tenantID: session.tenantID, doing: "complete a count", in: db)
        try addBackdatedMovements(to: session, in: db)
        let run = try beginRun(tenant: session.tenant, orgID: session.orgID, command: command, in: db)
        let posting = try apply ? db.insert(
            sql: #"INSERT INTO postings (tenant, org, run, file, "user", approved_by) VALUES (?, ?, ?, NULL, ?, ?)"#,
            arguments: [session.tenant, session.org, run, user.id, user.id]) : nil
        // By key: the movements, results and balances are written in their indexes' order (in
        // location and variant codes', sorted in SQL, a million-line count's completion took 42 s).
        var writer = try CountCompletionWriter(
            db, count: id, tenant: session.tenant, posting: posting, countedAt: session.countedAt, run: run, rules: rules,
            pageSize: pageSize ?? CountCompletionWriter.pageSize)
        try forEachCountItem(session, uncounted: uncounted, byKey: true, in: db) { try writer.add($0) }
        try writer.finish()
        let (totals, counts) = (writer.totals, writer.counts)
        if apply {
            // Each counted item is a stock check at the count's time, copied from its results in
            // one statement (bound a row at a time, 100,000 checks took a fifth of a completion).
            try db.execute(sql: """
                INSERT INTO stock_checks (tenant, variant, location, checked_at, count, movement)
                SELECT ?, variant, location, ?, count, movement FROM count_results WHERE count = ? AND counted_quantity IS NOT NULL
                """, arguments: [session.tenant, session.countedAt, id])
        }
        try closeCount(id, sql: """
            status = 'COMPLETED', finished_at = ?, finished_by = ?, applied = ?, uncounted = ?, run = ?, review_over_minor = ?,
            items_counted = ?, items_with_discrepancy = ?, missing_value_minor = ?, excess_value_minor = ?, net_variance_minor = ?
            """, arguments: [
                now(), user.id, apply, uncounted.rawValue, run, rules.reviewOverValueMinor, totals.itemsCounted, totals.itemsWithDiscrepancy,
                totals.missingValueMinor, totals.excessValueMinor, totals.netVarianceMinor,
            ], in: db)
        try addCounts(counts, toRun: run, in: db)
        try finishRun(run, in: db)
        return CountCompletion(countID: id, runID: run, totals: totals, movementsPosted: writer.posted, counts: counts)
    }

    /// Movements posted while the count was open but dated at or before its time belong in
    /// its system quantities, not in what moved during the count.
    private static func addBackdatedMovements(to session: CountSession, in db: any SQLConnection) throws {
        guard let mark = session.ledgerMark else { return }
        // A movement without a date of its own, posted after the count started, happened after
        // it, whatever second it was recorded in: its stock date is taken as later than any.
        let since = try spans(tenant: session.tenant, in: db).filter { $0.lastID > mark && $0.earliest <= session.countedAt }
            .map { span in
                var undatedLater = span
                (undatedLater.recordedAt, undatedLater.latest) = ("~", "~")  // "~" sorts after every date
                return undatedLater
            }
        guard !since.isEmpty else { return }
        for (key, moved) in try db.sumMovements(since, fromID: mark, dates: StockDateRange(after: nil, through: session.countedAt)) where moved != 0 {
            if let location = session.location, location != key.location { continue }
            guard try db.fetchValue(
                Int64.self, sql: "SELECT id FROM catalog_variants WHERE id = ? AND org_id = ?", arguments: [key.variant, session.orgID]) != nil
            else { continue }
            if try db.fetchValue(Int64.self, sql: """
                UPDATE count_snapshots SET on_hand = on_hand + ? WHERE count = ? AND variant = ? AND location = ? RETURNING count
                """, arguments: [moved, session.id, key.variant, key.location]) == nil {
                try db.execute(
                    sql: "INSERT INTO count_snapshots (count, variant, location, on_hand) VALUES (?, ?, ?, ?)",
                    arguments: [session.id, key.variant, key.location, moved])
            }
        }
    }

    // MARK: - Blind sheets

    /// What a blind sheet lists (variant_id, sku, barcode, location_id), no quantities: with
    /// a location scope, every variant of the org there; without, every variant of the org
    /// where it has a balance, and at the org's default location where it has none.
    /// The lines are handed to `body` one at a time: a sheet of a million is never held.
    public func forEachBlindSheetItem(_ session: CountSession, _ body: ([String]) throws -> Void) throws {
        try read { db in
            let sql: String
            let arguments: SQLArguments
            if let location = session.location {
                (sql, arguments) = ("""
                    SELECT v.variant_id, v.sku, v.barcode, loc.location_id FROM catalog_variants v, catalog_locations loc
                    WHERE v.tenant = ? AND v.org_id = ? AND loc.id = ?
                    ORDER BY v.sku, v.variant_id
                    """, [session.tenant, session.orgID, location])
            } else {
                (sql, arguments) = ("""
                    SELECT v.variant_id, v.sku, v.barcode, loc.location_id FROM catalog_variants v
                    JOIN stock_levels s ON s.tenant = v.tenant AND s.variant = v.id
                    JOIN catalog_locations loc ON loc.id = s.location
                    WHERE v.tenant = ? AND v.org_id = ?
                    UNION ALL
                    SELECT v.variant_id, v.sku, v.barcode, o.default_location_id FROM catalog_variants v
                    JOIN catalog_orgs o ON o.tenant = v.tenant AND o.org_id = v.org_id
                    WHERE v.tenant = ? AND v.org_id = ?
                      AND NOT EXISTS (SELECT 1 FROM stock_levels s WHERE s.tenant = v.tenant AND s.variant = v.id)
                    ORDER BY 4, 2, 1
                    """, [session.tenant, session.orgID, session.tenant, session.orgID])
            }
            try db.forEachRow(sql: sql, arguments: arguments) { row in try body((0..<4).map { (try row[$0] as String?) ?? "" }) }
        }
    }

    // MARK: - Lists

    public static let countColumns = [
        "id", "org_id", "name", "type", "status", "location_id", "started_at", "completed_at", "started_by",
        "items_counted", "items_with_discrepancy", "missing_value_minor", "excess_value_minor", "net_variance_minor",
    ]

    /// A tenant's counts, newest first.
    public func counts(tenantID: String) throws -> ResultTable {
        let (sql, arguments) = Self.query(Store.countColumns, from: "stock_counts", tenantID: tenantID, filters: [])
        return try table(sql: sql + " ORDER BY id DESC", arguments: arguments, columns: Store.countColumns)
    }
}
