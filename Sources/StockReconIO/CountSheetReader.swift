import StockReconCore

/// Reads a count sheet (SPEC section 6: CSV, XLSX or JSON) into rows. A sheet whose header
/// lacks `counted_quantity`, or any of `variant_id`, `sku` and `barcode`, cannot be read.
public enum CountSheetReader {
    /// Wrapping members of a JSON sheet that hold its rows (`{"lines": [...]}`).
    static let rowKeys = ["lines", "items", "counts", "rows"]

    public static func read(_ input: InputFile) throws -> [CountSheetRow] {
        let records = try TableFileReader.read(
            input, columns: CountSheetRow.columns, freeText: CountSheetRow.freeTextColumns, rowKeys: rowKeys,
            header: { names in
                let variantColumns = ["variant_id", "sku", "barcode"]
                guard names.contains("counted_quantity"), variantColumns.contains(where: names.contains) else {
                    throw FileReadError(
                        SourceLocation(file: input.displayName, line: 1),
                        "not a count sheet: the header needs counted_quantity and one of variant_id, sku or barcode (write one with `stockrecon count sheet`)",
                        input: names.sorted().joined(separator: ","))
                }
            })
        return records.map { record in
            // A blind CSV sheet guards ids that start like formulas with a `'`: take it off again.
            let values = record.values.mapValues(CSVText.unguarded)
            return CountSheetRow(
                file: input.displayName, line: record.line, variantID: values["variant_id"], sku: values["sku"],
                barcode: values["barcode"], countedQuantity: values["counted_quantity"], locationID: values["location_id"],
                batch: values["batch"], reason: values["reason"], notes: values["notes"])
        }
    }
}
