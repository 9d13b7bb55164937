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

    public init(
        record: Int, line: Int, variantKey: Int64, locationID: Int64, change: Change,
        adjustmentType: String? = nil, reasonCode: String? = nil, reasonDescription: String? = nil,
        reference: String? = nil, unitCostMinor: Int64? = nil, notes: String? = nil,
        occurredAt: String? = nil, naturalKey: String? = nil, contentDigest: Int64 = 0
    ) {
        self.record = record
        self.line = line
        self.variantKey = variantKey
        self.locationID = locationID
        self.change = change
        self.adjustmentType = adjustmentType
        self.reasonCode = reasonCode
        self.reasonDescription = reasonDescription
        self.reference = reference
        self.unitCostMinor = unitCostMinor
        self.notes = notes
        self.occurredAt = occurredAt
        self.naturalKey = naturalKey
        self.contentDigest = contentDigest
    }
}
