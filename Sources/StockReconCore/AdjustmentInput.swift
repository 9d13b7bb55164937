/// How a row's quantity changes stock.
public enum AdjustmentMode: String, Sendable, Hashable {
    /// The quantity is a signed change (`adjustment`).
    case delta = "adjustment"
    /// The quantity is the new on-hand (`set`): the change is the difference.
    case set
}

/// Where a file's rows come from: the file and the columns its values are read from,
/// shared by every row (a reference, so that rows do not copy these strings).
public final class InputSource: Sendable {
    public let file: String
    /// The column naming the variant, and which catalog id it holds.
    public let variantColumn: String
    public let variantKeyKind: VariantKeyKind
    /// The column of a change (`quantity_delta`, `quantity_change`) and of a new on-hand.
    public let quantityColumn: String
    public let setQuantityColumn: String
    public let reasonColumn: String
    /// A column of required, closed-set adjustment types (`AdjustmentType`); nil where the
    /// type is free text and optional.
    public let typeColumn: String?

    public init(
        file: String, variantColumn: String = "variant_id", variantKeyKind: VariantKeyKind = .variantID,
        quantityColumn: String = "quantity_delta", setQuantityColumn: String = "quantity_after",
        reasonColumn: String = "reason_code", typeColumn: String? = nil
    ) {
        self.file = file
        self.variantColumn = variantColumn
        self.variantKeyKind = variantKeyKind
        self.quantityColumn = quantityColumn
        self.setQuantityColumn = setQuantityColumn
        self.reasonColumn = reasonColumn
        self.typeColumn = typeColumn
    }
}

/// A closed-set value outside its set (such as `transaction_type`).
public struct InvalidChoice: Sendable, Hashable {
    public var column: String
    public var text: String
    public var allowed: [String]
    public init(column: String, text: String, allowed: [String]) {
        self.column = column
        self.text = text
        self.allowed = allowed
    }
}

/// One input row as a source format reads it, before any check: texts as written (empty
/// values are nil), the columns they came from (`source`) and where the row is. `Text` is
/// `String`, or `BorrowedText` for rows checked straight from a CSV reader's buffer.
public struct AdjustmentInput<Text: InputText>: Sendable {
    public var source: InputSource
    public var line: Int
    /// The data record's number in its file, from 1 (with the file's hash, its default key).
    public var record: Int
    public var variant: Text?
    public var quantity: Text?
    public var mode: AdjustmentMode = .delta
    public var invalidChoice: InvalidChoice?
    public var adjustmentType: Text?
    public var location: Text?
    public var reasonCode: Text?
    public var reasonDescription: Text?
    public var reference: Text?
    public var unitCost: Text?
    /// The cost is given in integer minor units (`unit_cost_minor`), not as a decimal.
    public var isUnitCostInMinorUnits = false
    public var notes: Text?
    public var occurredAt: Text?
    /// The row's natural id (`idempotency_key`, `external_id`, a line item id), if any.
    public var naturalKey: Text?

    public init(source: InputSource, line: Int, record: Int) {
        self.source = source
        self.line = line
        self.record = record
    }

    /// The column the quantity is read from in this row's mode.
    public var quantityColumn: String { mode == .set ? source.setQuantityColumn : source.quantityColumn }

    public var unitCostColumn: String { isUnitCostInMinorUnits ? "unit_cost_minor" : "unit_cost" }

    /// This row's location in its file, at `column`.
    public func location(_ column: String) -> SourceLocation {
        SourceLocation(file: source.file, line: line, field: column)
    }

    /// A 64-bit FNV-1a digest of everything that decides what the row posts: two rows with
    /// one natural key and different digests conflict.
    public var contentDigest: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        func mix(_ text: (some InputText)?) {
            if let text {
                text.withBytes { bytes in
                    for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
                }
            } else {
                hash = hash &* 0x0000_0100_0000_01b3  // a NUL byte: nil differs from ""
            }
            hash = (hash ^ 0x1f) &* 0x0000_0100_0000_01b3
        }
        mix(variant)
        mix(source.variantKeyKind.rawValue)
        mix(quantity)
        mix(mode.rawValue)
        mix(adjustmentType)
        mix(location)
        mix(reasonCode)
        mix(reasonDescription)
        mix(reference)
        mix(unitCost)
        mix(notes)
        mix(occurredAt)
        return Int64(bitPattern: hash)
    }
}
