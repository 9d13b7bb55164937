import StockReconCore
import StockReconStore

/// SQLite's hot paths: prepared statements bound through the C API (`FastStatement`), in
/// process, many rows a statement where rows are written.
extension SQLiteConnection: BulkOperations {
    /// SQLite's ledger rows name their tenant through their posting.
    func movementAppender(posting: Int64, tenant: Int64) throws -> any MovementAppending {
        try SQLiteMovementAppender(self, posting: posting)
    }

    func rowAppender(table: String, columns: [String]) throws -> any RowAppending {
        try SQLiteRowAppender(self, table: table, columns: columns)
    }

    func binaryRowAppender(table: String, columns: [String]) throws -> any RowAppending {
        try SQLiteRowAppender(self, table: table, columns: columns)
    }

    func approvalAppender(_ file: HeldFile) throws -> any ApprovalAppending {
        try SQLiteApprovals(self, file: file)
    }

    func countLineAppender(count: Int64, sheet: Int64, user: Int64, tenant: Int64) throws -> any CountLineAppending {
        try SQLiteCountLines(self, count: count, sheet: sheet, user: user)
    }

    func forEachKey(tenant: Int64, _ body: (BorrowedText, Int64, Int64) throws -> Void) throws {
        var scan = try FastStatement(self, sql: BulkSQL.keyScan)
        scan.reset()
        scan.bind(tenant, at: 1)
        while try scan.step() {
            let (digest, code) = (scan.int64(column: 1), scan.int64(column: 2))
            try scan.withText(column: 0) { try body($0, digest, code) }
        }
    }

    func keyLookup(tenant: Int64) throws -> any KeyLookup {
        try SQLiteKeyLookup(self, tenant: tenant)
    }

    func keyRowWriter(tenant: Int64, keepingStored: Bool) throws -> any KeyRowWriting {
        try SQLiteKeyRows(self, tenant: tenant, keepingStored: keepingStored)
    }

    func forEachVariant(tenant: Int64, borrowing body: (Catalog.BorrowedVariant) throws -> Void) throws {
        // The tenant's id range, then the table in id order over it: SQLite's own plan found each
        // row through the tenant's index and sorted them all again, eight times slower.
        guard let range = try fetchOne(sql: "SELECT min(id), max(id) FROM catalog_variants WHERE tenant = ?", arguments: [tenant]),
              let low: Int64 = try range[0], let high: Int64 = try range[1]
        else { return }
        var scan = try FastStatement(
            self, sql: "SELECT \(BulkSQL.variantColumns) FROM catalog_variants WHERE id BETWEEN ? AND ? AND +tenant = ? ORDER BY id")
        scan.reset()
        scan.bind(low, at: 1)
        scan.bind(high, at: 2)
        scan.bind(tenant, at: 3)
        func text(_ column: Int32) -> BorrowedText? { scan.isNull(column: column) ? nil : scan.borrowedText(column: column) }
        while try scan.step() {
            try body(Catalog.BorrowedVariant(
                id: scan.int64(column: 0), variantID: scan.borrowedText(column: 1), productID: text(2), orgID: scan.borrowedText(column: 3),
                sku: text(4), barcode: text(5), unitCostMinor: scan.isNull(column: 6) ? nil : scan.int64(column: 6),
                isLocationAware: scan.int64(column: 7) != 0))
        }
    }

    func forEachBalance(tenant: Int64, _ body: (Int64, Int64, Int64) throws -> Void) throws {
        var scan = try FastStatement(self, sql: BulkSQL.balanceScan)
        scan.reset()
        scan.bind(tenant, at: 1)
        while try scan.step() { try body(scan.int64(column: 0), scan.int64(column: 1), scan.int64(column: 2)) }
    }

    func balanceLookup(tenant: Int64) throws -> any BalanceLookup {
        try SQLiteBalanceLookup(self, tenant: tenant)
    }

    /// New balances go many a statement (a statement each was most of the end of a large first
    /// import), `OR FAIL` so that SQLite keeps no statement journal: a key stored already is a
    /// fault, and the posting's transaction rolls back.
    func writeBalances(_ changed: [BalanceChange], tenant: Int64) throws {
        var update = try FastStatement(self, sql: "UPDATE stock_levels SET on_hand = ? WHERE tenant = ? AND variant = ? AND location = ?")
        var inserts = try GroupedInsert<BalanceChange>(
            self, "INSERT OR FAIL INTO stock_levels (on_hand, tenant, variant, location)", columns: 4, rowsPerInsert: 128
        ) { statement, offset in statement.bind(tenant, at: offset + 2) }
        let bind: GroupedInsert<BalanceChange>.Bind = { statement, balance, offset in
            statement.bind(balance.onHand, at: offset + 1)
            statement.bind(balance.variant, at: offset + 3)
            statement.bind(balance.location, at: offset + 4)
        }
        for balance in changed {
            guard balance.isStored else {
                try inserts.append(balance, bind)
                continue
            }
            update.reset()
            update.bind(balance.onHand, at: 1)
            update.bind(tenant, at: 2)
            update.bind(balance.variant, at: 3)
            update.bind(balance.location, at: 4)
            try update.step()
        }
        try inserts.insertHeld(bind)
    }

