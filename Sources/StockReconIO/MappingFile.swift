import Foundation
import StockReconCore
import Yams

/// Reads a mapping file (YAML, SPEC section 6) into a `ColumnMapping`, checking every key
/// and value and reporting all mistakes at once with the file's line and column.
public enum MappingFile {
    static let topLevelKeys = [
        "separator", "decimal_mark", "sheet", "columns", "date_format", "reasons", "strict_reasons", "defaults", "max_field_bytes",
        "thousands_separator", "currency", "no_quantity", "blank_quantity", "encoding", "fill_down", "time_format",
        "apostrophe_guard", "required_columns", "repeated_items",
    ]
    /// The `columns:` keys and the fields they fill.
    static let columnKeys: [String: MappedField] = [
        "variant": .variant, "quantity": .quantity, "location": .location, "site": .site, "reason": .reason,
        "reason_description": .reasonDescription, "reference": .reference, "unit_cost": .unitCost,
        "occurred_at": .occurredAt, "occurred_time": .occurredTime, "notes": .notes, "idempotency_key": .idempotencyKey,
    ]
    static let columnSettings = [
        "variant_by", "quantity_is", "location_by", "quantity_columns", "variant_fallback", "variant_fallback_by", "variant_pattern",
    ]

    public static func load(path: String, displayName: String? = nil) throws -> ColumnMapping {
        let name = displayName ?? path
        return try parse(ConfigurationReader.text(ofFile: path, displayName: name, what: "mapping file"), file: name)
    }

    public static func parse(_ text: String, file: String) throws -> ColumnMapping {
        var reader = ConfigurationReader(file: file)
        guard let root = reader.document(text) else { throw ConfigurationError(reader.problems) }
        let mapping = read(root, name: file, reader: &reader)
        guard reader.problems.isEmpty, let mapping else { throw ConfigurationError(reader.problems) }
        return mapping
    }

    /// A mapping from an already parsed node (a pipeline's inline mapping); problems are added to `reader`.
    static func read(_ root: Node, name: String, reader: inout ConfigurationReader) -> ColumnMapping? {
        guard let top = reader.mapping(root, allowed: topLevelKeys, what: "mapping") else { return nil }
        var mapping = ColumnMapping(name: name, variantColumns: [], columns: [:])
        // Its text as Yams writes it again: the same mapping however it was laid out.
        mapping.identity = "mapping " + ((try? Yams.serialize(node: root)) ?? "\(name) \(UUID().uuidString)")
        mapping.requiresEveryNamedColumn = true
        mapping.jsonRowKeys = ["adjustments", "rows", "data", "items"]
        if let node = top["separator"], let value = reader.choice(node, ["auto", ",", ";", "\t", "tab", "comma", "semicolon"]) {
            mapping.separator = ["tab": .tab, "comma": .comma, "semicolon": .semicolon][value] ?? ColumnMapping.Separator(rawValue: value) ?? .auto
        }
        if let node = top["decimal_mark"], let value = reader.choice(node, [".", ","]) {
            mapping.decimalMark = ColumnMapping.DecimalMark(rawValue: value) ?? .point
        }
        if let node = top["sheet"] { mapping.sheet = reader.string(node) }
        readNumberStyle(top, into: &mapping, reader: &reader)
        if let node = top["max_field_bytes"], let text = reader.string(node) {
            if let bytes = Int(text), (1...ColumnMapping.maxFieldBytesLimit).contains(bytes) {
                mapping.maxFieldBytes = bytes
            } else {
                reader.problem(node, "max_field_bytes must be a whole number of bytes from 1 to \(ColumnMapping.maxFieldBytesLimit), such as 4194304, not \(text)")
            }
        }
        if let node = top["fill_down"] {
            for item in ConfigurationReader.items(node) {
                guard let name = reader.string(item) else { continue }
                mapping.fillDown.append(name)
                mapping.origins[name] = reader.location(item)
            }
        }
        if let node = top["time_format"] { mapping.timeFormat = dateFormat(node, reader: &reader) }
        if let node = top["date_format"] { mapping.dateFormat = dateFormat(node, reader: &reader) }
        if let node = top["strict_reasons"], let flag = reader.bool(node) { mapping.reasons.isStrict = flag }
        if let node = top["reasons"] {
            mapping.reasons = ReasonMap(reader.reasonTypes(node, what: "reasons"), isStrict: mapping.reasons.isStrict)
        }
        if let node = top["columns"] {
            readColumns(node, into: &mapping, reader: &reader)
        } else {
            reader.problem(root, "the mapping has no columns: add `columns:` with at least `variant:` and `quantity:`")
        }
        if let node = top["defaults"], let entries = reader.mapping(node, allowed: Array(columnKeys.keys).sorted(), what: "defaults") {
            for (key, value) in entries.pairs {
                if let field = columnKeys[key], let text = reader.string(value) { mapping.defaults[field] = text }
            }
        }
        return mapping
    }

