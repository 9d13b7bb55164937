/// The settings the checks of SPEC section 3 depend on. A format's mapping or a pipeline sets them.
public struct AdjustmentRules: Sendable {
    /// Rows without a reason are rejected (`reason_required`).
    public var isReasonRequired: Bool
    /// Decimal places of the tenant's currency (2 for most).
    public var currencyScale: Int
    /// Which valid adjustments wait for a manager.
    public var approval: ApprovalPolicy
    /// A movement that would take on-hand below zero is rejected (`negative_stock`).
    public var isNegativeStockForbidden: Bool
    /// Source reasons and the adjustment types they stand for.
    public var reasons: ReasonMap

    public init(
        isReasonRequired: Bool = false, currencyScale: Int = 2, approval: ApprovalPolicy = ApprovalPolicy(),
        isNegativeStockForbidden: Bool = false, reasons: ReasonMap = ReasonMap()
    ) {
        self.isReasonRequired = isReasonRequired
        self.currencyScale = currencyScale
        self.approval = approval
        self.isNegativeStockForbidden = isNegativeStockForbidden
        self.reasons = reasons
    }

    /// These rules under a format's mapping: its reason requirement and reason map are
    /// added (the mapping's entries win over the rules' for the same reason).
    public func applying(_ mapping: ColumnMapping) -> AdjustmentRules {
        var rules = self
        rules.isReasonRequired = isReasonRequired || mapping.requiresReason
        rules.reasons = reasons.merging(mapping.reasons)
        return rules
    }
}

/// The adjustment types of the stock-count API: what a reason means for the rules.
public enum AdjustmentType: String, Sendable, CaseIterable, Hashable {
    case damage = "DAMAGE"
    case theft = "THEFT"
    case expired = "EXPIRED"
    case found = "FOUND"
    case correction = "CORRECTION"
    case `return` = "RETURN"

    /// A type named in any case (`theft`, `Theft`), nil for anything else.
    public init?(named text: String) {
        self.init(rawValue: text.uppercased())
    }

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

    public static var names: [String] { allCases.map(\.rawValue) }
}

/// Source reasons (any case) and the adjustment types they stand for. A reason that is
/// itself a type's name (`damage`, `THEFT`) stands for that type without an entry.
public struct ReasonMap: Sendable, Hashable {
    /// Keyed by the lowercased source reason.
    public private(set) var types: [String: AdjustmentType]
    /// A reason that is neither in the map nor a type's name is rejected (`unknown_reason`).
    public var isStrict: Bool

    public init(_ types: [String: AdjustmentType] = [:], isStrict: Bool = false) {
        self.types = [:]
        for (reason, type) in types { self.types[reason.lowercased()] = type }
        self.isStrict = isStrict
    }

    public var isEmpty: Bool { types.isEmpty && !isStrict }

    /// The reasons and the types' own names on their bytes, for `type(of:in:)`.
    func lowercasedIndex() -> (index: LowercasedIndex, types: [AdjustmentType]) {
        var index = LowercasedIndex()
        var found: [AdjustmentType] = []
        for (reason, type) in types {
            index.add(reason, value: found.count)
            found.append(type)
        }
        for type in AdjustmentType.allCases {
            index.add(type.rawValue.lowercased(), value: found.count)
            found.append(type)
        }
        return (index, found)
    }

    /// The type a reason stands for: `.some(nil)` for a known reason without a type is not
    /// possible; nil means the reason is unknown.
    public func type(of reason: String) -> AdjustmentType? {
        types[reason.lowercased()] ?? AdjustmentType(named: reason)
    }

    /// Both maps; `other`'s entries win, and either's strictness holds.
    public func merging(_ other: ReasonMap) -> ReasonMap {
        var merged = self
        for (reason, type) in other.types { merged.types[reason] = type }
        merged.isStrict = isStrict || other.isStrict
        return merged
    }
}

/// When a valid adjustment needs a manager's approval (defaults from the stock-count API):
/// more than `maxUnits` units, a value above `maxValueMinor`, or a type that always does.
/// Exactly at a threshold needs none.
public struct ApprovalPolicy: Sendable, Hashable {
    public var maxUnits: Int64
    public var maxValueMinor: Int64
    /// Adjustment types that always wait for a manager, whatever their size.
    public var alwaysRequiresApproval: Set<AdjustmentType>

    public init(maxUnits: Int64 = 50, maxValueMinor: Int64 = 50_000, alwaysRequiresApproval: Set<AdjustmentType> = [.theft]) {
        self.maxUnits = maxUnits
        self.maxValueMinor = maxValueMinor
        self.alwaysRequiresApproval = alwaysRequiresApproval
    }

    /// No adjustment waits: every valid row posts.
    public static let never = ApprovalPolicy(maxUnits: .max, maxValueMinor: .max, alwaysRequiresApproval: [])

    /// The signed value of a change: quantity × unit cost, in minor units (saturating).
    public static func costImpact(delta: Int64, unitCostMinor: Int64?) -> Int64 {
        let (product, overflow) = delta.multipliedReportingOverflow(by: unitCostMinor ?? 0)
        if overflow { return delta < 0 ? .min : .max }
        return product
    }

    public func requiresApproval(delta: Int64, unitCostMinor: Int64?, type: AdjustmentType?) -> Bool {
        if delta.magnitude > maxUnits.magnitude { return true }
        if Self.costImpact(delta: delta, unitCostMinor: unitCostMinor).magnitude > maxValueMinor.magnitude { return true }
        // A scan of a handful of types: `contains` would hash the type on every row.
        if let type, alwaysRequiresApproval.contains(where: { $0 == type }) { return true }
        return false
    }
}
