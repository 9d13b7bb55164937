/// The `rules.receiving` of SPEC section 7: tolerances in basis points (2.5% is 250).
public struct ReceivingPolicy: Sendable, Hashable {
    /// Received above ordered by more than this share of the order waits for a manager.
    public var overReceiptToleranceBasisPoints: Int64
    /// A unit cost off the order's by more than this share of it is flagged.
    public var priceVarianceToleranceBasisPoints: Int64

    public init(overReceiptToleranceBasisPoints: Int64 = 0, priceVarianceToleranceBasisPoints: Int64 = 0) {
        self.overReceiptToleranceBasisPoints = overReceiptToleranceBasisPoints
        self.priceVarianceToleranceBasisPoints = priceVarianceToleranceBasisPoints
    }

    /// Whether receiving `quantity` more takes the line above its order by more than the
    /// tolerance (exactly at the tolerance is not over), counting what was received before.
    public func isOverReceipt(_ line: OrderLineState, quantity: Int64) -> Bool {
        let after = line.received &+ quantity
        // after > ordered × (1 + tolerance), in integers: after × 10,000 > ordered × (10,000 + tolerance)
        let (left, leftOverflow) = after.multipliedReportingOverflow(by: 10_000)
        let (right, rightOverflow) = line.ordered.multipliedReportingOverflow(by: 10_000 + overReceiptToleranceBasisPoints)
        if leftOverflow || rightOverflow { return Double(after) > Double(line.ordered) * (1 + Double(overReceiptToleranceBasisPoints) / 10_000) }
        return left > right
    }

    /// Whether a receipt's unit cost is off the order's by more than the tolerance.
    public func isPriceVariance(receiptCostMinor: Int64, orderCostMinor: Int64) -> Bool {
        let difference = (receiptCostMinor - orderCostMinor).magnitude
        let (left, leftOverflow) = difference.multipliedReportingOverflow(by: 10_000)
        let (right, rightOverflow) = orderCostMinor.magnitude.multipliedReportingOverflow(by: UInt64(max(priceVarianceToleranceBasisPoints, 0)))
        if leftOverflow || rightOverflow { return Double(difference) * 10_000 > Double(orderCostMinor.magnitude) * Double(priceVarianceToleranceBasisPoints) }
        return left > right
    }

    /// received × (receipt cost − order cost), saturating.
    public static func priceVarianceValue(quantity: Int64, receiptCostMinor: Int64, orderCostMinor: Int64) -> Int64 {
        ApprovalPolicy.costImpact(delta: quantity, unitCostMinor: receiptCostMinor &- orderCostMinor)
    }
}

/// An order line as a receipt meets it: what was ordered, and received so far.
public struct OrderLineState: Sendable, Hashable {
    public var ordered: Int64
    public var received: Int64

    public init(ordered: Int64, received: Int64) {
        self.ordered = ordered
        self.received = received
    }

    /// SPEC section 9's states of an order line.
    public var status: OrderLineStatus {
        if received == 0 { return .unreceived }
        if received < ordered { return .short }
        return received == ordered ? .complete : .overReceived
    }
}

public enum OrderLineStatus: String, Sendable, CaseIterable, Hashable {
    case complete, short, unreceived
    case overReceived = "over-received"
}

/// A line of the receipts report: an order line's state, or a receipt no order line expected.
public enum ReceiptReportStatus: String, Sendable, CaseIterable, Hashable {
    case complete, short, unreceived
    case overReceived = "over-received"
    case unexpected
}

/// Where a receipt line stands (`receipt_lines.status`): posted, waiting for a manager over
/// its order's tolerance, or refused by one.
public enum ReceiptLineState: String, Sendable, CaseIterable, Hashable {
    case posted, pending, refused
}

/// Percentages as written in rules and options (`2.5%`), exactly, in basis points.
public enum Percentage {
    /// `2.5%` is 250; nil for anything but a non-negative percentage with at most 2 decimals.
    public static func basisPoints(_ text: String) -> Int64? {
        guard text.hasSuffix("%"), case .success(let value) = Money.parse(String(text.dropLast())), value.minorUnits >= 0 else { return nil }
        return value.minorUnits
    }
}
