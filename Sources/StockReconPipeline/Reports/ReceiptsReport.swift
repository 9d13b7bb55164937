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

    static func document(tenantID: String, po: String?, lines: [ReceiptReportLine], exceptions: [ReceiptException]) throws -> ReportDocument {
        let orderLines = lines.filter { $0.status != .unexpected }
        func count(_ status: ReceiptReportStatus) -> ReportCell { .integer(Int64(lines.filter { $0.status == status }.count)) }
        let money = { (value: Int64?) in value.map { ReportCell.money(minor: $0) } ?? .null }
        let facts = [
            ReportFact("tenant_id", "Tenant", .text(tenantID)),
            ReportFact("po_number", "Purchase order", .text(po ?? "every order")),
            ReportFact("order_lines", "Order lines", .integer(Int64(orderLines.count))),
            ReportFact("complete", "Complete", count(.complete)),
            ReportFact("short", "Short", count(.short)),
            ReportFact("over_received", "Over-received", count(.overReceived)),
            ReportFact("unreceived", "Unreceived", count(.unreceived)),
            ReportFact("unexpected", "Unexpected (no order line)", count(.unexpected)),
            ReportFact("units_ordered", "Units ordered", .integer(orderLines.reduce(0) { $0 + $1.ordered })),
            ReportFact("units_received", "Units received", .integer(lines.reduce(0) { $0 + $1.received })),
            ReportFact("units_pending", "Units waiting for approval", .integer(lines.reduce(0) { $0 + $1.pending })),
            ReportFact("price_variance", "Price variance", .money(minor: try lines.reduce(0) { try $0.adding($1.priceVarianceMinor, exactly: "the price variance of the receipts") })),
        ]
        let rows = lines.map { line -> [ReportCell] in
            [
                .optionalText(line.poNumber), .text(line.variantID), .optionalText(line.sku), .optionalText(line.name), .text(line.locationID),
                .integer(line.ordered), .integer(line.received), .integer(line.pending), .integer(max(line.ordered - line.received, 0)),
                money(line.unitCostMinor), .text(line.status.rawValue), .money(minor: line.priceVarianceMinor),
            ]
        }
        let exceptionRows = exceptions.map { item -> [ReportCell] in
            [
                .optionalText(item.file), item.line.map { .integer(Int64($0)) } ?? .null, .optionalText(item.poNumber), .text(item.variantID),
                .text(item.locationID), .integer(item.quantity), money(item.unitCostMinor), money(item.orderUnitCostMinor),
                .money(minor: item.priceVarianceMinor), .text(item.status.rawValue), .text(item.reason),
            ]
        }
        // Short lines below zero, over-received and unexpected above: at the order's cost.
        let chart = ReportChart.largest(
            "Largest shortfalls and excesses by value",
            lines.map { line in
                let difference = line.received - line.ordered
                let cost = line.unitCostMinor ?? 0
                return ("\(line.poNumber ?? "-") \(line.sku ?? line.variantID) @ \(line.locationID)",
                        ApprovalPolicy.costImpact(delta: difference, unitCostMinor: cost))
            })
        return ReportDocument(
            kind: "receipts", title: "Receipts for \(tenantID), \(po.map { "PO \($0)" } ?? "every order")", facts: facts, chart: chart,
            tables: [
                ReportTable(key: "lines", title: "Order lines", columns: lineColumns, rows: rows, emptyText: "No order lines."),
                ReportTable(
                    key: "exceptions", title: "Receipts to look at", columns: exceptionColumns, rows: exceptionRows,
                    emptyText: "Every receipt matched its order line, at its price."),
            ])
    }
}

extension Reporting {
    public func receipts(tenantID: String, po: String?) throws -> ReportDocument {
        try store.read { db in try Self.receipts(tenantID: tenantID, po: po, in: db) }
    }

    static func receipts(tenantID: String, po: String?, in db: any SQLConnection) throws -> ReportDocument {
        try ReceiptsReport.document(
            tenantID: tenantID, po: po, lines: try Store.receiptReportLines(tenantID: tenantID, po: po, in: db),
            exceptions: try Store.receiptExceptions(tenantID: tenantID, po: po, in: db))
    }
}
