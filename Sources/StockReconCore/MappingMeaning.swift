extension ColumnMapping {
    /// What the mapping makes of a file's bytes, written out field by field in a fixed order:
    /// two mappings that read the same rows from the same bytes have the same meaning, however
    /// their files are laid out or named. Limits that only reject rows (`maxFieldBytes`) and
    /// checks of the header alone are not part of it.
    public var meaning: String {
        var lines: [String] = [
            "shape \(shape)", "encoding \(encoding.rawValue)", "separator \(separator.rawValue)", "decimal \(decimalMark.rawValue)", "sheet \(sheet ?? "")",
            "variant " + variantColumns.map { "\($0.name)=\($0.kind.rawValue)" }.joined(separator: ","),
            "quantity_is \(quantityIs.rawValue)", "location_by \(locationBy.rawValue)", "date_format \(dateFormat ?? "")",
            "time_format \(timeFormat ?? "")",
            "reasons \(reasons.isStrict ? "strict" : "open") "
                + reasons.types.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ","),
            "transaction_types " + transactionTypes.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value.rawValue)" }.joined(separator: ","),
            "requires reason=\(requiresReason) positive=\(requiresPositiveQuantity) closed_type=\(isAdjustmentTypeClosed)",
            "reason_choices " + reasonChoices.sorted().joined(separator: ","),
            "json_rows " + jsonRowKeys.joined(separator: ","),
            "thousands \(thousandsSeparator.map(String.init) ?? "") currency " + currencySigns.joined(separator: ","),
            "no_quantity " + noQuantityValues.sorted().joined(separator: ",") + " blank_unchanged=\(isBlankQuantityUnchanged)",
        ]
        lines.append("fill_down " + fillDown.joined(separator: ","))
        // Settings added later are written only when set: a mapping without them keeps its meaning.
        if let variantPattern { lines.append("variant_pattern \(variantPattern)") }
        if dropsApostropheGuard { lines.append("apostrophe_guard") }
        if addsRepeatedItems { lines.append("repeated_items add") }
        lines.append("quantity_columns " + (quantityColumns?.description ?? ""))
        for field in MappedField.allCases {
            lines.append("column \(field.rawValue) " + names(field).joined(separator: ",") + " default " + (defaults[field] ?? ""))
        }
        return lines.joined(separator: "\n")
    }
}

/// How a file's bytes were read: the meaning of its mapping and what its rows became
/// (adjustments, receipts), as a short digest kept with the file.
public enum FileReading {
    public static func digest(mapping: ColumnMapping, changeKind: MovementKind) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in "\(changeKind.rawValue)\n\(mapping.meaning)".utf8 { hash = (hash ^ UInt64(byte)) &* 0x0000_0100_0000_01b3 }
        return String(hash, radix: 16).leftPadded(to: 16)
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
