import StockReconCore

/// The order lines a batch of receipt rows names, held while it posts: each receipt row is
/// matched by PO number, variant and location, and the received quantities add up row after
/// row. A batch's orders are read before its rows (`readOrders`), every line of each PO it
/// names: reading all of a tenant's order lines for every file took a file of 1,000 receipts
/// over a million order lines 2.0 s and 741 MB. After the batch (`endBatch`) the new totals
/// and the receipt lines are written, in the file's transaction, a held receipt's naming the
/// approval its batch wrote, and the lines let go: a million receipts held to the file's end
/// took 456 MB.
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
    private let tenant: Int64
    private var lines: [Key: Line] = [:]
    /// The POs whose lines are in `lines`, read once a batch (what the batch received is added
    /// there; earlier batches' is in the lines read).
    private var readPOs: Set<String> = []
    private var touched: Set<Key> = []
    private var receipts: [Receipt] = []
    /// The largest approval id read so far: a batch's held rows are written after it.
    private var approvalsRead: Int64?
    /// POs a statement asks for: bound parameters stay well under SQLite's limit.
    private static let posPerRead = 500

    init(tenant: Int64, policy: ReceivingPolicy) {
        self.tenant = tenant
        self.policy = policy
    }

    /// Reads the lines of those of `pos` not read yet.
    mutating func readOrders(of pos: some Sequence<String>, in db: any SQLConnection) throws {
        var unread: [String] = []
        for po in pos where !po.isEmpty && readPOs.insert(po).inserted { unread.append(po) }
        for start in stride(from: 0, to: unread.count, by: Self.posPerRead) {
            let chunk = unread[start ..< min(start + Self.posPerRead, unread.count)]
            let marks = Array(repeating: "?", count: chunk.count).joined(separator: ", ")
            for row in try db.fetchAll(sql: """
                SELECT id, po_number, variant, location, quantity_ordered, quantity_received, unit_cost_minor
                FROM order_lines WHERE tenant = ? AND po_number IN (\(marks))
                """, arguments: [tenant] + SQLArguments(chunk.map { .text($0) })) {
                lines[Key(po: try row["po_number"], variant: try row["variant"], location: try row["location"])] = Line(
                    id: try row["id"], state: OrderLineState(ordered: try row["quantity_ordered"], received: try row["quantity_received"]),
                    unitCostMinor: try row["unit_cost_minor"])
            }
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

    /// After a batch, once its held rows are written (each with an id above `heldAfter`, nil
    /// while none was held): the received totals it added are written and its POs' lines let
    /// go (a later batch naming one of them reads its lines again, with those totals), and its
    /// receipt lines are written, a held one naming its approval.
    mutating func endBatch(_ db: any SQLConnection, run: Int64, file: Int64?, heldAfter: Int64?) throws {
        try writeReceived(db)
        lines.removeAll(keepingCapacity: true)
        readPOs.removeAll(keepingCapacity: true)
        try writeReceipts(db, run: run, file: file, heldAfter: heldAfter)
    }

    /// Writes what the last batch left (nothing, after `endBatch`).
    mutating func finish(_ db: any SQLConnection, run: Int64, file: Int64?, heldAfter: Int64?) throws {
        try writeReceipts(db, run: run, file: file, heldAfter: heldAfter)
        try writeReceived(db)
    }

    /// The receipt lines held (on PostgreSQL by COPY), the approvals of the held ones read from
    /// those written since the last read.
    private mutating func writeReceipts(_ db: any SQLConnection, run: Int64, file: Int64?, heldAfter: Int64?) throws {
        var approvals: [Int: Int64] = [:]
        if let heldAfter, receipts.contains(where: { $0.heldRecord != nil }) {
            var last = approvalsRead ?? heldAfter
            try db.forEachRow(sql: """
                SELECT record, id FROM approval_requests WHERE id > ? AND run = ? AND file = ?
                """, arguments: [last, run, file]) { row in
                let id: Int64 = try row["id"]
                approvals[try row["record"]] = id
                last = max(last, id)
            }
            approvalsRead = last
        }
        try write(receipts, db, run: run, file: file, approvals: approvals)
        receipts.removeAll(keepingCapacity: true)
    }

    private mutating func writeReceived(_ db: any SQLConnection) throws {
        guard !touched.isEmpty else { return }
        try db.setReceived(touched.compactMap { lines[$0] }.map { (id: $0.id, received: $0.state.received) })
        touched.removeAll(keepingCapacity: true)
    }

    private func write(_ receipts: [Receipt], _ db: any SQLConnection, run: Int64, file: Int64?, approvals: [Int: Int64]) throws {
        guard !receipts.isEmpty else { return }
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
    }
}
