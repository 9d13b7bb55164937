/// How a row's quantity changes stock.
public enum AdjustmentMode: String, Sendable, Hashable {
    /// The quantity is a signed change (`adjustment`).
    case delta = "adjustment"
    /// The quantity is the new on-hand (`set`): the change is the difference.
    case set
}

/// Where a file's rows come from: the file, the mapping that reads it and the header names
/// its fields were found under, shared by every row (a reference, so rows copy no strings).
public final class InputSource: Sendable {
    public let file: String
    public let mapping: ColumnMapping
    /// The variant columns the file has, in the order they are tried.
    public let variantColumns: [VariantColumn]
    /// For messages: the header name each field is read from.
    private let fieldNames: [MappedField: String]
    public let dateFormat: DateFormat?
    /// The mapping's reason choices, on a reason's bytes.
    private let reasonChoices: LowercasedIndex
    /// What every row reads of the mapping, kept apart: reading a computed property of the
    /// mapping (a struct) copied the whole of it, twice a row (a fifth of an import's time).
    public let numberStyle: NumberStyle
    public let maxFieldBytes: Int
    public let noQuantityValues: [String]
    /// The same, looked up on a cell's bytes.
    private let noQuantity: LowercasedIndex
    public let isBlankQuantityUnchanged: Bool
    public let decimalMark: UInt8

    public init(file: String, mapping: ColumnMapping = SourceFormat.canonical.mapping, variantColumns: [VariantColumn]? = nil, fieldNames: [MappedField: String] = [:]) {
        self.file = file
        self.mapping = mapping
        self.variantColumns = variantColumns ?? mapping.variantColumns
        self.fieldNames = fieldNames
        self.dateFormat = mapping.timestampFormat.flatMap { try? DateFormat($0) }
        numberStyle = mapping.numberStyle
        maxFieldBytes = mapping.maxFieldBytes
        noQuantityValues = mapping.noQuantityValues
        isBlankQuantityUnchanged = mapping.isBlankQuantityUnchanged
        decimalMark = mapping.decimalMark == .comma ? UInt8(ascii: ",") : UInt8(ascii: ".")
        var noQuantity = LowercasedIndex()
        for value in mapping.noQuantityValues { noQuantity.add(value.lowercased(), value: 0) }
        self.noQuantity = noQuantity
        var choices = LowercasedIndex()
        for choice in mapping.reasonChoices { choices.add(choice, value: 0) }
        reasonChoices = choices
    }

    /// Whether a reason is one of the mapping's choices, in any case.
    func isReasonChoice(_ reason: some InputText) -> Bool {
        reasonChoices.value(for: reason).map { $0 != nil } ?? mapping.reasonChoices.contains(reason.string.lowercased())
    }

