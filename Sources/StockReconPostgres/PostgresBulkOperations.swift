import StockReconCore
import StockReconStore

/// PostgreSQL's hot paths: rows streamed as COPY text, balances updated as arrays in one
/// statement; a key or balance looked up alone costs a round trip.
extension PostgresStoreConnection: BulkOperations {
    func movementAppender(posting: Int64, tenant: Int64) throws -> any MovementAppending {
        LedgerCopier(self, posting: posting, tenant: tenant)
    }

    func rowAppender(table: String, columns: [String]) throws -> any RowAppending {
        PostgresRowCopier(self, table: table, columns: columns)
    }

    func binaryRowAppender(table: String, columns: [String]) throws -> any RowAppending {
        PostgresRowCopier(self, table: table, columns: columns, binary: true)
    }

    /// The tenant is written, not left to the column's default: a default read a row costs a
    /// million-line sheet a fifth of a second.
    func countLineAppender(count: Int64, sheet: Int64, user: Int64, tenant: Int64) throws -> any CountLineAppending {
        PostgresCountLines(
            PostgresRowCopier(self, table: "count_lines", columns: BulkSQL.countLineColumns + ["tenant"]), count: count, sheet: sheet, user: user,
            tenant: tenant)
    }

    func forEachKey(tenant: Int64, _ body: (BorrowedText, Int64, Int64) throws -> Void) throws {
        for row in try fetchAll(sql: BulkSQL.keyScan, arguments: [tenant]) {
            var key: String = try row[0]
            let (digest, code): (Int64, Int64) = (try row[1], try row[2])
            try key.withUTF8 { try body(BorrowedText($0), digest, code) }
        }
    }

    func keyLookup(tenant: Int64) throws -> any KeyLookup {
        PostgresLookups(self, tenant: tenant)
    }

    func keyRowWriter(tenant: Int64, keepingStored: Bool) throws -> any KeyRowWriting {
        PostgresKeyRows(self, tenant: tenant, keepingStored: keepingStored)
    }

    /// A page of rows at a time, by id (libpq holds a whole result in memory), each lent where
    /// libpq holds it.
    func forEachVariant(tenant: Int64, borrowing body: (Catalog.BorrowedVariant) throws -> Void) throws {
        try endCopy()
        let page = 50_000
        let sql = numberedPlaceholders(
            "SELECT \(BulkSQL.variantColumns) FROM catalog_variants WHERE tenant = ? AND id > ? ORDER BY id LIMIT \(page)")
        var after: Int64 = 0
        while true {
            let count = try connection.execute(sql, [String(tenant), String(after)]) { row in
                guard let id = row.integer(0), let variantID = row.text(1), let orgID = row.text(3) else {
                    throw PostgresError(message: "a catalog variant's id, variant_id or org_id is NULL", sqlState: nil, connectionLost: false)
                }
                after = id
                try body(Catalog.BorrowedVariant(
                    id: id, variantID: BorrowedText(variantID), productID: row.text(2).map(BorrowedText.init), orgID: BorrowedText(orgID),
                    sku: row.text(4).map(BorrowedText.init), barcode: row.text(5).map(BorrowedText.init),
                    unitCostMinor: row.integer(6), isLocationAware: row.integer(7).map { $0 != 0 } ?? false))
            }
            if count < page { return }
        }
    }

    /// Through a cursor: a checkpoint reads every balance of a tenant, however many.
    func forEachBalance(tenant: Int64, _ body: (Int64, Int64, Int64) throws -> Void) throws {
        try forEachRow(sql: BulkSQL.balanceScan, arguments: [tenant]) { row in try body(try row[0], try row[1], try row[2]) }
    }

    func balanceLookup(tenant: Int64) throws -> any BalanceLookup {
        PostgresLookups(self, tenant: tenant)
    }

