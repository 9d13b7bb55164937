import StockReconCore

/// A source format bound to one file's columns: turns each row into an `AdjustmentInput`.
public final class RowMapper: Sendable {
    public let format: SourceFormat
    public let file: String
    private let variant: (column: Int, name: String, kind: VariantKeyKind)?
    private let quantity: Int?
    private let quantityName: String
    private let quantityAfter: Int?
    private let transactionType: Int?
    private let adjustmentType: Int?
    private let location: Int?
    private let reason: Int?
    private let reasonName: String
    private let reasonDescription: Int?
    private let reference: Int?
    private let unitCost: Int?
    private let unitCostMinor: Int?
    private let notes: Int?
    private let occurredAt: Int?
    private let naturalKey: Int?

    init(format: SourceFormat, columns: Columns, file: String) {
        self.format = format
        self.file = file
        let variantName = format == .canonical
            ? Columns.variantAlternatives.first { columns[$0] != nil }
            : "variant_id"
        variant = variantName.flatMap { name in
            columns[name].map { ($0, name, Self.keyKind(name)) }
        }
        quantityName = format == .dayzero ? "quantity_change" : "quantity_delta"
        quantity = columns[quantityName]
        quantityAfter = format == .canonical ? columns["quantity_after"] : nil
        transactionType = format == .canonical ? columns["transaction_type"] : nil
        adjustmentType = columns["adjustment_type"]
        location = columns["location_id"]
        reasonName = format == .dayzero ? "reason" : "reason_code"
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

    public func input(from row: some RowReading) -> AdjustmentInput {
        var input = AdjustmentInput(file: file, line: row.line, record: row.record)
        if let variant {
            input.variant = row.text(variant.column).map { Field(variant.name, $0) }
            input.variantKeyKind = variant.kind
        }
        input.quantityColumn = quantityName
        input.quantity = quantity.flatMap { row.text($0) }.map { Field(quantityName, $0) }
        if let transactionType, let text = row.text(transactionType) {
            if let mode = AdjustmentMode(rawValue: text.lowercased()) {
                input.mode = mode
            } else {
                input.invalidChoice = (Field("transaction_type", text), ["adjustment", "set"])
            }
        }
        if input.mode == .set {
            input.quantityColumn = "quantity_after"
            input.quantity = quantityAfter.flatMap { row.text($0) }.map { Field("quantity_after", $0) }
        }
        input.adjustmentType = adjustmentType.flatMap { row.text($0) }
        input.location = location.flatMap { row.text($0) }.map { Field("location_id", $0) }
        input.reasonCode = reason.flatMap { row.text($0) }.map { Field(reasonName, $0) }
        input.reasonDescription = reasonDescription.flatMap { row.text($0) }
        input.reference = reference.flatMap { row.text($0) }
        if let text = unitCostMinor.flatMap({ row.text($0) }) {
            input.unitCost = Field("unit_cost_minor", text)
            input.isUnitCostInMinorUnits = true
        } else {
            input.unitCost = unitCost.flatMap { row.text($0) }.map { Field("unit_cost", $0) }
        }
        input.notes = notes.flatMap { row.text($0) } ?? (format == .synq ? "Import" : nil)
        input.occurredAt = occurredAt.flatMap { row.text($0) }.map { Field("occurred_at", $0) }
        input.naturalKey = naturalKey.flatMap { row.text($0) }
        return input
    }
}
