/// A stocktake's kind (the stock-count API's types). FULL and ANNUAL cover everything in
/// scope, so their completion lists what was not counted.
public enum CountType: String, Sendable, CaseIterable, Hashable {
    case full = "FULL"
    case cycle = "CYCLE"
    case spot = "SPOT"
    case annual = "ANNUAL"

    public var listsUncounted: Bool { self == .full || self == .annual }
}

public enum CountStatus: String, Sendable, CaseIterable, Hashable {
    case inProgress = "IN_PROGRESS"
    case completed = "COMPLETED"
    case cancelled = "CANCELLED"
}

/// What completing a FULL or ANNUAL count does with items that have stock and were not counted.
public enum UncountedPolicy: String, Sendable, CaseIterable, Hashable {
    /// Leave them as they are; the report lists them.
    case keep
    /// Count them as zero.
    case zero
}

/// The `counts:` rules of a pipeline (SPEC section 7).
public struct CountRules: Sendable, Hashable {
    /// A line whose |variance value| is above this is flagged for review (minor units).
    public var reviewOverValueMinor: Int64

    public init(reviewOverValueMinor: Int64 = 10_000) {
        self.reviewOverValueMinor = reviewOverValueMinor
    }
}

/// One item of a count: a variant at a location, what the books said when the count
/// started, what moved while counting, and what was counted. The variance arithmetic of
/// SPEC section 8 lives here, and nowhere else.
public struct CountItem: Sendable, Hashable {
    public var variantID: String
    public var sku: String?
    /// What people call the variant (`Tent – 2P`), where the catalog says.
    public var name: String?
    public var locationID: String
    /// The batches its lines named, comma-separated (stock is kept per variant and location).
    public var batch: String?
    /// On-hand when the count started.
    public var systemQuantity: Int64
    /// Nil: not counted (an item with stock that a FULL or ANNUAL count left out).
    public var countedQuantity: Int64?
    /// The net of the movements posted between the count's start and now (or its completion).
    public var movedDuringCount: Int64
    public var unitCostMinor: Int64?
    public var reason: String?
    public var notes: String?

    public init(
        variantID: String, sku: String? = nil, locationID: String, batch: String? = nil, systemQuantity: Int64,
        countedQuantity: Int64?, movedDuringCount: Int64 = 0, unitCostMinor: Int64?, reason: String? = nil, notes: String? = nil,
        name: String? = nil
    ) {
        self.name = name
        self.variantID = variantID
        self.sku = sku
        self.locationID = locationID
        self.batch = batch
        self.systemQuantity = systemQuantity
        self.countedQuantity = countedQuantity
        self.movedDuringCount = movedDuringCount
        self.unitCostMinor = unitCostMinor
        self.reason = reason
        self.notes = notes
    }

    /// counted − system; nil when not counted.
    public var variance: Int64? { countedQuantity.map { $0 - systemQuantity } }

    /// variance × unit cost, exact in minor units; nil when not counted (or when it does not
    /// fit, which `isValueBeyondRange` tells).
    public var varianceValueMinor: Int64? {
        guard let variance else { return nil }
        let (value, overflow) = variance.multipliedReportingOverflow(by: unitCostMinor ?? 0)
        return overflow ? nil : value
    }

    /// Counted, but variance × unit cost does not fit in 64 bits of minor units.
    public var isValueBeyondRange: Bool { variance != nil && varianceValueMinor == nil }

    /// On-hand now: what the books say after the movements posted while counting.
    public var onHandNow: Int64 { systemQuantity + movedDuringCount }

    /// On-hand once the variance is posted: the counted quantity plus what moved since the start.
    public var onHandAfterApplying: Int64? { countedQuantity.map { $0 + movedDuringCount } }

    public func needsReview(_ rules: CountRules) -> Bool {
        guard let value = varianceValueMinor else { return false }
        return value.magnitude > rules.reviewOverValueMinor.magnitude
    }

    /// What completing with `--apply` posts for this item: a pre-approved movement of kind
    /// `count`, decided by the same function as every imported row.
    public func fate() -> Fate {
        guard let variance else { return .unchanged }
        return Self.reconciler.decide(.delta(variance), onHand: onHandNow, unitCostMinor: unitCostMinor, adjustmentType: nil)
    }

    /// Corrections made by completing a count are pre-approved (SPEC section 3), and a count
    /// is the truth about the shelf, so negative stock is not refused.
    static let reconciler = Reconciler(approval: .never, isNegativeStockForbidden: false, changeKind: .count)
}

/// A count's figures (the `stock_counts` columns of SPEC section 8), from its items.
public struct CountTotals: Sendable, Hashable {
    public var itemsCounted = 0
    public var itemsWithDiscrepancy = 0
    public var itemsUncounted = 0
    /// The sum of the negative variance values (a negative number, or zero).
    public var missingValueMinor: Int64 = 0
    /// The sum of the positive variance values.
    public var excessValueMinor: Int64 = 0
    public var unitsMissing: Int64 = 0
    public var unitsExcess: Int64 = 0
    public var itemsFlagged = 0

    public init() {}

    public init(_ items: some Sequence<CountItem>, rules: CountRules = CountRules()) throws {
        for item in items { try add(item, rules: rules) }
    }

    /// Adds an item's figures; `MoneyOverflow` when a value or a sum of values does not fit.
    public mutating func add(_ item: CountItem, rules: CountRules) throws {
        guard let variance = item.variance else {
            itemsUncounted += 1
            return
        }
        guard let value = item.varianceValueMinor else {
            throw MoneyOverflow("the variance value of \(item.variantID) at \(item.locationID) (\(variance) × \(Money.format(minorUnits: item.unitCostMinor ?? 0)))")
        }
        itemsCounted += 1
        if variance != 0 { itemsWithDiscrepancy += 1 }
        if variance < 0 { unitsMissing += variance } else { unitsExcess += variance }
        if value < 0 { missingValueMinor = try missingValueMinor.adding(value, exactly: "the count's missing value") }
        else { excessValueMinor = try excessValueMinor.adding(value, exactly: "the count's excess value") }
        if item.needsReview(rules) { itemsFlagged += 1 }
    }

    /// missing + excess.
    public var netVarianceMinor: Int64 { missingValueMinor + excessValueMinor }  // one is ≤ 0, the other ≥ 0: it fits

    /// Counted items that matched the books, in basis points (9,750 is 97.50%); nil when nothing was counted.
    public var accuracyBasisPoints: Int64? {
        guard itemsCounted > 0 else { return nil }
        return Int64(itemsCounted - itemsWithDiscrepancy) * 10_000 / Int64(itemsCounted)
    }
}

/// A sum or product of money beyond what 64 bits of minor units hold: no figure is shown
/// rather than a wrong one.
public struct MoneyOverflow: Error, CustomStringConvertible {
    public var what: String
    public init(_ what: String) { self.what = what }
    public var description: String {
        "\(what) is beyond ±92,233,720,368,547,758.07, the most an exact figure holds: check the costs and quantities behind it"
    }
}

extension Int64 {
    /// The exact sum of two amounts of money, or `MoneyOverflow` naming what was summed.
    public func adding(_ other: Int64, exactly what: @autoclosure () -> String) throws -> Int64 {
        let (sum, overflow) = addingReportingOverflow(other)
        if overflow { throw MoneyOverflow(what()) }
        return sum
    }
}