    /// The stored balances changed in one UPDATE, the keys as arrays; the new ones by COPY,
    /// faster than `INSERT … ON CONFLICT DO UPDATE` of each. The tenant's lock makes
    /// `isStored` exact.
    func writeBalances(_ changed: [BalanceChange], tenant: Int64) throws {
        let stored = changed.filter(\.isStored)
        if !stored.isEmpty {
            // Each by the index, in key order: hashed, the tenant's every balance was read for
            // each chunk (65,536 of 975,432 balances: 0.95 s; so, 0.28-0.44 s).
            try withSettingsOff(["enable_hashjoin", "enable_mergejoin", "jit"]) {
                try execute(sql: """
                    UPDATE stock_levels AS s SET on_hand = u.on_hand
                    FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS u (variant, location, on_hand)
                    WHERE s.tenant = ? AND s.variant = u.variant AND s.location = u.location
                    """, arguments: [stored.map(\.variant).postgresArray, stored.map(\.location).postgresArray, stored.map(\.onHand).postgresArray, tenant])
            }
        }
        // Written as numbers, and the COPY left open for the next chunk: ended a chunk, the
        // server stored each while the client stood waiting, then built the next while it idled.
        let inserter = PostgresRowCopier(self, table: "stock_levels", columns: ["tenant", "variant", "location", "on_hand"])
        for balance in changed where !balance.isStored {
            try inserter.append { text in
                CopyText.appendNumber(tenant, to: &text)
                CopyText.appendField(balance.variant, to: &text)
                CopyText.appendField(balance.location, to: &text)
                CopyText.appendField(balance.onHand, to: &text)
            }
        }
        try inserter.sendHeld()
    }

    /// Has the planner count the rows now, in this transaction, rather than when autovacuum
    /// next looks: planned on statistics from before them, a join takes them for one row.
    func refreshStatistics(of table: String) throws {
        // The count is what the planner lacked: 9,000 sampled rows give it (autovacuum's 30,000
        // took a million-movement ledger 0.23 s, these 0.07 s).
        try analyze(table, columns: [], statisticsTarget: 30)
    }

    func refreshStatistics(of table: String, columns: [String], added: Int64) throws {
        let counted = try fetchValue(
            Int64.self, sql: "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = to_regclass(?)", arguments: [table]) ?? -1
        guard added >= counted else { return }
        // Any column list counts the rows; 3,000 sampled rows of ten columns took a
        // million-movement ledger 0.03 s, against 0.07 s for all twenty from 9,000.
        try analyze(table, columns: columns, statisticsTarget: 10)
    }

    /// ANALYZE of `columns` (all when empty), sampling 300 rows per point of `statisticsTarget`.
    private func analyze(_ table: String, columns: [String], statisticsTarget: Int) throws {
        try execute(sql: "SET default_statistics_target = \(statisticsTarget)")
        defer { _ = try? execute(sql: "RESET default_statistics_target") }
        try execute(sql: "ANALYZE \(table)" + (columns.isEmpty ? "" : " (\(columns.joined(separator: ", ")))"))
    }
}

/// A tenant with more keys or balances than are held: a round trip each.
final class PostgresLookups: BatchKeyLookup, BatchBalanceLookup {
    private let db: PostgresStoreConnection
    private let tenant: Int64

    init(_ db: PostgresStoreConnection, tenant: Int64) {
        self.db = db
        self.tenant = tenant
    }

    func stored(_ key: BorrowedText) throws -> (digest: Int64, outcomeCode: Int64)? {
        try db.fetchOne(sql: BulkSQL.keyLookup, arguments: [tenant, key.string]).map { (try $0[0], try $0[1]) }
    }

    /// As the balances are read ahead (`onHand(of:)`): in byte order, each key by the index.
    func stored(_ keys: [String]) throws -> [(place: Int, digest: Int64, outcomeCode: Int64)] {
        guard !keys.isEmpty else { return [] }
        let order = keys.indices.sorted { keys[$0].utf8.lexicographicallyPrecedes(keys[$1].utf8) }
        return try db.withoutJIT { try db.fetchAll(sql: """
            SELECT k.place, i.content_digest, i.code FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[])) AS k (key, place)
            CROSS JOIN LATERAL (
                SELECT content_digest, \(Outcome.codeSQL) AS code FROM idempotency_keys WHERE tenant = ? AND key = k.key OFFSET 0) i
            """, arguments: [order.map { keys[$0] }.postgresArray, order.postgresArray, tenant]
        ).map { row in (try row[0], try row[1], try row[2]) } }
    }

    func onHand(variant: Int64, location: Int64) throws -> Int64? {
        try db.fetchValue(Int64.self, sql: BulkSQL.balanceLookup, arguments: [tenant, variant, location])
    }

    /// One statement for them all, the keys as arrays: a statement a key waited a round trip
    /// each (a million rows over a tenant's million balances: 120 s). In key order, each by the
    /// index: joined, the planner hashed the whole table for every batch (32,768 keys over
    /// 975,432 balances: 0.44 s; so, 0.14-0.22 s).
    func onHand(of keys: [StockKey]) throws -> [(key: StockKey, onHand: Int64)] {
        guard !keys.isEmpty else { return [] }
        let sorted = keys.sorted { ($0.variant, $0.location) < ($1.variant, $1.location) }
        return try db.withoutJIT { try db.fetchAll(sql: """
            SELECT k.variant, k.location, s.on_hand FROM unnest(CAST(? AS BIGINT[]), CAST(? AS BIGINT[])) AS k (variant, location)
            CROSS JOIN LATERAL (SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = k.variant AND location = k.location OFFSET 0) s
            """, arguments: [sorted.map(\.variant).postgresArray, sorted.map(\.location).postgresArray, tenant]
        ).map { row in (StockKey(variant: try row[0], location: try row[1]), try row[2]) } }
    }
}

