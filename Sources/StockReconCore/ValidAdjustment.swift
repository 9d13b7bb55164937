/// A row that passed every check: resolved to catalog ids, exact numbers, normalized text.
public struct ValidAdjustment: Sendable {
    public enum Change: Sendable, Hashable {
        case delta(Int64)
        case set(onHand: Int64)
    }

    public var record: Int
    public var line: Int
    /// The variant's internal id.
    public var variantKey: Int64
    public var locationID: Int64
    public var change: Change
    public var adjustmentType: String?
    public var reasonCode: String?
    public var reasonDescription: String?
    public var reference: String?
    public var unitCostMinor: Int64?
    public var notes: String?
    public var occurredAt: String?
    public var naturalKey: String?
    public var contentDigest: Int64
}
