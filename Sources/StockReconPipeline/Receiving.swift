import StockReconCore
import StockReconIO
import StockReconStore

/// `stockrecon receive`: purchase orders to load, and receipt files to post against them.
public struct ReceiveRequest: Sendable {
    public var tenantID: String
    public var orgID: String
    public var userID: String?
    public var purchaseOrders: [InputFile]
    public var files: [InputFile]
    /// How to read the receipt files: the receipts format, or a mapping file's.
    public var mapping: StockReconCore.ColumnMapping
    /// How to read the purchase orders: nil for their own columns (`po_number`, …), or a mapping's.
    public var ordersMapping: StockReconCore.ColumnMapping?
    public var rules: AdjustmentRules
    public var receiving: ReceivingPolicy
    public var isDryRun: Bool
    public var pipeline: String?
    public var pipelineRun: Int64?

    public init(
        tenantID: String, orgID: String, userID: String? = nil, purchaseOrders: [InputFile] = [], files: [InputFile],
        mapping: StockReconCore.ColumnMapping = .receipts, rules: AdjustmentRules = AdjustmentRules(),
        receiving: ReceivingPolicy = ReceivingPolicy(), isDryRun: Bool = false
    ) {
        self.tenantID = tenantID
        self.orgID = orgID
        self.userID = userID
        self.purchaseOrders = purchaseOrders
        self.files = files
        var mapping = mapping
        mapping.requiresPositiveQuantity = true
        self.mapping = mapping
        self.rules = rules
        self.receiving = receiving
        self.isDryRun = isDryRun
    }
}

/// What receiving did: the order lines loaded (a run of their own) and the receipts posted.
public struct ReceiveReport: Sendable {
    public var orders: RunReport?
    public var receipts: RunReport

    /// 2 when a file could not be read, 1 when rows were rejected, else 0.
    public var exitStatus: Int32 { max(orders?.exitStatus ?? 0, receipts.exitStatus) }
}

/// Loads purchase orders, then posts receipts as movements of type `receipt` through the
/// import pipeline (exactly once, each file in its own transaction), matched to order lines.
public struct Receiving {
    /// Rows of a file of purchase orders looked up, checked and written at a time.
    static let ordersChunk = (rows: 10_000, bytes: 8 << 20)
    public let store: Store
    public var progress: ProgressHandler?

    public init(store: Store, progress: ProgressHandler? = nil) {
        self.store = store
        self.progress = progress
    }

    public func run(_ request: ReceiveRequest) throws -> ReceiveReport {
        if request.mapping.requiresEveryNamedColumn {
            try Importers.checkHeaders(of: request.files, mapping: request.mapping)
        }
        if let orders = request.ordersMapping, orders.requiresEveryNamedColumn {
            try Importers.checkHeaders(of: request.purchaseOrders, mapping: orders)
        }
        return try running(store, "receiving", isDryRun: request.isDryRun) { db in try run(request, in: db, isDryRun: request.isDryRun) }
    }

    func run(_ request: ReceiveRequest, in db: any SQLConnection, isDryRun: Bool) throws -> ReceiveReport {
        var orders: RunReport?
        if !request.purchaseOrders.isEmpty {
            orders = try loadOrders(request, in: db, isDryRun: isDryRun)
        }
        var receipts = ImportRequest(
            tenantID: request.tenantID, orgID: request.orgID, mapping: request.mapping, userID: request.userID,
            files: request.files, isDryRun: isDryRun, rules: request.rules)
        receipts.receiving = request.receiving
        receipts.pipeline = request.pipeline
        receipts.pipelineRun = request.pipelineRun ?? (request.pipeline == nil ? nil : orders?.runID)
        let report = try ImportPipeline(store: store, progress: progress).run(receipts, in: db, isDryRun: isDryRun)
        return ReceiveReport(orders: orders, receipts: report)
    }

    /// Loads or updates order lines, each file in its own transaction; a row counts as
    /// posted when it was loaded. A file is read in its transaction and written a chunk of
    /// lines at a time, its refusals recorded as they go: a million lines held took 365 MB.
    private func loadOrders(_ request: ReceiveRequest, in db: any SQLConnection, isDryRun: Bool) throws -> RunReport {
        let setup = try RunSetup.begin(
            db, tenantID: request.tenantID, orgID: request.orgID, userID: request.userID,
            command: RunCommand(.purchaseOrders, pipeline: request.pipeline, pipelineRun: request.pipelineRun), isDryRun: isDryRun)
        let checker = PurchaseOrderChecker(catalog: setup.catalog, org: setup.org)
        let context = setup.context
        var report = RunReport(run: context.run, isDryRun: isDryRun)
        try report.loadEach(request.purchaseOrders, run: context.run, tenantID: context.tenantID, in: db, isDryRun: isDryRun) { file in
            var loaded = FileLoad()
            // A chunk of rows is held to look its variants up together, then checked and written.
            var rows: [PurchaseOrderRow] = []
            var heldBytes = 0
            func write() throws {
                let lookedUp = setup.catalog.lookUp(eachText: rows.map { row in row.variant.map { ($0.key, $0.kind) } })
                var lines: [OrderLine] = []
                var refused: [Diagnostic] = []
                for (row, found) in zip(rows, lookedUp) {
                    switch checker.check(row, lookedUp: found) {
                    case .success(let line):
                        lines.append(line)
                        loaded.counts.count(.posted)
                    case .failure(let problems):
                        refused += problems.diagnostics
                        loaded.counts.count(.rejected)
                    }
                }
                try db.upsertOrderLines(OrderLine.lastOfEach(lines), tenant: context.tenant)
                try loaded.record(refused, run: context.run, tenantID: context.tenantID, in: db)
                rows.removeAll(keepingCapacity: true)
                heldBytes = 0
            }
            func take(_ row: PurchaseOrderRow) throws {
                rows.append(row)
                heldBytes += [row.poNumber, row.variant?.key, row.locationID, row.locationName, row.quantityOrdered, row.unitCost]
                    .reduce(0) { $0 + ($1?.utf8.count ?? 0) }
                if rows.count >= Self.ordersChunk.rows || heldBytes >= Self.ordersChunk.bytes { try write() }
            }
            if let mapping = request.ordersMapping {
                try PurchaseOrderReader.forEach(file, mapping: mapping, take)
            } else {
                try PurchaseOrderReader.forEach(file, take)
            }
            try write()
            return loaded
        }
        try setup.finish(in: db, isDryRun: isDryRun)
        return report
    }
}
