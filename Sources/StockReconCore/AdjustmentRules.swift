/// The settings the checks of SPEC section 3 depend on. A format or a pipeline sets them.
public struct AdjustmentRules: Sendable {
    /// Rows without a reason are rejected (`reason_required`).
    public var isReasonRequired: Bool
    /// Decimal places of the tenant's currency (2 for most).
    public var currencyScale: Int
    /// Which valid adjustments wait for a manager.
    public var approval: ApprovalPolicy
    /// A movement that would take on-hand below zero is rejected (`negative_stock`).
    public var isNegativeStockForbidden: Bool

    public init(
        isReasonRequired: Bool = false, currencyScale: Int = 2, approval: ApprovalPolicy = ApprovalPolicy(),
        isNegativeStockForbidden: Bool = false
    ) {
        self.isReasonRequired = isReasonRequired
        self.currencyScale = currencyScale
        self.approval = approval
        self.isNegativeStockForbidden = isNegativeStockForbidden
    }
}

/// The types of the stock-adjustments format.
public enum AdjustmentType: String, Sendable, CaseIterable {
    case damage = "DAMAGE"
    case theft = "THEFT"
    case expired = "EXPIRED"
    case found = "FOUND"
    case correction = "CORRECTION"
    case `return` = "RETURN"

    /// The type's name as a literal, to store without building a string.
    public var literal: StaticString {
        switch self {
        case .damage: return "DAMAGE"
        case .theft: return "THEFT"
        case .expired: return "EXPIRED"
        case .found: return "FOUND"
        case .correction: return "CORRECTION"
        case .return: return "RETURN"
        }
    }
}

/// When a valid adjustment needs a manager's approval (defaults from the stock-count API):
/// more than `maxUnits` units, a value above `maxValueMinor`, or a type that always does.
/// Exactly at a threshold needs none.
public struct ApprovalPolicy: Sendable, Hashable {
    public var maxUnits: Int64
    public var maxValueMinor: Int64
    /// Adjustment types (upper case) that always need approval.
    public var alwaysApprovedTypes: Set<String>

    public init(maxUnits: Int64 = 50, maxValueMinor: Int64 = 50_000, alwaysApprovedTypes: Set<String> = [AdjustmentType.theft.rawValue]) {
        self.maxUnits = maxUnits
        self.maxValueMinor = maxValueMinor
        self.alwaysApprovedTypes = alwaysApprovedTypes
    }

    /// No adjustment waits: every valid row posts.
    public static let never = ApprovalPolicy(maxUnits: .max, maxValueMinor: .max, alwaysApprovedTypes: [])

    /// The signed value of a change: quantity × unit cost, in minor units (saturating).
    public static func costImpact(delta: Int64, unitCostMinor: Int64?) -> Int64 {
        let (product, overflow) = delta.multipliedReportingOverflow(by: unitCostMinor ?? 0)
        if overflow { return delta < 0 ? .min : .max }
        return product
    }

    public func needsApproval(delta: Int64, unitCostMinor: Int64?, type: String?) -> Bool {
        if delta.magnitude > maxUnits.magnitude { return true }
        if Self.costImpact(delta: delta, unitCostMinor: unitCostMinor).magnitude > maxValueMinor.magnitude { return true }
        if let type, !alwaysApprovedTypes.isEmpty, alwaysApprovedTypes.contains(type.uppercased()) { return true }
        return false
    }
}
