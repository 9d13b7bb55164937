import StockReconCore

/// Reads a count sheet (SPEC section 6: CSV, XLSX or JSON) into rows. A sheet whose header
/// lacks `counted_quantity`, or any of `variant_id`, `sku` and `barcode`, cannot be read.
public enum CountSheetReader {
    /// Wrapping members of a JSON sheet that hold its rows (`{"lines": [...]}`).
    static let rowKeys = ["lines", "items", "counts", "rows"]

    public static func read(_ input: InputFile) throws -> [CountSheetRow] {
        var rows: [CountSheetRow] = []
        try forEach(input) { rows.append($0) }
        return rows
    }

    /// Reads a sheet of stockrecon's own columns a row at a time, as it is read: a blind sheet
    /// of a million lines is never held whole.
    public static func forEach(_ input: InputFile, _ body: (CountSheetRow) throws -> Void) throws {
        try TableFileReader.forEach(
            input, columns: CountSheetRow.columns, freeText: CountSheetRow.freeTextColumns, rowKeys: rowKeys,
            header: { names in
                let variantColumns = ["variant_id", "sku", "barcode"]
                guard names.contains("counted_quantity"), variantColumns.contains(where: names.contains) else {
                    throw FileReadError(
                        SourceLocation(file: input.displayName, line: 1),
                        "not a count sheet: the header needs counted_quantity and one of variant_id, sku or barcode (write one with `stockrecon count sheet`)",
                        input: names.sorted().joined(separator: ","))
                }
            },
            record: { record in
                // A blind CSV sheet guards ids that start like formulas with a `'`: take it off again.
                let values = record.values.mapValues(CSVText.unguarded)
                try body(CountSheetRow(
                    file: input.displayName, line: record.line, variantID: values["variant_id"], sku: values["sku"],
                    barcode: values["barcode"], countedQuantity: values["counted_quantity"], locationID: values["location_id"],
                    batch: values["batch"], reason: values["reason"], notes: values["notes"]))
            })
    }

    /// Reads a sheet through a mapping (`count add --mapping`, a preset): its variant column,
    /// its quantity column as the counted quantity (blank, or one of `no_quantity`: not
    /// counted), its location by id or name, reason and notes; other columns are ignored.
    /// Reads a sheet through a mapping a row at a time, as it is read: a sheet of a million
    /// lines is never held whole.
    public static func forEach(_ input: InputFile, mapping: ColumnMapping, _ body: (CountSheetRow) throws -> Void) throws {
        try Importers.forEachInput(input, mapping: mapping) { try body(countRow($0, file: input.displayName, mapping: mapping)) }
    }

    private static func countRow(_ input: AdjustmentInput<BorrowedText>, file: String, mapping: ColumnMapping) -> CountSheetRow {
        var counted = input.quantity?.string
        if let text = counted, input.source.isNoQuantity(text) { counted = nil }
        counted = counted.map { mapping.plainNumber($0, isMoney: false) }
        var row = CountSheetRow(
            file: file, line: input.line, countedQuantity: counted, batch: nil,
            reason: input.reasonCode?.string, notes: input.notes?.string)
        let variant = input.variant?.string
        switch input.variantKey.kind {
        case .variantID: row.variantID = variant
        case .sku: row.sku = variant
        case .barcode: row.barcode = variant
        case .productID, .any: row.anyKey = variant
        }
        if mapping.locationBy == .name { row.locationName = input.location?.string } else { row.locationID = input.location?.string }
        if let date = input.occurredAt?.string {
            row.countedAtText = date
            row.countedAt = input.source.dateFormat.map { $0.normalize(date) } ?? Timestamp.normalize(date)
        }
        return row
    }
}

extension ColumnMapping {
    /// A number as the readers of count sheets and purchase orders take it (a point for
    /// decimals, no grouping, no currency): the file's own marks made plain.
    func plainNumber(_ text: String, isMoney: Bool) -> String {
        guard !numberStyle.isPlain || decimalMark == .comma else { return text }
        let plain = numberStyle.plain(text, isMoney: isMoney)
        return decimalMark == .comma ? plain.replacingOccurrences(of: ",", with: ".") : plain
    }
}