    /// A strptime-style pattern `DateFormat` reads, or nil with a problem at its node.
    private static func dateFormat(_ node: Node, reader: inout ConfigurationReader) -> String? {
        guard let pattern = reader.string(node) else { return nil }
        do {
            _ = try DateFormat(pattern)
            return pattern
        } catch {
            reader.problem(node, "\(error)")
            return nil
        }
    }

    /// `thousands_separator`, `currency`, `no_quantity` and `blank_quantity`.
    private static func readNumberStyle(_ top: ConfigurationReader.Members, into mapping: inout ColumnMapping, reader: inout ConfigurationReader) {
        if let node = top["thousands_separator"], let value = reader.choice(node, [".", ",", " ", "'", "none"]) {
            mapping.thousandsSeparator = value == "none" ? nil : value.first
            if mapping.thousandsSeparator.map(String.init) == mapping.decimalMark.rawValue {
                reader.problem(node, "thousands_separator and decimal_mark are both \(value): a file uses one for each")
            }
        }
        if let node = top["currency"] {
            let signs = ConfigurationReader.items(node).compactMap { reader.string($0) }
            if signs.contains(where: { $0.isEmpty || $0.contains(where: { $0.isNumber }) }) {
                reader.problem(node, "currency names the signs or codes around money, such as $ or EUR, without digits")
            } else {
                mapping.currencySigns = signs
            }
        }
        if let node = top["no_quantity"] {
            mapping.noQuantityValues = ConfigurationReader.items(node).compactMap { reader.string($0)?.lowercased() }
        }
        if let node = top["encoding"], let value = reader.choice(node, ["UTF-8", "WINDOWS-1252", "CP1252", "ISO-8859-1", "LATIN-1"], ignoringCase: true) {
            mapping.encoding = switch value.uppercased() {
            case "WINDOWS-1252", "CP1252": .windows1252
            case "ISO-8859-1", "LATIN-1": .latin1
            default: .utf8
            }
        }
        if let node = top["apostrophe_guard"], let value = reader.bool(node) { mapping.dropsApostropheGuard = value }
        if let node = top["repeated_items"], let value = reader.choice(node, ["set", "add"]) {
            mapping.addsRepeatedItems = value == "add"
        }
        if let node = top["required_columns"] {
            mapping.requiredHeaders = ConfigurationReader.items(node).compactMap { reader.string($0) }
        }
        if let node = top["blank_quantity"], let value = reader.choice(node, ["unchanged", "missing"]) {
            mapping.isBlankQuantityUnchanged = value == "unchanged"
        }
    }

    private static func readColumns(_ node: Node, into mapping: inout ColumnMapping, reader: inout ConfigurationReader) {
        guard let columns = reader.mapping(node, allowed: Array(columnKeys.keys).sorted() + columnSettings, what: "columns") else { return }
        var variantKind = VariantKeyKind.variantID
        if let node = columns["variant_by"], let value = reader.choice(node, VariantKeyKind.allCases.map(\.rawValue)) {
            variantKind = VariantKeyKind(rawValue: value) ?? .variantID
        }
        if let node = columns["quantity_is"], let value = reader.choice(node, ColumnMapping.QuantityMeaning.allCases.map(\.rawValue)) {
            mapping.quantityIs = ColumnMapping.QuantityMeaning(rawValue: value) ?? .delta
        }
        if let node = columns["location_by"], let value = reader.choice(node, ColumnMapping.LocationKey.allCases.map(\.rawValue)) {
            mapping.locationBy = ColumnMapping.LocationKey(rawValue: value) ?? .locationID
        }
        for (key, value) in columns.pairs {
            guard let field = columnKeys[key], let header = reader.string(value) else { continue }
            mapping.origins[header] = reader.location(value)
            if field == .variant {
                mapping.variantColumns = [VariantColumn(header, variantKind)]
            } else {
                mapping.columns[field] = [header]
            }
        }
        readVariantSettings(columns, into: &mapping, reader: &reader)
        if let wide = columns["quantity_columns"] {
            mapping.quantityColumns = readWideColumns(wide, reader: &reader)
            if let wide = mapping.quantityColumns { mapping.locationBy = wide.locationBy }
            if columns["quantity"] != nil {
                reader.problem(wide, "a wide sheet's quantities are in its `quantity_columns:`: remove `quantity:`")
            }
            if columns["location"] != nil {
                reader.problem(wide, "a wide sheet's columns name their locations: remove `location:`")
            }
        }
        for required in ["variant", "quantity"] where columns[required] == nil && !(required == "quantity" && columns["quantity_columns"] != nil) {
            reader.problem(node, "columns has no `\(required):`: name the header that holds the \(required)")
        }
    }