/// Keys as `idempotency_keys` rows: by COPY, or where a stored key keeps its row, many to
/// an `INSERT … ON CONFLICT` as arrays. Statements of 32 rows of parameters took a million
/// keys a minute.
final class PostgresKeyRows: KeyRowWriting {
    private let db: PostgresStoreConnection
    private let tenant: Int64
    private let keepingStored: Bool
    static let rowsPerStatement = 50_000

    init(_ db: PostgresStoreConnection, tenant: Int64, keepingStored: Bool) {
        self.db = db
        self.tenant = tenant
        self.keepingStored = keepingStored
    }

    func insert(_ order: [Int], of index: TextIndex, digests: [Int64], outcomes: [Outcome], run: Int64) throws {
        if keepingStored { return try insertKeepingStored(order, of: index, digests: digests, outcomes: outcomes, run: run) }
        let copier = PostgresRowCopier(db, table: "idempotency_keys", columns: ["tenant", "key", "content_digest", "outcome", "run"])
        for entry in order {
            try copier.append { text in
                CopyText.appendNumber(tenant, to: &text)
                text.append(UInt8(ascii: "\t"))
                index.withKey(ofEntry: entry) { CopyText.appendEscaped($0, to: &text) }
                CopyText.appendField(digests[entry], to: &text)
                text.append(UInt8(ascii: "\t"))
                text += outcomes[entry].rawValue.utf8
                CopyText.appendField(run, to: &text)
            }
        }
        try copier.finish()
    }

    private func insertKeepingStored(_ order: [Int], of index: TextIndex, digests: [Int64], outcomes: [Outcome], run: Int64) throws {
        var start = 0
        while start < order.count {
            let entries = order[start ..< min(start + Self.rowsPerStatement, order.count)]
            try db.execute(sql: """
                INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run)
                SELECT ?, u.key, u.digest, u.outcome, ? FROM unnest(CAST(? AS TEXT[]), CAST(? AS BIGINT[]), CAST(? AS TEXT[])) AS u (key, digest, outcome)
                ON CONFLICT DO NOTHING
                """, arguments: [
                    tenant, run, entries.map { entry in index.withKey(ofEntry: entry) { String(decoding: $0, as: UTF8.self) } }.postgresArray,
                    entries.map { digests[$0] }.postgresArray, entries.map { outcomes[$0].rawValue }.postgresArray,
                ])
            start = entries.endIndex
        }
    }
}

/// A count sheet's lines through one COPY.
final class PostgresCountLines: CountLineAppending {
    private let copier: PostgresRowCopier
    private let count: Int64
    private let sheet: Int64
    private let user: Int64
    private let tenant: Int64

    init(_ copier: PostgresRowCopier, count: Int64, sheet: Int64, user: Int64, tenant: Int64) {
        self.copier = copier
        self.count = count
        self.sheet = sheet
        self.user = user
        self.tenant = tenant
    }

    func append(_ line: CountedLine) throws {
        try copier.append(values: [
            .integer(count), .integer(sheet), .integer(Int64(line.line)), .integer(line.variant), .integer(line.location),
            .text(line.batch), .integer(line.counted), line.reason.map(SQLValue.text) ?? .null,
            line.notes.map(SQLValue.text) ?? .null, .integer(user), .integer(tenant),
        ])
    }

    func finish() throws { try copier.finish() }
}

/// Rows for one table by one `COPY … FROM STDIN`, streamed as they come (a statement a row
/// waited a round trip each). Another statement on the connection ends the COPY too.
final class PostgresRowCopier: RowAppending {
    static let bytesPerSend = 1 << 20
    private let db: PostgresStoreConnection
    private let copySQL: String
    /// COPY's binary format (`CopyBinary`) rather than text: every value of its column's type.
    private let isBinary: Bool
    /// COPY text (or binary rows) not yet sent.
    private var text: [UInt8] = []

