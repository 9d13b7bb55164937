/// The settings the checks of SPEC section 3 depend on. A format or a pipeline sets them.
public struct AdjustmentRules: Sendable {
    /// Rows without a reason are rejected (`reason_required`).
    public var isReasonRequired: Bool
    /// Decimal places of the tenant's currency (2 for most).
    public var currencyScale: Int

    public init(isReasonRequired: Bool = false, currencyScale: Int = 2) {
        self.isReasonRequired = isReasonRequired
        self.currencyScale = currencyScale
    }
}