    /// `variant_fallback:` (a column that names the variant where the first is blank, by
    /// `variant_fallback_by:`, and that a file may lack) and `variant_pattern:`.
    private static func readVariantSettings(_ columns: ConfigurationReader.Members, into mapping: inout ColumnMapping, reader: inout ConfigurationReader) {
        if let node = columns["variant_fallback"], let header = reader.string(node) {
            var kind = VariantKeyKind.variantID
            if let byNode = columns["variant_fallback_by"], let value = reader.choice(byNode, VariantKeyKind.allCases.map(\.rawValue)) {
                kind = VariantKeyKind(rawValue: value) ?? .variantID
            }
            mapping.variantColumns.append(VariantColumn(header, kind))
            mapping.optionalColumns.insert(header)
            mapping.origins[header] = reader.location(node)
        } else if let node = columns["variant_fallback_by"] {
            reader.problem(node, "variant_fallback_by says how `variant_fallback:` names the variant: name that column too")
        }
        if let node = columns["variant_pattern"], let pattern = reader.string(node) {
            if let expression = try? NSRegularExpression(pattern: pattern), expression.numberOfCaptureGroups >= 1 {
                mapping.variantPattern = pattern
            } else {
                reader.problem(node, "variant_pattern must be a regular expression whose first group is the key, such as \"^\\[([^]]+)\\]\"")
            }
        }
    }

    /// `quantity_columns:` — `pattern:` (its first group names the location) or `columns:` (header: location),
    /// with `location_by` and `underscores_are_spaces`.
    private static func readWideColumns(_ node: Node, reader: inout ConfigurationReader) -> ColumnMapping.WideColumns? {
        guard let entries = reader.mapping(node, allowed: ["pattern", "columns", "location_by", "underscores_are_spaces"], what: "quantity_columns")
        else { return nil }
        var locationBy = ColumnMapping.LocationKey.locationID
        if let byNode = entries["location_by"], let value = reader.choice(byNode, ColumnMapping.LocationKey.allCases.map(\.rawValue)) {
            locationBy = ColumnMapping.LocationKey(rawValue: value) ?? .locationID
        }
        let underscores = entries["underscores_are_spaces"].flatMap { reader.bool($0) } ?? false
        switch (entries["pattern"], entries["columns"]) {
        case (let patternNode?, nil):
            guard let pattern = reader.string(patternNode) else { return nil }
            let wide = ColumnMapping.WideColumns(pattern: pattern, listed: [], locationBy: locationBy, underscoresAreSpaces: underscores)
            guard let expression = wide.headerExpression, expression.numberOfCaptureGroups >= 1 else {
                reader.problem(patternNode, "pattern must be a regular expression whose first group is the location, such as \"New Quantity (.+)\"")
                return nil
            }
            return wide
        case (nil, let listNode?):
            guard let list = reader.mapping(listNode, allowed: nil, what: "quantity_columns.columns") else { return nil }
            let listed = list.pairs.compactMap { header, value in reader.string(value).map { (header, $0) } }
            return ColumnMapping.WideColumns(pattern: nil, listed: listed, locationBy: locationBy, underscoresAreSpaces: underscores)
        default:
            reader.problem(node, "quantity_columns takes either `pattern:` (a header pattern whose group names the location) or `columns:` (each header and its location)")
            return nil
        }
    }
}
