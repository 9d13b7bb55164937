import StockReconCore

/// The hot paths, each backend's fastest way to move many rows (SQLite: prepared statements
/// bound through its C API, in process; PostgreSQL: COPY text streamed, arrays for lookups).
/// Shared code asks for a writer or a scan here and never asks which backend it has.
public protocol BulkOperations {
    /// Appends one posting (of `tenant`)'s movements, in ledger order.
    func movementAppender(posting: Int64, tenant: Int64) throws -> any MovementAppending
    /// Appends rows to `table` (`columns` as SQL names, `"user"` quoted).
    func rowAppender(table: String, columns: [String]) throws -> any RowAppending
    /// The same for rows whose every value is of its column's type (integers BIGINT, texts TEXT,
    /// blobs BYTEA), which PostgreSQL takes in COPY's binary form, as stored: packed runs and blocks.
    func binaryRowAppender(table: String, columns: [String]) throws -> any RowAppending
    /// Appends one file's rows held for approval.
    func approvalAppender(_ file: HeldFile) throws -> any ApprovalAppending
    /// Appends a count sheet's lines (the count is `tenant`'s).
    func countLineAppender(count: Int64, sheet: Int64, user: Int64, tenant: Int64) throws -> any CountLineAppending
    /// Calls `body` with each stored natural key of the tenant (`idempotency_keys`), its
    /// content digest and its outcome's storage code.
    func forEachKey(tenant: Int64, _ body: (BorrowedText, Int64, Int64) throws -> Void) throws
    /// Looks keys up one at a time, for a tenant with more than are held in memory.
    func keyLookup(tenant: Int64) throws -> any KeyLookup
    /// Writes keys as `idempotency_keys` rows; `keepingStored`: a key already stored keeps its row.
    func keyRowWriter(tenant: Int64, keepingStored: Bool) throws -> any KeyRowWriting
    /// Calls `body` with each stored balance of the tenant: variant, location, on-hand.
    func forEachBalance(tenant: Int64, _ body: (Int64, Int64, Int64) throws -> Void) throws
    /// Looks balances up one at a time, for a tenant with more than one scan reads.
    func balanceLookup(tenant: Int64) throws -> any BalanceLookup
    /// Writes changed balances in key order: an update where one is stored, an insert where not.
    func writeBalances(_ changed: [BalanceChange], tenant: Int64) throws
    /// Sums the movements of `spans` with ids above `fromID` by variant and location: those
    /// whose stock date (`occurred_at`, else the span's `recordedAt`) lies in `dates`. A span
    /// not given lies wholly outside them.
    func sumMovements(_ spans: [PostingSpan], fromID: Int64, dates: StockDateRange) throws -> [StockKey: Int64]
    /// Calls `body` with each of the tenant's variants in catalog order (by internal id), its
    /// texts lent for the call only, where the backend holds them; none held after: a catalog of
    /// a million is read without its rows in memory at once.
    func forEachVariant(tenant: Int64, borrowing body: (Catalog.BorrowedVariant) throws -> Void) throws
    /// After many rows went into `table` at once, has the planner count them now, in this
    /// transaction (PostgreSQL); SQLite's planner keeps no such statistics.
    func refreshStatistics(of table: String) throws
    /// The same, of `columns` only (those statements filter, join or group on), only when
    /// `added` rows are at least as many as the planner counted in it: the table at least
    /// doubled since (autovacuum counts a table again once a tenth of it changed).
    func refreshStatistics(of table: String, columns: [String], added: Int64) throws
}

/// A balance a file changed; `isStored`: it has a row already.
public struct BalanceChange: Sendable {
    public var variant: Int64
    public var location: Int64
    public var onHand: Int64
    public var isStored: Bool
}

