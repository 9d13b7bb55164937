import StockReconCore

/// A tenant's order lines, held while a receipt file posts: each receipt row is matched by
/// PO number, variant and location, the received quantities add up row after row, and the
/// receipt lines and the order lines' new totals are written when the file finishes, in its
/// transaction.
struct ReceiptBook {
    struct Key: Hashable {
        var po: String
        var variant: Int64
        var location: Int64
    }

    struct Line {
        var id: Int64
        var state: OrderLineState
        var unitCostMinor: Int64?
    }

    /// A receipt row as it will be written to `receipt_lines`.
    struct Receipt {
        var sourceLine: Int
        var po: String?
        var variant: Int64
        var location: Int64
        var quantity: Int64
        var unitCostMinor: Int64?
        var orderLine: Int64?
        var orderUnitCostMinor: Int64?
        var priceFlagged: Bool
        var priceVarianceMinor: Int64
        /// A held row's record in its file: its approval, found when the held rows are written.
        var heldRecord: Int?
    }

    let policy: ReceivingPolicy
    private var lines: [Key: Line] = [:]
    private var touched: Set<Key> = []
    private var receipts: [Receipt] = []

    init(_ db: any SQLConnection, tenant: Int64, policy: ReceivingPolicy) throws {
        self.policy = policy
        for row in try db.fetchAll(sql: """
            SELECT id, po_number, variant, location, quantity_ordered, quantity_received, unit_cost_minor
            FROM order_lines WHERE tenant = ?
            """, arguments: [tenant]) {
            lines[Key(po: try row["po_number"], variant: try row["variant"], location: try row["location"])] = Line(
                id: try row["id"], state: OrderLineState(ordered: try row["quantity_ordered"], received: try row["quantity_received"]),
                unitCostMinor: try row["unit_cost_minor"])
        }
    }

    /// The order line a receipt row meets (nil: unexpected). `po` is the row's PO number,
    /// trimmed.
    func line(po: String?, variant: Int64, location: Int64) -> (key: Key, line: Line)? {
        guard let po, !po.isEmpty else { return nil }
        let key = Key(po: po, variant: variant, location: location)
        return lines[key].map { (key, $0) }
    }

    /// Records a receipt row that was posted (it counts as received at once) or held
    /// (`heldRecord`, its record in the file: it counts when approved); `match` is what `line`
    /// found for it.
    mutating func record(
        _ match: (key: Key, line: Line)?, po: String?, variant: Int64, location: Int64, quantity: Int64, unitCostMinor: Int64?,
        sourceLine: Int, heldRecord: Int?
    ) {
        var flagged = false
        var variance: Int64 = 0
        if let orderCost = match?.line.unitCostMinor, let cost = unitCostMinor {
            flagged = policy.isPriceVariance(receiptCostMinor: cost, orderCostMinor: orderCost)
            variance = ReceivingPolicy.priceVarianceValue(quantity: quantity, receiptCostMinor: cost, orderCostMinor: orderCost)
        }
        if let match, heldRecord == nil {
            lines[match.key]?.state.received += quantity
            touched.insert(match.key)
        }
        receipts.append(Receipt(
            sourceLine: sourceLine, po: po, variant: variant, location: location, quantity: quantity,
            unitCostMinor: unitCostMinor, orderLine: match?.line.id, orderUnitCostMinor: match?.line.unitCostMinor,
            priceFlagged: flagged, priceVarianceMinor: variance, heldRecord: heldRecord))
    }

    /// Writes the file's receipt lines and the received totals of the order lines it touched
    /// (on PostgreSQL by COPY and in one statement, not a round trip a line), once its held
    /// rows are written, each with an id above `heldAfter`.
    func write(_ db: any SQLConnection, tenant: Int64, run: Int64, file: Int64?, heldAfter: Int64?) throws {
        var approvals: [Int: Int64] = [:]
        if let heldAfter {
            for row in try db.fetchAll(sql: """
                SELECT record, id FROM approval_requests WHERE id > ? AND run = ? AND file = ?
                """, arguments: [heldAfter, run, file]) {
                approvals[try row["record"]] = try row["id"]
            }
        }
        let inserter = try RowInserter(db, table: "receipt_lines", columns: [
            "tenant", "run", "file", "source_line", "po_number", "variant", "location", "quantity", "unit_cost_minor",
            "order_line", "order_unit_cost_minor", "price_flagged", "price_variance_minor", "status", "approval",
        ])
        for receipt in receipts {
            var approval: Int64?
            if let record = receipt.heldRecord {
                guard let id = approvals[record] else {
                    throw SQLDecodingError(message: "the held receipt row of record \(record) was not written")
                }
                approval = id
            }
            try inserter.append([
                tenant, run, file, receipt.sourceLine, receipt.po, receipt.variant, receipt.location, receipt.quantity,
                receipt.unitCostMinor, receipt.orderLine, receipt.orderUnitCostMinor, receipt.priceFlagged,
                receipt.priceVarianceMinor, (approval == nil ? ReceiptLineState.posted : .pending).rawValue, approval,
            ])
        }
        try inserter.finish()
        let received = touched.compactMap { lines[$0] }.map { (id: $0.id, received: $0.state.received) }
        try db.setReceived(received)
    }
}
