import ArgumentParser
import StockReconPipeline

/// `stockrecon formats`: every built-in format and shop system preset, with the headers it needs.
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats", abstract: "The built-in formats and the shop systems' presets, with the headers each needs.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        var lines: [String] = []
        for format in SourceFormat.allCases {
            let mapping = format.mapping
            let variant = mapping.variantColumns.map(\.name).joined(separator: " or ")
            let quantity = (mapping.names(.quantity) + mapping.names(.quantityAfter)).joined(separator: " or ")
            let required = mapping.requiredFields.map { mapping.names($0).joined(separator: " or ") }
            lines.append("\(format.rawValue): \(([variant, quantity] + required).joined(separator: ", "))")
        }
        for preset in Presets.all {
            lines.append("\(preset.name) (\(preset.source)): \(Self.headers(preset.books).joined(separator: ", "))"
                + (preset.counts.map { "; counted: \(Self.quantities($0))" } ?? "; books only"))
        }
        if global.json {
            let formats = SourceFormat.allCases.map { #"{"name":\#(JSONText.quote($0.rawValue)),"kind":"format"}"# }
            let presets = Presets.all.map { preset in
                #"{"name":\#(JSONText.quote(preset.name)),"kind":"preset","source":\#(JSONText.quote(preset.source)),"#
                    + #""headers":[\#(Self.headers(preset.books).map(JSONText.quote).joined(separator: ","))],"counts":\#(preset.counts != nil)}"#
            }
            print(#"{"formats":[\#((formats + presets).joined(separator: ","))]}"#)
        } else {
            print(lines.joined(separator: "\n"))
        }
    }

    /// What a header needs for a mapping: its required and named columns, a wide sheet's
    /// quantity columns, then the columns it reads where they are (optional).
    static func headers(_ mapping: ColumnMapping) -> [String] {
        var names = mapping.requiredHeaders + mapping.allColumnNames.filter { !mapping.optionalColumns.contains($0) }
        if let wide = mapping.quantityColumns { names.append(wideColumns(wide)) }
        return names + mapping.optionalColumns.sorted().map { "\($0) (optional)" }
    }

    static func quantities(_ mapping: ColumnMapping) -> String {
        mapping.quantityColumns.map(wideColumns) ?? mapping.names(.quantity).joined(separator: ", ")
    }

    static func wideColumns(_ wide: ColumnMapping.WideColumns) -> String {
        wide.pattern.map { "columns like \($0)" } ?? wide.listed.map(\.header).joined(separator: ", ")
    }
}
