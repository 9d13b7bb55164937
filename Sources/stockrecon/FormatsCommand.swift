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
            lines.append("\(preset.name) (\(preset.source)): \(preset.books.allColumnNames.joined(separator: ", "))"
                + (preset.counts.map { "; counted: \($0.names(.quantity).joined(separator: ", "))" } ?? "; books only"))
        }
        if global.json {
            let formats = SourceFormat.allCases.map { #"{"name":\#(JSONText.quote($0.rawValue)),"kind":"format"}"# }
            let presets = Presets.all.map { preset in
                #"{"name":\#(JSONText.quote(preset.name)),"kind":"preset","source":\#(JSONText.quote(preset.source)),"#
                    + #""headers":[\#(preset.books.allColumnNames.map(JSONText.quote).joined(separator: ","))],"counts":\#(preset.counts != nil)}"#
            }
            print(#"{"formats":[\#((formats + presets).joined(separator: ","))]}"#)
        } else {
            print(lines.joined(separator: "\n"))
        }
    }
}
