import StockReconBackends
import StockReconStore

/// The database a command works on: what the command line reaches, instead of the store.
/// The stages take it to run (`ImportPipeline(database:)`, `Counting(database:)`, …); the
/// decisions and queries a command asks for directly are here.
public struct StockDatabase {
    let store: Store

    /// Opens (and migrates, unless `forReading`) the SQLite file or PostgreSQL URL at `path`.
    public init(path: String, forReading: Bool = false) throws {
        store = try Store(path: path, forReading: forReading)
    }

    public typealias RunSelector = Store.RunSelector
    public typealias RunReversal = Store.RunReversal

    // MARK: Decisions

    public func decide(approvalID: Int64, tenantID: String, userID: String, note: String?, approve: Bool) throws -> Decision {
        try store.decide(approvalID: approvalID, tenantID: tenantID, userID: userID, note: note, approve: approve)
    }

    public func reverse(movementID: Int64, tenantID: String, userID: String, reason: String) throws -> (movementID: Int64, runID: Int64) {
        try store.reverse(movementID: movementID, tenantID: tenantID, userID: userID, reason: reason)
    }

    public func reverse(runID: Int64, tenantID: String, userID: String, reason: String) throws -> RunReversal {
        try store.reverse(runID: runID, tenantID: tenantID, userID: userID, reason: reason)
    }

    // MARK: Queries

    public static let approvalColumns = Store.approvalColumns

    /// The approvals a row at a time, in `approvalColumns`.
    public func forEachApproval(tenantID: String, status: ApprovalStatus?, variantID: String?, _ body: ([TableValue]) throws -> Void) throws {
        try store.forEachApproval(tenantID: tenantID, status: status, variantID: variantID, body)
    }

    public static let balanceColumns = Store.balanceColumns

    /// The balances a row at a time, in `balanceColumns`.
    public func forEachBalance(tenantID: String, variantID: String?, locationID: String?, _ body: ([TableValue]) throws -> Void) throws {
        try store.forEachBalance(tenantID: tenantID, variantID: variantID, locationID: locationID, body)
    }

    public static let asOfColumns = Store.asOfColumns

    /// On-hand as of a moment (UTC text), by stock date, a row at a time in `asOfColumns`.
    public func forEachBalance(tenantID: String, variantID: String?, locationID: String?, asOf: String, _ body: ([TableValue]) throws -> Void) throws {
        try store.forEachBalance(tenantID: tenantID, variantID: variantID, locationID: locationID, asOf: asOf, body)
    }

    public static let movementColumns = Store.movementColumns

    /// The movements a row at a time, in `movementColumns`.
    public func forEachMovement(
        tenantID: String, variantID: String?, locationID: String?, sinceID: Int64, limit: Int, from: String? = nil, to: String? = nil,
        _ body: ([TableValue]) throws -> Void
    ) throws {
        try store.forEachMovement(tenantID: tenantID, variantID: variantID, locationID: locationID, sinceID: sinceID, limit: limit, from: from, to: to, body)
    }

    public func runs(tenantID: String, limit: Int) throws -> ResultTable {
        try store.runs(tenantID: tenantID, limit: limit)
    }

    public static let rejectionColumns = Store.rejectionColumns

    /// The runs whose rejections `selector` names (empty: no such run).
    public func rejectionRuns(tenantID: String, run selector: RunSelector) throws -> [Int64] {
        try store.rejectionRuns(tenantID: tenantID, run: selector)
    }

    /// The rejections of `runs` a row at a time, in `rejectionColumns`.
    public func forEachRejection(tenantID: String, runs: [Int64], _ body: ([TableValue]) throws -> Void) throws {
        try store.forEachRejection(tenantID: tenantID, runs: runs, body)
    }

    public func counts(tenantID: String) throws -> ResultTable {
        try store.counts(tenantID: tenantID)
    }
}

extension ImportPipeline {
    public init(database: StockDatabase, progress: ProgressHandler? = nil) { self.init(store: database.store, progress: progress) }
}

extension Receiving {
    public init(database: StockDatabase, progress: ProgressHandler? = nil) { self.init(store: database.store, progress: progress) }
}

extension PipelineRunner {
    public init(database: StockDatabase, progress: ProgressHandler? = nil) { self.init(store: database.store, progress: progress) }
}

extension Counting {
    public init(database: StockDatabase) { self.init(store: database.store) }
}

extension CatalogImport {
    public init(database: StockDatabase) { self.init(store: database.store) }
}

extension Reporting {
    public init(database: StockDatabase) { self.init(store: database.store) }
}
