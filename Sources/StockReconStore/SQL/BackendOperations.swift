import StockReconCore

/// What the two backends do each their own way, one method an operation, each backend's way
/// in its own file (`SQLiteOperations`, `PostgresOperations`): SQLite runs a statement a row
/// in process, PostgreSQL one statement for them all, the rows as arrays, where a statement a
/// row would wait a round trip each. A third backend implements these, found by the compiler.
public protocol BackendOperations {
    /// The first of `count` consecutive ledger ids taken for movements about to be appended;
    /// nil where the one writer's next rowid numbers them (SQLite).
    func takeLedgerIDs(_ count: Int) throws -> Int64?
    /// Lets this transaction append ledger rows by `RowInserter` without the REPLACE guard's
    /// check of each (`LedgerGuards.ledgerReplaceGuard`, SQLite's), put back before it commits.
    func liftLedgerReplaceGuard() throws
    /// The triggers the database has, and those that keep its ledger append-only (`LedgerGuards`).
    func triggers() throws -> [String]
    var expectedTriggers: [String] { get }
    /// A file's records that ended this time: no longer outstanding.
    func resolveOutstanding(_ records: [Int], file: Int64) throws
    /// A file's records rejected this time: outstanding (again, or for the first time).
    func keepOutstanding(_ records: [Int], file: Int64) throws
    /// Order lines' received totals.
    func setReceived(_ lines: [(id: Int64, received: Int64)]) throws
    /// Loads or updates order lines (by tenant, PO number, variant and location): the quantity
    /// ordered and the cost change, what was received stays.
    func upsertOrderLines(_ lines: [OrderLine], tenant: Int64) throws
    /// Inserts or updates catalog entries, keeping internal ids (the ledger's references) stable;
    /// a variant whose cost changes is marked with `run` (`BulkSQL.variantUpsertConflict`).
    func upsertCatalog(_ entries: [CatalogEntry], tenant: Int64, run: Int64) throws
    /// Runs `body`, a catalog load, with the variants' indexes built after its rows where no
    /// tenant has a variant yet (`body(true)`: insert, never upsert); elsewhere `body(false)`.
    /// False, `body`'s writes undone, when they give a variant id twice: load the file again the
    /// ordinary way.
    func loadingVariantsIndexedAfter(_ body: (_ indexedAfter: Bool) throws -> Void) throws -> Bool
    /// Runs `body`, a catalog load, writing each page once where no tenant has a variant yet and
    /// no other connection has the database open (SQLite's: a rollback journal for the load,
    /// where the write-ahead log writes every page twice; others opening meanwhile wait for it).
    /// Elsewhere, and outside a transaction only, `body()` as it is.
    func loadingFirstCatalog<T>(_ body: () throws -> T) throws -> T
    /// A text as this backend can store it in a rejection (PostgreSQL's text cannot hold NUL).
    func storable(_ text: String?) -> String?
    /// The `summary_report` figures of one tenant's movements in a period, unsorted.
    func movementSummary(tenant: Int64, from: String?, to: String?) throws -> [MovementSummaryRow]
    /// Sets each (variant, location)'s on-hand, inserting the balances not stored yet; fastest
    /// given in key order.
    func setBalances(_ balances: [(variant: Int64, location: Int64, onHand: Int64)], tenant: Int64) throws
    /// Runs `body` with the process's page cache at `megabytes` (SQLite's; PostgreSQL's is the
    /// server's): less for reads scattered over a large table and used once, more for writes
    /// scattered over large indexes.
    func withPageCache<T>(megabytes: Int, _ body: () throws -> T) throws -> T
    /// `withPageCache(megabytes:_:)` with the pages the smaller cache lets go given back to the
    /// system before `body`: for work that maps large blocks of its own and writes little (a
    /// checkpoint taken from a file's balances), which would otherwise stand beside them.
    func withPageCacheGivenBack<T>(megabytes: Int, _ body: () throws -> T) throws -> T
    /// After a large piece of work whose memory is freed (writing a variant index): gives the
    /// C heap's free pages back, where the run would otherwise hold them beside its own.
    func returnFreedMemory()
    /// Runs `body` (transactions of rows whose references the caller has just read) without
    /// foreign keys checked where checking them costs more than the rows (SQLite journals every
    /// page a statement of many rows touches); inside a transaction, as it is.
    func withoutForeignKeyChecks<T>(_ body: () throws -> T) throws -> T
}
