import Foundation
import StockReconCore

/// Which built-in format or preset a file's header fits, for `import` and `count add` given
/// neither `--format` nor `--mapping` (CSV and XLSX; a JSON file names its format).
public enum FormatSniffing {
    /// The role a file is read in: an import's books, or a count sheet's counted quantities.
    public enum Role: Sendable { case books, counts }

    /// What was chosen: its name and mapping; nil mapping for a count sheet of stockrecon's own columns.
    public struct Choice: Sendable {
        public var name: String
        public var mapping: ColumnMapping?
    }

    /// The one format or preset the header fits. `canonical`, which fits the most headers, is
    /// taken only when nothing more specific does. None fitting, or two, is a usage error
    /// saying what each candidate's header needs.
    public static func choose(for file: InputFile, role: Role) throws -> Choice {
        guard file.kind() != .json else {
            throw ConfigurationError([ConfigurationProblem(
                file: file.displayName, line: nil, column: nil,
                "a JSON file says nothing of its format in a header: give --format or --mapping")])
        }
        let written = try TableFileReader.header(of: file)
        let header = Set(written.map(Columns.normalize))
        func has(_ name: String) -> Bool { header.contains(Columns.normalize(name)) }
        if role == .counts, has("counted_quantity"), ["variant_id", "sku", "barcode"].contains(where: has) {
            return Choice(name: "count sheet", mapping: nil)
        }
        let candidates: [(name: String, mapping: ColumnMapping)] = switch role {
        case .books:
            SourceFormat.allCases.filter { $0 != .haravan }.map { ($0.rawValue, $0.mapping) } + Presets.all.map { ($0.name, $0.books) }
        case .counts:
            Presets.all.compactMap { preset in preset.counts.map { (preset.name, $0) } }
        }
        let missing = candidates.map { candidate in
            (candidate: candidate, missing: BoundMapping.missingColumns(candidate.mapping, has: has) + missingWide(candidate.mapping, header: written))
        }
        let fitting = missing.filter { $0.missing.isEmpty }.map(\.candidate)
        let specific = fitting.filter { $0.name != SourceFormat.canonical.rawValue }
        if specific.count == 1, let only = specific.first { return Choice(name: only.name, mapping: only.mapping) }
        if specific.isEmpty, let canonical = fitting.first { return Choice(name: canonical.name, mapping: canonical.mapping) }
        let message: String
        if specific.count > 1 {
            message = "the header of \(file.displayName) fits \(specific.map(\.name).joined(separator: " and ")): give --format to say which"
        } else {
            let nearest = missing.sorted { $0.missing.count < $1.missing.count }.prefix(3)
                .map { "\($0.candidate.name) (needs \($0.missing.joined(separator: ", ")))" }
            message = "no format or preset fits the header of \(file.displayName); the nearest: \(nearest.joined(separator: "; ")): "
                + "give --format, or a mapping file with --mapping (`stockrecon formats` lists them)"
        }
        throw ConfigurationError([ConfigurationProblem(file: file.displayName, line: 1, column: nil, message)])
    }

    /// A wide sheet's quantity columns the header lacks: no column matching its pattern, or a listed one.
    static func missingWide(_ mapping: ColumnMapping, header: [String]) -> [String] {
        guard let wide = mapping.quantityColumns else { return [] }
        if let pattern = wide.pattern {
            guard let expression = wide.headerExpression else { return [pattern] }
            let matches = header.contains { expression.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
            return matches ? [] : ["a column like \(pattern)"]
        }
        let names = Set(header.map(Columns.normalize))
        return wide.listed.map(\.header).filter { !names.contains(Columns.normalize($0)) }
    }
}
