import StockReconCore
import StockReconStore

/// `report receipts [--po NUMBER]`: each order line's state (complete, short, over-received,
/// unreceived) and unexpected receipts, with the receipt rows to look at.
enum ReceiptsReport {
    static let lineColumns = [
        ReportColumn("po_number", "PO"), ReportColumn("variant_id", "Variant"), ReportColumn("sku", "SKU"),
        ReportColumn("name", "Name"), ReportColumn("location_id", "Location"), ReportColumn("quantity_ordered", "Ordered"),
        ReportColumn("quantity_received", "Received"), ReportColumn("quantity_pending", "Waiting for approval"),
        ReportColumn("quantity_outstanding", "Outstanding"), ReportColumn("unit_cost", "Order cost", .money),
        ReportColumn("status", "Status"), ReportColumn("price_variance", "Price variance", .money),
    ]

    static let exceptionColumns = [
        ReportColumn("source_file", "File"), ReportColumn("source_line", "Line"), ReportColumn("po_number", "PO"),
        ReportColumn("variant_id", "Variant"), ReportColumn("location_id", "Location"), ReportColumn("quantity", "Quantity"),
        ReportColumn("unit_cost", "Receipt cost", .money), ReportColumn("order_unit_cost", "Order cost", .money),
        ReportColumn("price_variance", "Price variance", .money), ReportColumn("status", "Status"), ReportColumn("reason", "Why"),
    ]

    /// Reads the lines and then the receipts to look at once each, through `lines` and
    /// `exceptions`: the figures are summed as they go by, and the rows kept, the first
    /// `holding` of each table in memory and the rest in a file (`ReportTable.append`).
    static func document(
        tenantID: String, po: String?, holding limit: Int = 10_000,
        lines: (_ each: (ReceiptReportLine) throws -> Void) throws -> Void,
        exceptions: (_ each: (ReceiptException) throws -> Void) throws -> Void
    ) throws -> ReportDocument {
        var totals = Totals()
        // Short lines below zero, over-received and unexpected above: at the order's cost.
        var largest = ReportChart.Largest(limit: 10)
        var lineTable = ReportTable(key: "lines", title: "Order lines", columns: lineColumns, rows: [], emptyText: "No order lines.")
        try lines { line in
            try totals.add(line)
            largest.add(ApprovalPolicy.costImpact(delta: line.received - line.ordered, unitCostMinor: line.unitCostMinor ?? 0)) {
                "\(line.poNumber ?? "-") \(line.sku ?? line.variantID) @ \(line.locationID)"
            }
            try lineTable.append(row(line), holding: limit)
        }
        var exceptionTable = ReportTable(
            key: "exceptions", title: "Receipts to look at", columns: exceptionColumns, rows: [],
            emptyText: "Every receipt matched its order line, at its price.")
        try exceptions { item in try exceptionTable.append(row(item), holding: limit) }
        return ReportDocument(
            kind: "receipts", title: "Receipts for \(tenantID), \(po.map { "PO \($0)" } ?? "every order")",
            facts: totals.facts(tenantID: tenantID, po: po), chart: ReportChart(title: "Largest shortfalls and excesses by value", bars: largest.bars),
            tables: [lineTable, exceptionTable])
    }

    /// The header's figures, counted a line at a time.
    struct Totals {
        var byStatus: [ReceiptReportStatus: Int64] = [:]
        var unitsOrdered: Int64 = 0, unitsReceived: Int64 = 0, unitsPending: Int64 = 0, priceVarianceMinor: Int64 = 0

        mutating func add(_ line: ReceiptReportLine) throws {
            byStatus[line.status, default: 0] += 1
            if line.status != .unexpected { unitsOrdered = try unitsOrdered.adding(line.ordered, exactly: "the units ordered") }
            unitsReceived = try unitsReceived.adding(line.received, exactly: "the units received")
            unitsPending = try unitsPending.adding(line.pending, exactly: "the units waiting for approval")
            priceVarianceMinor = try priceVarianceMinor.adding(line.priceVarianceMinor, exactly: "the price variance of the receipts")
        }

        func facts(tenantID: String, po: String?) -> [ReportFact] {
            func count(_ status: ReceiptReportStatus) -> ReportCell { .integer(byStatus[status] ?? 0) }
            let orderLines = byStatus.filter { $0.key != .unexpected }.values.reduce(0, +)
            return [
                ReportFact("tenant_id", "Tenant", .text(tenantID)),
                ReportFact("po_number", "Purchase order", .text(po ?? "every order")),
                ReportFact("order_lines", "Order lines", .integer(orderLines)),
                ReportFact("complete", "Complete", count(.complete)),
                ReportFact("short", "Short", count(.short)),
                ReportFact("over_received", "Over-received", count(.overReceived)),
                ReportFact("unreceived", "Unreceived", count(.unreceived)),
                ReportFact("unexpected", "Unexpected (no order line)", count(.unexpected)),
                ReportFact("units_ordered", "Units ordered", .integer(unitsOrdered)),
                ReportFact("units_received", "Units received", .integer(unitsReceived)),
                ReportFact("units_pending", "Units waiting for approval", .integer(unitsPending)),
                ReportFact("price_variance", "Price variance", .money(minor: priceVarianceMinor)),
            ]
        }
    }

    private static func money(_ value: Int64?) -> ReportCell { value.map { ReportCell.money(minor: $0) } ?? .null }

    private static func row(_ line: ReceiptReportLine) -> [ReportCell] {
        [
            .optionalText(line.poNumber), .text(line.variantID), .optionalText(line.sku), .optionalText(line.name), .text(line.locationID),
            .integer(line.ordered), .integer(line.received), .integer(line.pending), .integer(max(line.ordered - line.received, 0)),
            money(line.unitCostMinor), .text(line.status.rawValue), .money(minor: line.priceVarianceMinor),
        ]
    }

    private static func row(_ item: ReceiptException) -> [ReportCell] {
        [
            .optionalText(item.file), item.line.map { .integer(Int64($0)) } ?? .null, .optionalText(item.poNumber), .text(item.variantID),
            .text(item.locationID), .integer(item.quantity), money(item.unitCostMinor), money(item.orderUnitCostMinor),
            .money(minor: item.priceVarianceMinor), .text(item.status.rawValue), .text(item.reason),
        ]
    }
}

extension Reporting {
    public func receipts(tenantID: String, po: String?) throws -> ReportDocument {
        try store.read { db in try Self.receipts(tenantID: tenantID, po: po, in: db) }
    }

    static func receipts(tenantID: String, po: String?, in db: any SQLConnection) throws -> ReportDocument {
        try ReceiptsReport.document(
            tenantID: tenantID, po: po, lines: { try Store.forEachReceiptReportLine(tenantID: tenantID, po: po, in: db, $0) },
            exceptions: { try Store.forEachReceiptException(tenantID: tenantID, po: po, in: db, $0) })
    }
}
