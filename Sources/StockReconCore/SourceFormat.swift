/// The built-in source formats (SPEC section 6), each a `ColumnMapping`.
public enum SourceFormat: String, Sendable, CaseIterable {
    case canonical
    case synq
    case brandAPI = "brand-api"
    case dayzero
    case haravan
    case stockAdjustments = "stock-adjustments"

    public var mapping: ColumnMapping {
        switch self {
        case .canonical: return Self.canonicalMapping
        case .synq: return Self.synqMapping
        case .brandAPI: return Self.brandAPIMapping
        case .dayzero: return Self.dayzeroMapping
        case .haravan: return Self.haravanMapping
        case .stockAdjustments: return Self.stockAdjustmentsMapping
        }
    }

    /// The optional columns every flat format reads.
    private static let commonColumns: [MappedField: [String]] = [
        .location: ["location_id"],
        .reason: ["reason_code", "reason"],
        .reasonDescription: ["reason_description"],
        .reference: ["reference_id", "reference"],
        .unitCost: ["unit_cost"],
        .occurredAt: ["occurred_at"],
        .notes: ["notes", "note"],
        .idempotencyKey: ["idempotency_key", "external_id"],
        .adjustmentType: ["adjustment_type"],
    ]

    private static func flat(
        _ format: SourceFormat, variant: [VariantColumn], _ columns: [MappedField: [String]],
        rowKeys: [String]
    ) -> ColumnMapping {
        var mapping = ColumnMapping(name: format.rawValue, variantColumns: variant, columns: commonColumns.merging(columns) { $1 })
        mapping.jsonRowKeys = rowKeys
        return mapping
    }

    static let canonicalMapping: ColumnMapping = flat(
        .canonical,
        variant: [
            VariantColumn("variant_id", .variantID), VariantColumn("sku", .sku), VariantColumn("barcode", .barcode),
            VariantColumn("product_id", .productID), VariantColumn("product", .any), VariantColumn("variant", .any),
        ],
        [
            .quantity: ["quantity_delta"], .quantityAfter: ["quantity_after"], .transactionType: ["transaction_type"],
            .unitCostMinor: ["unit_cost_minor"], .reason: ["reason_code"],
        ],
        rowKeys: ["movements", "adjustments", "rows"])

    static let synqMapping: ColumnMapping = {
        var mapping = flat(
            .synq, variant: [VariantColumn("variant_id", .variantID)], [.quantity: ["quantity_delta"], .reason: ["reason_code"]],
            rowKeys: ["adjustments", "items"])
        mapping.defaults[.notes] = "Import"
        return mapping
    }()

    static let brandAPIMapping: ColumnMapping = {
        var mapping = flat(
            .brandAPI, variant: [VariantColumn("product_id", .productID), VariantColumn("variant_id", .variantID)],
            [.quantity: ["quantity"], .reason: ["reason_code"], .site: ["site_id"]],
            rowKeys: ["inventory", "adjustments", "items", "data"])
        mapping.requiredFields = []
        return mapping
    }()

    static let dayzeroMapping: ColumnMapping = {
        var mapping = flat(
            .dayzero, variant: [VariantColumn("variant_id", .variantID)], [.quantity: ["quantity_change"], .reason: ["reason"]],
            rowKeys: ["adjustments", "data"])
        mapping.requiresReason = true
        return mapping
    }()

    static let stockAdjustmentsMapping: ColumnMapping = {
        var mapping = flat(
            .stockAdjustments, variant: [VariantColumn("product", .any)],
            [.quantity: ["quantity"], .adjustmentType: ["type"], .reason: ["reason"]],
            rowKeys: ["adjustments", "stock_adjustments", "data"])
        mapping.isAdjustmentTypeClosed = true
        mapping.requiredFields = [.adjustmentType]
        return mapping
    }()

    /// Haravan's adjustorset: line items inside adjustments. The importer flattens each line
    /// item with its adjustment's fields into the columns named here.
    static let haravanMapping: ColumnMapping = {
        var mapping = ColumnMapping(
            name: SourceFormat.haravan.rawValue,
            variantColumns: [
                VariantColumn("product_variant_id", .variantID), VariantColumn("sku", .sku), VariantColumn("barcode", .barcode),
            ],
            columns: [
                .quantity: ["quantity"], .transactionType: ["type"], .location: ["location_id"], .reason: ["reason"],
                .notes: ["note"], .reference: ["adjust_number"], .reasonDescription: ["tags"],
                .occurredAt: ["tran_date", "created_at"], .totalCost: ["cost_amount"], .idempotencyKey: ["line_item_key"],
            ])
        mapping.shape = .haravanAdjustments
        mapping.transactionTypes = ["adjust": .delta, "set": .set]
        mapping.defaults[.reason] = "newproduct"
        mapping.reasonChoices = ["newproduct", "returned", "productionofgoods", "damaged", "shrinkage", "promotion", "transfer"]
        mapping.reasons = ReasonMap(["damaged": .damage, "returned": .return])
        mapping.jsonRowKeys = ["adjustments", "inventory"]
        return mapping
    }()
}

extension ColumnMapping {
    /// Receipts (SPEC section 6): `po_number, variant, location_id, quantity_received,
    /// unit_cost`, the variant by variant_id, sku or barcode (or a `variant` column of any);
    /// the PO number is the movement's reference, and a quantity must be positive.
    public static let receipts: ColumnMapping = {
        var mapping = ColumnMapping(
            name: "receipts",
            variantColumns: [
                VariantColumn("variant_id", .variantID), VariantColumn("sku", .sku), VariantColumn("barcode", .barcode),
                VariantColumn("variant", .any),
            ],
            columns: [
                .quantity: ["quantity_received"], .reference: ["po_number"], .location: ["location_id"], .unitCost: ["unit_cost"],
                .occurredAt: ["occurred_at", "received_at"], .notes: ["notes", "note"],
                .idempotencyKey: ["idempotency_key", "receipt_line_id"],
            ])
        mapping.requiresPositiveQuantity = true
        mapping.requiredFields = [.reference]
        mapping.jsonRowKeys = ["receipts", "lines", "items", "rows"]
        return mapping
    }()
}