/// Appends one posting's movements (`BulkOperations.movementAppender`).
public protocol MovementAppending: AnyObject {
    /// Holds row `row` of `batch` as a movement; it may point into the batch's arena until `endBatch`.
    func append(_ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64) throws
    /// Writes what points into the batch's arena, before the arena goes.
    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws
    /// Writes the rows held, so that the file's transaction reads them, and returns the ids of
    /// `variant`'s movements written that `VariantMovements` does not list yet.
    func written(variant: Int64, _ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws -> [Int64]
    /// Writes the rest and each variant's runs (`VariantMovements`); before the transaction commits.
    func finish() throws
    /// The stock dates and ids of the movements appended, once finished.
    var spans: SpanBook { get }
}

/// Appends rows to one table; `finish` writes what is held.
public protocol RowAppending: AnyObject {
    func append(values: [SQLValue]) throws
    func finish() throws
}

/// Appends a count sheet's lines; `finish` writes what is held.
public protocol CountLineAppending: AnyObject {
    func append(_ line: CountedLine) throws
    func finish() throws
}

/// One key's content digest and outcome's storage code, nil for a key never stored.
public protocol KeyLookup: AnyObject {
    func stored(_ key: BorrowedText) throws -> (digest: Int64, outcomeCode: Int64)?
}

/// A key lookup whose batches' keys are best read at once, ahead of their rows, where each
/// key would wait a round trip (PostgreSQL). SQLite, in process, reads each as its row is claimed.
public protocol BatchKeyLookup: KeyLookup {
    /// The content digest and outcome's storage code of those of `keys` that are stored, by
    /// their place in `keys`, in any order.
    func stored(_ keys: [String]) throws -> [(place: Int, digest: Int64, outcomeCode: Int64)]
}

/// Writes entries of a `TextIndex` (which also index `digests` and `outcomes`) as key rows, in `order`.
public protocol KeyRowWriting: AnyObject {
    func insert(_ order: [Int], of index: TextIndex, digests: [Int64], outcomes: [Outcome], run: Int64) throws
}

/// One balance's stored on-hand, nil for none.
public protocol BalanceLookup: AnyObject {
    func onHand(variant: Int64, location: Int64) throws -> Int64?
}

/// A lookup whose batches' balances are best read at once, ahead of their rows, where each
/// key would wait a round trip (PostgreSQL). SQLite, in process, reads each as its row is
/// posted, with the book's prefetching.
public protocol BatchBalanceLookup: BalanceLookup {
    /// The stored on-hand of those of `keys` that have one, in any order.
    func onHand(of keys: [StockKey]) throws -> [(key: StockKey, onHand: Int64)]
}

/// The statements the backends' bulk operations share.
package enum BulkSQL {
    /// A catalog variant's columns, in `Catalog.Variant`'s order (`Catalog.Variant(storedRow:)`).
    package static let variantColumns = "id, variant_id, product_id, org_id, sku, barcode, unit_cost_minor, location_aware"
    /// A catalog load's variant given again: updated in place, unless it is unchanged (a new row
    /// version and index entries for nothing). A changed cost is marked with the load's `run`
    /// and the cost before it, the first time in the run (`Store.keepReplacedCosts`).
    package static func variantUpsertConflict(run: Int64) -> String {
        """
        ON CONFLICT (tenant, variant_id) DO UPDATE SET
            previous_cost_minor = CASE WHEN catalog_variants.cost_replaced_run IS NOT DISTINCT FROM \(run) THEN catalog_variants.previous_cost_minor
                WHEN catalog_variants.unit_cost_minor IS DISTINCT FROM excluded.unit_cost_minor THEN catalog_variants.unit_cost_minor
                ELSE catalog_variants.previous_cost_minor END,
            cost_replaced_run = CASE WHEN catalog_variants.unit_cost_minor IS DISTINCT FROM excluded.unit_cost_minor THEN \(run)
                ELSE catalog_variants.cost_replaced_run END,
            product_id = excluded.product_id,
            org_id = excluded.org_id, sku = excluded.sku, barcode = excluded.barcode, barcode_digits = excluded.barcode_digits,
            unit_cost_minor = excluded.unit_cost_minor, location_aware = excluded.location_aware,
            product_name = excluded.product_name, variant_title = excluded.variant_title
        WHERE (catalog_variants.product_id, catalog_variants.org_id, catalog_variants.sku, catalog_variants.barcode,
               catalog_variants.unit_cost_minor, catalog_variants.location_aware, catalog_variants.product_name,
               catalog_variants.variant_title)
            IS DISTINCT FROM (excluded.product_id, excluded.org_id, excluded.sku, excluded.barcode, excluded.unit_cost_minor,
                              excluded.location_aware, excluded.product_name, excluded.variant_title)
        """
    }

    package static let keyScan = "SELECT key, content_digest, \(Outcome.codeSQL) FROM idempotency_keys WHERE tenant = ?"
    package static let keyLookup = "SELECT content_digest, \(Outcome.codeSQL) FROM idempotency_keys WHERE tenant = ? AND key = ?"
    package static let keyRowsPerInsert = 32
    /// Inserts `rows` key rows; a stored key keeps its row when `keepingStored`.
    package static func keyInsert(rows: Int, keepingStored: Bool) -> String {
        "INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run) VALUES "
            + Array(repeating: "(?, ?, ?, ?, ?)", count: rows).joined(separator: ", ") + (keepingStored ? " ON CONFLICT DO NOTHING" : "")
    }
    package static let balanceScan = "SELECT variant, location, on_hand FROM stock_levels WHERE tenant = ?"
    package static let balanceLookup = "SELECT on_hand FROM stock_levels WHERE tenant = ? AND variant = ? AND location = ?"
    /// The columns a movement is appended with, in order, after its id where one is taken.
    package static let movementColumns = """
        posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor, source_line, record,
        reference_id, notes, reason_code, reason_description, adjustment_type, occurred_at, idempotency_key
        """
    /// A held row's columns: the file's (`HeldFile`), the row's (`HeldRow`), then its texts in
    /// `PostingBatch.TextColumn` order.
    package static let approvalFileColumns = ["tenant", "org", "requested_by", "run", "file", "kind", "negative_stock_forbidden"]
    package static let approvalRowColumns = [
        "variant", "location", "quantity_delta", "cost_impact_minor", "unit_cost_minor", "source_line", "record", "set_on_hand",
    ]
    package static let approvalColumns = approvalFileColumns + approvalRowColumns + PostingBatch.TextColumn.allCases.map(\.ledgerName)
    package static let countLineColumns = ["count", "sheet", "source_line", "variant", "location", "batch", "counted", "reason", "notes", #""user""#]
}

extension Outcome {
    /// The `outcome` column as its storage code (as in `key_blocks`), read without a string.
    package static let codeSQL = "CASE outcome "
        + allCases.map { "WHEN '\($0.rawValue)' THEN \($0.storageCode) " }.joined() + "ELSE -1 END"

    /// A stored outcome no case has is a damaged row, never read as some default.
    init(code: Int64) throws {
        guard let byte = UInt8(exactly: code), let outcome = Outcome(storageCode: byte) else {
            throw SQLDecodingError(message: "a row of idempotency_keys is damaged: its outcome is none that stockrecon knows")
        }
        self = outcome
    }
}

extension BulkOperations {
    /// Each of the tenant's variants in catalog order, its texts copied.
    public func forEachVariant(tenant: Int64, _ body: (Catalog.Variant) throws -> Void) throws {
        try forEachVariant(tenant: tenant, borrowing: { try body(Catalog.Variant($0)) })
    }
}

extension Catalog.Variant {
    /// A row of `BulkSQL.variantColumns`, read by position: once per variant, in catalogs of millions.
    package init(storedRow row: SQLRow) throws {
        self.init(
            id: try row[0], variantID: try row[1], productID: try row[2], orgID: try row[3], sku: try row[4],
            barcode: try row[5], unitCostMinor: try row[6], isLocationAware: try row[7])
    }
}
