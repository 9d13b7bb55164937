import StockReconCore

/// A source format bound to one file's columns: turns each row into an `AdjustmentInput`.
public final class RowMapper: Sendable {
    public let format: SourceFormat
    public let source: InputSource
    private let variant: Int?
    private let quantity: Int?
    private let quantityAfter: Int?
    private let transactionType: Int?
    private let adjustmentType: Int?
    private let location: Int?
    private let reason: Int?
    private let reasonDescription: Int?
    private let reference: Int?
    private let unitCost: Int?
    private let unitCostMinor: Int?
    private let notes: Int?
    private let occurredAt: Int?
    private let naturalKey: Int?

    init(format: SourceFormat, columns: Columns, file: String) {
        self.format = format
        let variantName: String
        let quantityName: String
        let reasonName: String
        switch format {
        case .canonical:
            variantName = Columns.variantAlternatives.first { columns[$0] != nil } ?? "variant_id"
            (quantityName, reasonName) = ("quantity_delta", "reason_code")
        case .synq: (variantName, quantityName, reasonName) = ("variant_id", "quantity_delta", "reason_code")
        case .dayzero: (variantName, quantityName, reasonName) = ("variant_id", "quantity_change", "reason")
        case .stockAdjustments: (variantName, quantityName, reasonName) = ("product", "quantity", "reason")
        }
        let typeName = format == .stockAdjustments ? "type" : "adjustment_type"
        source = InputSource(
            file: file, variantColumn: variantName, variantKeyKind: Self.keyKind(variantName),
            quantityColumn: quantityName, reasonColumn: reasonName,
            typeColumn: format == .stockAdjustments ? typeName : nil)
        variant = columns[variantName]
        quantity = columns[quantityName]
        quantityAfter = format == .canonical ? columns["quantity_after"] : nil
        transactionType = format == .canonical ? columns["transaction_type"] : nil
        adjustmentType = columns[typeName]
        location = columns["location_id"]
        reason = columns[reasonName]
        reasonDescription = columns["reason_description"]
        reference = columns["reference_id"] ?? columns["reference"]
        unitCost = columns["unit_cost"]
        unitCostMinor = format == .canonical ? columns["unit_cost_minor"] : nil
        notes = columns["notes"] ?? columns["note"]
        occurredAt = columns["occurred_at"]
        naturalKey = columns["idempotency_key"] ?? columns["external_id"]
    }

    private static func keyKind(_ column: String) -> VariantKeyKind {
        switch column {
        case "sku": return .sku
        case "barcode": return .barcode
        case "product_id": return .productID
        case "product", "variant": return .any
        default: return .variantID
        }
    }

    @_specialize(exported: true, where Row == CSVRecord)
    @_specialize(exported: true, where Row == JSONRow)
    public func input<Row: RowReading>(from row: Row) -> AdjustmentInput<Row.Text> {
        func text(_ column: Int?) -> Row.Text? { column.flatMap { row.value($0) } }
        var input = AdjustmentInput<Row.Text>(source: source, line: row.line, record: row.record)
        input.variant = text(variant)
        if let type = text(transactionType)?.string {
            if let mode = AdjustmentMode(rawValue: type.lowercased()) {
                input.mode = mode
            } else {
                input.invalidChoice = InvalidChoice(column: "transaction_type", text: type, allowed: ["adjustment", "set"])
            }
        }
        input.quantity = text(input.mode == .set ? quantityAfter : quantity)
        input.adjustmentType = text(adjustmentType)
        input.location = text(location)
        input.reasonCode = text(reason)
        input.reasonDescription = text(reasonDescription)
        input.reference = text(reference)
        if let minor = text(unitCostMinor) {
            input.unitCost = minor
            input.isUnitCostInMinorUnits = true
        } else {
            input.unitCost = text(unitCost)
        }
        input.notes = text(notes) ?? (format == .synq ? .literal("Import") : nil)
        input.occurredAt = text(occurredAt)
        input.naturalKey = text(naturalKey)
        return input
    }
}

