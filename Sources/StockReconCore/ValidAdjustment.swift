/// How a valid row changes stock.
public enum StockChange: Sendable, Hashable {
    case delta(Int64)
    case set(onHand: Int64)
}

/// A row that passed every check: resolved to catalog ids, exact numbers, normalized text.
/// With `BorrowedText`, it lives only as long as the row it was read from.
public struct ValidAdjustment<Text: InputText> {
    public typealias Change = StockChange

    public var record: Int
    public var line: Int
    /// The variant's internal id.
    public var variantKey: Int64
    public var locationID: Int64
    public var change: Change
    public var adjustmentType: Text?
    /// The adjustment type as the rules see it (for the types that always wait).
    public var type: AdjustmentType?
    public var reasonCode: Text?
    public var reasonDescription: Text?
    public var reference: Text?
    public var unitCostMinor: Int64?
    public var notes: Text?
    public var occurredAt: String?
    public var naturalKey: Text?
    public var contentDigest: Int64
    /// The variant was named by a barcode that had lost its leading zeros (a spreadsheet's number).
    public var isBarcodeWithoutLeadingZeros = false

    public init(
        record: Int, line: Int, variantKey: Int64, locationID: Int64, change: Change,
        adjustmentType: Text? = nil, type: AdjustmentType? = nil, reasonCode: Text? = nil, reasonDescription: Text? = nil,
        reference: Text? = nil, unitCostMinor: Int64? = nil, notes: Text? = nil,
        occurredAt: String? = nil, naturalKey: Text? = nil, contentDigest: Int64 = 0
    ) {
        self.record = record
        self.line = line
        self.variantKey = variantKey
        self.locationID = locationID
        self.change = change
        self.adjustmentType = adjustmentType
        self.type = type
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

/// Owned text may cross threads; borrowed text lives only during a reader's callback.
extension ValidAdjustment: Sendable where Text: Sendable {}
