/// A named value from an input row: the column (or JSON key) and its text.
public struct Field: Sendable, Hashable {
    public var name: String
    public var text: String
    public init(_ name: String, _ text: String) {
        self.name = name
        self.text = text
    }
}

/// How a row's quantity changes stock.
public enum AdjustmentMode: String, Sendable, Hashable {
    /// The quantity is a signed change (`adjustment`).
    case delta = "adjustment"
    /// The quantity is the new on-hand (`set`): the change is the difference.
    case set
}

/// One input row as a source format reads it, before any check: text in, named fields,
/// and where it came from. Empty values are nil.
public struct AdjustmentInput: Sendable {
    public var file: String
    public var line: Int
    /// The data record's number in its file, from 1 (with the file's hash, its default key).
    public var record: Int
    public var variant: Field?
    public var variantKeyKind: VariantKeyKind = .variantID
    public var quantity: Field?
    /// The column the quantity comes from, named when it is empty.
    public var quantityColumn = "quantity_delta"
    public var mode: AdjustmentMode = .delta
    /// A closed-set value that chose the mode or the type, kept to report it when invalid.
    public var invalidChoice: (field: Field, allowed: [String])?
    public var adjustmentType: String?
    public var location: Field?
    public var reasonCode: Field?
    public var reasonDescription: String?
    public var reference: String?
    public var unitCost: Field?
    /// The cost is given in integer minor units (`unit_cost_minor`), not as a decimal.
    public var isUnitCostInMinorUnits = false
    public var notes: String?
    public var occurredAt: Field?
    /// The row's natural id (`idempotency_key`, `external_id`, a line item id), if any.
    public var naturalKey: String?

    public init(file: String, line: Int, record: Int) {
        self.file = file
        self.line = line
        self.record = record
    }

    public func location(of field: Field?) -> SourceLocation {
        SourceLocation(file: file, line: line, field: field?.name)
    }

    /// A 64-bit FNV-1a digest of everything that decides what the row posts: two rows with
    /// one natural key and different digests conflict.
    public var contentDigest: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: String?) {
            for byte in (text ?? "\u{0}").utf8 {
                hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3
            }
            hash = (hash ^ 0x1f) &* 0x0000_0100_0000_01b3
        }
        for part in [
            variant?.text, variantKeyKind.rawValue, quantity?.text, mode.rawValue, adjustmentType,
            location?.text, reasonCode?.text, reasonDescription, reference, unitCost?.text, notes,
            occurredAt?.text,
        ] { mix(part) }
        return Int64(bitPattern: hash)
    }
}