    func refreshStatistics(of table: String) throws {}

    func refreshStatistics(of table: String, columns: [String], added: Int64) throws {}
}

/// One key at a time, by a statement prepared once.
final class SQLiteKeyLookup: KeyLookup {
    private var statement: FastStatement
    private let tenant: Int64

    init(_ db: SQLiteConnection, tenant: Int64) throws {
        statement = try FastStatement(db, sql: BulkSQL.keyLookup)
        self.tenant = tenant
    }

    func stored(_ key: BorrowedText) throws -> (digest: Int64, outcomeCode: Int64)? {
        statement.reset()
        statement.bind(tenant, at: 1)
        key.withBytes { bytes in statement.bindTransient(bytes, at: 2) }
        guard try statement.step() else { return nil }
        return (statement.int64(column: 0), statement.int64(column: 1))
    }
}

/// One balance at a time, by a statement prepared once.
final class SQLiteBalanceLookup: BalanceLookup {
    private var statement: FastStatement
    private let tenant: Int64

    init(_ db: SQLiteConnection, tenant: Int64) throws {
        statement = try FastStatement(db, sql: BulkSQL.balanceLookup)
        self.tenant = tenant
    }

    func onHand(variant: Int64, location: Int64) throws -> Int64? {
        statement.reset()
        statement.bind(tenant, at: 1)
        statement.bind(variant, at: 2)
        statement.bind(location, at: 3)
        return try statement.step() ? statement.int64(column: 0) : nil
    }
}

/// Keys as `idempotency_keys` rows, in the order given (key order, so that the B-tree takes
/// them page by page), `BulkSQL.keyRowsPerInsert` to a statement.
final class SQLiteKeyRows: KeyRowWriting {
    private let tenant: Int64
    private var insertOne: FastStatement
    private var insertMany: FastStatement

    init(_ db: SQLiteConnection, tenant: Int64, keepingStored: Bool) throws {
        self.tenant = tenant
        insertOne = try FastStatement(db, sql: BulkSQL.keyInsert(rows: 1, keepingStored: keepingStored))
        insertMany = try FastStatement(db, sql: BulkSQL.keyInsert(rows: BulkSQL.keyRowsPerInsert, keepingStored: keepingStored))
    }

    func insert(_ order: [Int], of index: TextIndex, digests: [Int64], outcomes: [Outcome], run: Int64) throws {
        let tenant = tenant
        func bind(_ entry: Int, to statement: inout FastStatement, offset: Int32) {
            statement.bind(tenant, at: offset + 1)
            index.withKey(ofEntry: entry) { statement.bindTransient($0, at: offset + 2) }
            statement.bind(digests[entry], at: offset + 3)
            outcomes[entry].rawValue.withBytes { statement.bindTransient($0, at: offset + 4) }
            statement.bind(run, at: offset + 5)
        }
        var next = 0
        let perInsert = BulkSQL.keyRowsPerInsert
        while next + perInsert <= order.count {
            insertMany.reset()
            for slot in 0 ..< perInsert { bind(order[next + slot], to: &insertMany, offset: Int32(slot) * 5) }
            _ = try insertMany.step()
            next += perInsert
        }
        for entry in order[next...] {
            insertOne.reset()
            bind(entry, to: &insertOne, offset: 0)
            _ = try insertOne.step()
        }
    }
}

extension SQLiteConnection {
    /// Each span's rows read in id order in process and summed in a balance book (a GROUP BY
    /// would sort them first). A span wholly within `dates` is read without its dates:
    /// `occurred_at` lies at the far end of a ledger row.
    func sumMovements(_ spans: [PostingSpan], fromID: Int64, dates: StockDateRange) throws -> [StockKey: Int64] {
        var sums = StockSums()
        let filter = dates.filter
        var dated = try FastStatement(self, sql: """
            SELECT variant, location, quantity_delta FROM ledger WHERE id BETWEEN ? AND ? AND posting = ? AND \(filter.sql)
            """)
        var whole = try FastStatement(self, sql: "SELECT variant, location, quantity_delta FROM ledger WHERE id BETWEEN ? AND ? AND posting = ?")
        defer {
            dated.reset()
            whole.reset()
        }
        for span in spans where span.lastID > fromID {
            let isWhole = dates.holdsWhole(span)
            func scan(_ statement: inout FastStatement) throws {
                statement.reset()
                statement.bind(max(span.firstID, fromID + 1), at: 1)
                statement.bind(span.lastID, at: 2)
                statement.bind(span.posting, at: 3)
                if !isWhole {
                    for (index, argument) in filter.arguments(span.recordedAt).enumerated() { statement.bind(text: argument, at: Int32(4 + index)) }
                }
                while try statement.step() { sums.add(variant: statement.int64(column: 0), location: statement.int64(column: 1), statement.int64(column: 2)) }
            }
            if isWhole { try scan(&whole) } else { try scan(&dated) }
        }
        return sums.dictionary
    }
}
