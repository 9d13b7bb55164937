import StockReconCore

/// Reads a purchase orders file (CSV, XLSX or JSON) a row at a time. A file whose header
/// lacks `po_number`, `quantity_ordered` or every variant column cannot be read.
public enum PurchaseOrderReader {
    public static func forEach(_ input: InputFile, _ body: (PurchaseOrderRow) throws -> Void) throws {
        try TableFileReader.forEach(
            input, columns: PurchaseOrderRow.columns, rowKeys: ["purchase_orders", "orders", "lines", "rows"],
            header: { names in
                let variants = PurchaseOrderRow.variantColumns.map(\.0)
                guard names.contains("po_number"), names.contains("quantity_ordered"), variants.contains(where: names.contains) else {
                    throw FileReadError(
                        SourceLocation(file: input.displayName, line: 1),
                        "not a purchase orders file: the header needs po_number, quantity_ordered and one of \(variants.joined(separator: ", "))",
                        input: names.sorted().joined(separator: ","))
                }
            }) { record in
            let values = record.values
            let variant = PurchaseOrderRow.variantColumns.lazy.compactMap { column, kind in
                values[column].map { (column: column, key: $0, kind: kind) }
            }.first
            try body(PurchaseOrderRow(
                file: input.displayName, line: record.line, poNumber: values["po_number"], variant: variant,
                locationID: values["location_id"], quantityOrdered: values["quantity_ordered"], unitCost: values["unit_cost"]))
        }
    }

    /// Reads a purchase orders file through a mapping (`receive --orders-mapping`, a receive
    /// stage's `orders_mapping:`), a row at a time: `reference` is the PO number, `quantity`
    /// the units ordered, `unit_cost` the order's cost, the location by id or by name.
    public static func forEach(_ input: InputFile, mapping: ColumnMapping, _ body: (PurchaseOrderRow) throws -> Void) throws {
        try Importers.forEachInput(input, mapping: mapping) { try body(orderRow($0, file: input.displayName, mapping: mapping)) }
    }

    private static func orderRow(_ input: AdjustmentInput<BorrowedText>, file: String, mapping: ColumnMapping) -> PurchaseOrderRow {
        let key = input.variantKey
        var row = PurchaseOrderRow(
            file: file, line: input.line, poNumber: input.reference?.string,
            variant: input.variant.map { (column: key.name, key: $0.string, kind: key.kind) }, locationID: nil,
            quantityOrdered: input.quantity.map { mapping.plainNumber($0.string, isMoney: false) },
            unitCost: input.unitCost.map { mapping.plainNumber($0.string, isMoney: true) })
        if mapping.locationBy == .name { row.locationName = input.location?.string } else { row.locationID = input.location?.string }
        return row
    }
}