    /// Whether a quantity cell says there is no quantity here (`not stocked`, in any case).
    public func isNoQuantity(_ text: some InputText) -> Bool {
        guard !noQuantityValues.isEmpty else { return false }
        let isBlankAtAnEnd = text.withBytes { bytes in
            let blank = { (byte: UInt8?) in byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") }
            return blank(bytes.first) || blank(bytes.last)
        }
        if !isBlankAtAnEnd, let found = noQuantity.value(for: text) { return found != nil }
        return noQuantityValues.contains(text.string.trimmingCharacters(in: " \t").lowercased())
    }

    /// The header name a field is read from in this file, or the mapping's first name for it.
    public func column(_ field: MappedField) -> String {
        fieldNames[field] ?? mapping.names(field).first ?? field.rawValue
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

/// One input row as a source mapping reads it, before any check: texts as written (empty
/// values are nil; ids and numbers trimmed, free text exact) and where the row is. `Text` is
/// `String`, or `BorrowedText` for rows checked straight from a reader's buffer.
public struct AdjustmentInput<Text: InputText> {
    public var source: InputSource
    public var line: Int
    /// The data record's number in its file, from 1 (with the file's hash, its default key).
    public var record: Int
    public var variant: Text?
    /// Which of `source.variantColumns` named the variant.
    public var variantColumn = 0
    public var quantity: Text?
    public var mode: AdjustmentMode = .delta
    public var invalidChoice: InvalidChoice?
    public var adjustmentType: Text?
    public var location: Text?
    public var site: Text?
    public var reasonCode: Text?
    public var reasonDescription: Text?
    public var reference: Text?
    public var unitCost: Text?
    /// The cost is given in integer minor units (`unit_cost_minor`), not as a decimal.
    public var isUnitCostInMinorUnits = false
    /// The cost of the whole line, to divide by the quantity.
    public var totalCost: Text?
    public var notes: Text?
    public var occurredAt: Text?
    /// The row's natural id (`idempotency_key`, `external_id`, a line item id), if any.
    public var naturalKey: Text?
    /// The reading says this row changes nothing (a repeated item adding zero).
    public var isUnchanged = false

    /// Inlinable, so that a reader's module builds its rows without generic value witnesses
    /// (unspecialized, this was about a tenth of the checking thread of a synq import).
    @inlinable
    public init(source: InputSource, line: Int, record: Int) {
        self.source = source
        self.line = line
        self.record = record
    }

    /// The variant column this row names its variant by.
    public var variantKey: VariantColumn {
        let columns = source.variantColumns
        return columns.indices.contains(variantColumn) ? columns[variantColumn] : VariantColumn("variant_id", .variantID)
    }

    /// A wide sheet's row: the header of its location's quantity column.
    public var wideQuantityColumn: String?

    /// The column the quantity is read from in this row's mode.
    public var quantityColumn: String {
        if let wideQuantityColumn { return wideQuantityColumn }
        return mode == .set && !source.mapping.names(.quantityAfter).isEmpty ? source.column(.quantityAfter) : source.column(.quantity)
    }

    public var unitCostColumn: String { source.column(isUnitCostInMinorUnits ? .unitCostMinor : .unitCost) }

    /// This row's location in its file, at `column`.
    public func location(_ column: String) -> SourceLocation {
        SourceLocation(file: source.file, line: line, field: column)
    }

    /// This row's location at the column a field is read from.
    public func location(of field: MappedField) -> SourceLocation { location(source.column(field)) }

    /// A 64-bit digest of everything that decides what the row posts: two rows with one
    /// natural key and different digests conflict.
    @inlinable  // specialized where it is called: the re-export's hot path settles rows by it
    public func contentDigest(_ kind: ContentDigest) -> Int64 {
        switch kind {
        case .fnv1a: fnv1aDigest
        case .words: wordsDigest
        }
    }

    @inlinable
    var wordsDigest: Int64 {
        var hash: UInt64 = 0x243F_6A88_85A3_08D3
        hash = Self.mixingWords(variant, into: hash)
        hash = WordHash.mixing(word: wordsDigestCodes, into: hash)
        hash = Self.mixingWords(quantity, into: hash)
        hash = Self.mixingWords(adjustmentType, into: hash)
        hash = Self.mixingWords(location, into: hash)
        hash = Self.mixingWords(site, into: hash)
        hash = Self.mixingWords(reasonCode, into: hash)
        hash = Self.mixingWords(reasonDescription, into: hash)
        hash = Self.mixingWords(reference, into: hash)
        hash = Self.mixingWords(unitCost, into: hash)
        hash = Self.mixingWords(totalCost, into: hash)
        hash = Self.mixingWords(notes, into: hash)
        hash = Self.mixingWords(occurredAt, into: hash)
        return Int64(bitPattern: hash)
    }

    /// The kind of variant column and the mode, as fixed codes in one word (they are stored
    /// in digests: never renumber them).
    @inlinable
    var wordsDigestCodes: UInt64 {
        let kind: UInt64 = switch variantKey.kind {
        case .variantID: 1
        case .sku: 2
        case .barcode: 3
        case .productID: 4
        case .any: 5
        }
        let mode: UInt64 = switch self.mode {
        case .delta: 1
        case .set: 2
        }
        return kind | mode << 8
    }

    @inlinable @inline(__always)
    static func mixingWords(_ text: (some InputText)?, into hash: UInt64) -> UInt64 {
        guard let text else { return WordHash.mixingAbsent(into: hash) }
        return text.withBytes { WordHash.mixing($0, into: hash) }
    }

    /// The digest of tenants whose keys predate `words` (migration v12), a byte at a time.
    /// Its fields are listed again rather than shared with `wordsDigest`: each kind is stored
    /// and must stay exactly as it is, whatever becomes of the other.
    @inlinable
    var fnv1aDigest: Int64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        hash = Self.mixing(variant, into: hash)
        hash = Self.mixing(variantKey.kind.rawValue, into: hash)
        hash = Self.mixing(quantity, into: hash)
        hash = Self.mixing(mode.rawValue, into: hash)
        hash = Self.mixing(adjustmentType, into: hash)
        hash = Self.mixing(location, into: hash)
        hash = Self.mixing(site, into: hash)
        hash = Self.mixing(reasonCode, into: hash)
        hash = Self.mixing(reasonDescription, into: hash)
        hash = Self.mixing(reference, into: hash)
        hash = Self.mixing(unitCost, into: hash)
        hash = Self.mixing(totalCost, into: hash)
        hash = Self.mixing(notes, into: hash)
        hash = Self.mixing(occurredAt, into: hash)
        return Int64(bitPattern: hash)
    }

    /// One field into the FNV-1a digest, then a separator. A pure function of its arguments: a
    /// mutable hash captured by a closure was checked for exclusive access on every byte.
    @inlinable
    static func mixing(_ text: (some InputText)?, into hash: UInt64) -> UInt64 {
        let prime: UInt64 = 0x0000_0100_0000_01b3
        var mixed = hash &* prime  // a NUL byte: nil differs from ""
        if let text {
            mixed = text.withBytes { bytes in
                var mixed = hash
                for byte in bytes { mixed = (mixed ^ UInt64(byte)) &* prime }
                return mixed
            }
        }
        return (mixed ^ 0x1f) &* prime
    }
}

/// Owned text may cross threads; borrowed text lives only during a reader's callback.
extension AdjustmentInput: Sendable where Text: Sendable {}
