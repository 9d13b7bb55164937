import ArgumentParser
import Foundation
import StockReconPipeline

struct ReceiveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receive", abstract: "Post goods received against purchase orders, exactly once.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "The org receiving; variants of other orgs are rejected.") var org: String
    @Option(name: .customLong("purchase-orders"), help: "Purchase orders to load or update first (CSV, XLSX or JSON); repeatable.")
    var purchaseOrders: [String] = []
    @Option(help: "A mapping file (YAML) for receipts in another layout (its `reference` column is the PO number).")
    var mapping: String?
    @Option(
        name: .customLong("orders-mapping"),
        help: "A mapping file (YAML) for purchase orders in another layout: `reference` is the PO number, `quantity` the units ordered.")
    var ordersMapping: String?
    @Option(help: "Received above ordered by more than this waits for a manager (default 0%).")
    var overReceiptTolerance = "0%"
    @Option(help: "A unit cost off the order's by more than this is flagged (default 0%).")
    var priceVarianceTolerance = "0%"
    @Option(help: "The user the receipts are attributed to (default: $STOCKRECON_USER, else the tenant's system user).")
    var user: String?
    @Flag(help: "Run every check and print what would happen; write nothing.") var dryRun = false
    @Argument(help: "Receipt files (CSV, XLSX or JSON); - reads standard input.") var files: [String] = []

    func validate() throws {
        if files.isEmpty, purchaseOrders.isEmpty { throw ValidationError("give receipt files, or --purchase-orders FILE, or both") }
        if ordersMapping != nil, purchaseOrders.isEmpty { throw ValidationError("--orders-mapping reads --purchase-orders FILE: give one") }
        for (name, text) in [("--over-receipt-tolerance", overReceiptTolerance), ("--price-variance-tolerance", priceVarianceTolerance)] {
            if Percentage.basisPoints(text) == nil { throw ValidationError("\(name) must be a percentage such as 2.5%, not \(text)") }
        }
    }

    func run() throws {
        try reportingFailures {
            let inputs = try files.map(InputFile.resolve)
            let orders = try purchaseOrders.map(InputFile.resolve)
            defer { (inputs + orders).forEach { $0.cleanUp() } }
            var request = ReceiveRequest(
                tenantID: tenant, orgID: org, userID: user ?? ProcessInfo.processInfo.environment["STOCKRECON_USER"],
                purchaseOrders: orders, files: inputs,
                receiving: ReceivingPolicy(
                    overReceiptToleranceBasisPoints: Percentage.basisPoints(overReceiptTolerance) ?? 0,
                    priceVarianceToleranceBasisPoints: Percentage.basisPoints(priceVarianceTolerance) ?? 0),
                isDryRun: dryRun)
            if let mapping {
                request.mapping = try MappingFile.load(path: mapping)
                request.mapping.requiresPositiveQuantity = true
            }
            request.ordersMapping = try ordersMapping.map { try MappingFile.load(path: $0) }
            var progress: ProgressHandler?
            if ProgressBar.isWanted {
                let bar = ProgressBar()
                progress = { bar.update(file: $0, bytesRead: $1, totalBytes: $2) }
            }
            let report = try Receiving(database: global.openDatabase(), progress: progress).run(request)
            if global.json {
                let orders = report.orders.map { orders in
                    [("purchase_orders", #"{"run_id":\#(orders.runID.map { String($0) } ?? "null"),"rows":\#(orders.counts.rows),"loaded":\#(orders.counts.posted),"rejected":\#(orders.counts.rejected)}"#)]
                }
                print(report.receipts.json(extra: orders ?? []), terminator: "")
            } else {
                if let orders = report.orders {
                    let text = orders.text(verb: "loaded").split(separator: "\n").map(String.init)
                    let summary = "purchase orders: " + (text.last ?? "")
                    let output = (text.dropLast() + [summary]).joined(separator: "\n") + "\n"
                    if orders.counts.rejected > 0 { writeError(output) } else { print(output, terminator: "") }
                }
                if !request.files.isEmpty {
                    let text = report.receipts.text(verb: "received")
                    if report.receipts.counts.rejected > 0 { writeError(text) } else { print(text, terminator: "") }
                }
            }
            return report.exitStatus
        }
    }
}