    init(_ db: PostgresStoreConnection, table: String, columns: [String], binary: Bool = false) {
        self.db = db
        isBinary = binary
        copySQL = "COPY \(table) (\(columns.joined(separator: ", "))) FROM STDIN" + (binary ? " WITH (FORMAT binary)" : "")
    }

    func append(values row: [SQLValue]) throws {
        if isBinary { return try append { CopyBinary.appendRow(row, to: &$0) } }
        // Each value in the text form a statement's parameter takes, escaped for COPY, written
        // straight into the buffer: made a string each first, a million movements' runs kept
        // the server waiting on their hex a quarter of a second.
        try append { text in
            for (index, value) in row.enumerated() {
                if index > 0 { text.append(UInt8(ascii: "\t")) }
                switch value {
                case .null: CopyText.appendNull(to: &text)
                case .integer(let integer): CopyText.appendNumber(integer, to: &text)
                case .text(var string): string.withUTF8 { CopyText.appendEscaped($0, to: &text) }
                case .blob(let bytes): CopyText.appendBytea(bytes, to: &text)
                }
            }
        }
    }

    /// A row whose fields `write` puts in COPY text itself (tab-separated, escaped; or binary,
    /// whole, for a binary copier): a row of numbers without a value made of each.
    func append(_ write: (inout [UInt8]) -> Void) throws {
        write(&text)
        if !isBinary { text.append(UInt8(ascii: "\n")) }
        if text.count >= Self.bytesPerSend { try sendHeld() }
    }

    /// Sends what is held and ends the COPY, so that every row is in the table.
    func finish() throws {
        try sendHeld()
        try db.endCopy()
    }

    /// Sends what is held, the COPY left open: the next statement ends it, and so reads the rows.
    func sendHeld() throws {
        guard !text.isEmpty else { return }
        try db.streamCopy(copySQL, text, header: isBinary ? CopyBinary.header : [])
        text.removeAll(keepingCapacity: true)
    }
}

extension PostgresStoreConnection {
    /// Summed by the server, a statement a posting: its spans' ids as one range, which the
    /// date filter keeps exact (a span not given lies wholly outside the dates). Given
    /// as arrays, a posting's many spans made a hash join test every span against every row.
    func sumMovements(_ spans: [PostingSpan], fromID: Int64, dates: StockDateRange) throws -> [StockKey: Int64] {
        var ranges: [Int64: (first: Int64, last: Int64, recordedAt: String)] = [:]
        for span in spans where span.lastID > fromID {
            let first = max(span.firstID, fromID + 1)
            ranges[span.posting] = ranges[span.posting].map { (min($0.first, first), max($0.last, span.lastID), $0.recordedAt) }
                ?? (first, span.lastID, span.recordedAt)
        }
        var sums: [StockKey: Int64] = [:]
        let filter = dates.filter
        // A tenant's 100,000 sums spilled to disk in the default 4 MB (2.7 s for 5,000,000
        // movements against 2.2 s in memory); compiling the query took longer than it saved.
        try execute(sql: "SET work_mem = '64MB'")
        defer { _ = try? execute(sql: "RESET work_mem") }
        try withoutJIT {
            for (posting, range) in ranges.sorted(by: { $0.key < $1.key }) {
                for row in try fetchAll(sql: """
                    SELECT variant, location, sum(quantity_delta) AS delta FROM ledger
                    WHERE id BETWEEN ? AND ? AND posting = ? AND \(filter.sql)
                    GROUP BY variant, location
                    """, arguments: SQLArguments([range.first, range.last, posting] + filter.arguments(range.recordedAt).map { $0 as (any SQLBindable)? })) {
                    // The server sums exactly (numeric): a sum beyond 64 bits arrives as a longer number.
                    guard let delta = Int64(try row["delta"] as String) else { throw SQLDecodingError(message: "a balance beyond 64 bits") }
                    sums[StockKey(variant: try row["variant"], location: try row["location"]), default: 0] += delta
                }
            }
        }
        return sums
    }

    /// Runs `body` with the server's JIT compiler off: the statements here are many and short,
    /// and a planner's estimate over a large table had each compiled (a batch's 4,096 keys
    /// looked up in 20 ms, then compiled for 170 ms).
    func withoutJIT<T>(_ body: () throws -> T) throws -> T {
        try withSettingsOff(["jit"], body)
    }

    /// Runs `body` with the server's `settings` (booleans) off, each reset after.
    func withSettingsOff<T>(_ settings: [String], _ body: () throws -> T) throws -> T {
        for setting in settings { try execute(sql: "SET \(setting) = off") }
        defer { for setting in settings { _ = try? execute(sql: "RESET \(setting)") } }
        return try body()
    }
}
