/// What a natural key saw before this row: the digest of the row that used it and how
/// that row ended.
public struct EarlierKey: Sendable, Hashable {
    public var contentDigest: Int64
    public var outcome: Outcome
    public init(contentDigest: Int64, outcome: Outcome) {
        self.contentDigest = contentDigest
        self.outcome = outcome
    }
}

/// Why a valid row is refused when it meets the ledger.
public enum ReconcileRejection: Sendable, Hashable {
    /// The key was used before by a row with other content.
    case conflictingDuplicate(earlierOutcome: Outcome)
    /// The change would take on-hand below zero, and the rules forbid it.
    case negativeStock(onHand: Int64, delta: Int64)
    /// A change dated before later movements would have taken on-hand below zero on `day`
    /// (YYYY-MM-DD), from `onHand` then, and the rules forbid it.
    case negativeStockThen(day: String, onHand: Int64, delta: Int64)
}

/// The fate of one valid row, decided from the row, the on-hand and what its key saw.
public enum Fate: Sendable, Hashable {
    case post(MovementKind, delta: Int64)
    /// Held for a manager's approval: `delta` is what approving posts.
    case hold(delta: Int64)
    case unchanged
    case duplicate
    case reject(ReconcileRejection)

    /// The outcome of SPEC section 2 this fate counts as.
    public var outcome: Outcome {
        switch self {
        case .post: return .posted
        case .hold: return .pending
        case .unchanged: return .unchanged
        case .duplicate: return .duplicate
        case .reject: return .rejected
        }
    }
}

/// The one place that decides what happens to a valid row: duplicate or conflict, a `set`
/// becoming a change or nothing, negative stock, waiting for approval, or posting. Pure:
/// the store looks up the on-hand and the key, and writes what this returns.
public struct Reconciler: Sendable {
    public var approval: ApprovalPolicy
    public var isNegativeStockForbidden: Bool
    /// The movement kind of a plain change (`adjustment`; `receipt` and `count` for those stages).
    public var changeKind: MovementKind
    /// Receipts: the tolerances an order line is held to (nil for every other change).
    public var receiving: ReceivingPolicy?

    public init(approval: ApprovalPolicy = ApprovalPolicy(), isNegativeStockForbidden: Bool = false, changeKind: MovementKind = .adjustment) {
        self.approval = approval
        self.isNegativeStockForbidden = isNegativeStockForbidden
        self.changeKind = changeKind
    }

    public init(rules: AdjustmentRules, changeKind: MovementKind = .adjustment) {
        self.init(approval: rules.approval, isNegativeStockForbidden: rules.isNegativeStockForbidden, changeKind: changeKind)
    }

    /// Receipts: posted as `receipt`, held only over an order's tolerance (a delivery of
    /// 500 units is routine, not an adjustment over a threshold).
    public static func receiving(_ policy: ReceivingPolicy, rules: AdjustmentRules) -> Reconciler {
        var reconciler = Reconciler(approval: .never, isNegativeStockForbidden: rules.isNegativeStockForbidden, changeKind: .receipt)
        reconciler.receiving = policy
        return reconciler
    }

    /// Reversals: the opposite of a movement, posted as `reversal`; never held (undoing is
    /// not an adjustment to approve) and allowed below zero (it restores what stood before).
    public static let reversing = Reconciler(approval: .never, isNegativeStockForbidden: false, changeKind: .reversal)

    /// - Parameters:
    ///   - change: the row's change, or the new on-hand of a `set` row.
    ///   - earlier: what the row's natural key saw in an earlier row, nil for a new key or none.
    ///   - digest: the row's content digest, compared with the earlier one.
    ///   - adjustmentType: the row's type (upper case), for the types that always wait.
    ///   - order: a receipt's order line as it stands before this row (nil: unexpected, or not a receipt).
    public func decide(
        _ change: StockChange, onHand: Int64, unitCostMinor: Int64?, adjustmentType: AdjustmentType?,
        earlier: EarlierKey? = nil, digest: Int64 = 0, order: OrderLineState? = nil
    ) -> Fate {
        if let earlier {
            return earlier.contentDigest == digest ? .duplicate : .reject(.conflictingDuplicate(earlierOutcome: earlier.outcome))
        }
        let kind: MovementKind
        let delta: Int64
        switch change {
        case .delta(let value):
            (kind, delta) = (changeKind, value)
        case .set(let newOnHand):
            (kind, delta) = (.set, newOnHand - onHand)
        }
        if delta == 0 { return .unchanged }
        if isNegativeStockForbidden, onHand + delta < 0 { return .reject(.negativeStock(onHand: onHand, delta: delta)) }
        if let receiving, let order, receiving.isOverReceipt(order, quantity: delta) { return .hold(delta: delta) }
        if approval.requiresApproval(delta: delta, unitCostMinor: unitCostMinor, type: adjustmentType) { return .hold(delta: delta) }
        return .post(kind, delta: delta)
    }

    /// The rejection as a diagnostic at the row's place; `quantityField` names the column.
    public static func diagnostic(_ rejection: ReconcileRejection, at location: SourceLocation, key: String?) -> Diagnostic {
        switch rejection {
        case .conflictingDuplicate(let outcome):
            var at = location
            at.field = "idempotency_key"
            return Diagnostic(
                .conflictingDuplicate, at: at,
                "this key was already \(outcome.rawValue) with different content: give a corrected row a new key, or post a reversal",
                input: key)
        case .negativeStock(let onHand, let delta):
            return Diagnostic(
                .negativeStock, at: location,
                "this would take on-hand from \(onHand) to \(onHand + delta), and negative stock is not allowed: count the stock, or post the missing receipt first",
                input: String(delta), context: ["on_hand": .integer(onHand), "ge": .integer(0)])
        case .negativeStockThen(let day, let onHand, let delta):
            return Diagnostic(
                .negativeStock, at: location,
                "this is dated before later movements and would have taken on-hand on \(day) from \(onHand) to \(onHand + delta), and negative stock is not allowed: date it when it happened, or post the missing receipt first",
                input: String(delta), context: ["on_hand": .integer(onHand), "ge": .integer(0), "day": .text(day)])
        }
    }
}
