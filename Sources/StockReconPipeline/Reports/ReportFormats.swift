import StockReconCore

// Markdown, CSV and JSON renderings of a report (HTML is in its own file), written to a sink
// a row at a time.

extension ReportDocument {
    func writeMarkdown(to out: inout some ReportSink) throws {
        try out.write("# \(Self.markdownText(title))\n\n")
        for fact in facts { try out.write("- **\(Self.markdownText(fact.label))**: \(Self.markdownText(fact.value.plain))\n") }
        try out.write("\n## \(Self.markdownText(chart.title))\n\n")
        if chart.bars.isEmpty { try out.write("Nothing to chart.\n") }
        for bar in chart.bars { try out.write("- \(Self.markdownText(bar.label)): \(Money.format(minorUnits: bar.valueMinor))\n") }
        for table in tables {
            try out.write("\n## \(Self.markdownText(table.title))\n\n")
            guard let first = table.firstRow else {
                try out.write("\(table.emptyText)\n")
                continue
            }
            try out.write("| " + table.columns.map { Self.markdownText($0.label) }.joined(separator: " | ") + " |\n")
            try out.write("|" + table.columns.indices.map { first[$0].isNumeric ? "---:|" : "---|" }.joined() + "\n")
            try table.forEachRow { row in try out.write("| " + row.map { Self.markdownText($0.plain) }.joined(separator: " | ") + " |\n") }
        }
    }

    /// Text from files, made inert in Markdown: HTML entities for `<`, `>` and `&` (renderers
    /// pass HTML through), backslashes before Markdown's punctuation, line breaks as spaces.
    static func markdownText(_ text: String) -> String {
        if !text.utf8.contains(where: markdownSpecial.contains) { return text }
        var out = ""
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\n", "\r", "\r\n", "\t": out += " "
            case "\\", "|", "*", "_", "`", "[", "]", "#", "!": out += "\\" + String(character)
            default: out.append(character)
            }
        }
        return out
    }

    /// The bytes `markdownText` changes.
    static let markdownSpecial = Set("&<>\n\r\t\\|*_`[]#!".utf8)

    /// The tables as CSV. One table is plain CSV; several follow each other, a blank line
    /// apart, each row led by its table's key in a `section` column. Text cells are
    /// spreadsheet-safe; numbers and money (as decimals) stay numbers.
    func writeCSV(to out: inout some ReportSink) throws {
        let sectioned = tables.count > 1
        for (index, table) in tables.enumerated() {
            if index > 0 { try out.write("\r\n") }
            try out.write(((sectioned ? ["section"] : []) + table.columns.map(\.key)).map(CSVText.field).joined(separator: ",") + "\r\n")
            try table.forEachRow { row in
                let cells = row.map { cell -> String in
                    if case .text(let text) = cell { return CSVText.safeField(text) }
                    return cell.plain
                }
                try out.write(((sectioned ? [table.key] : []) + cells).joined(separator: ",") + "\r\n")
            }
        }
    }

    func writeJSON(to out: inout some ReportSink) throws {
        var members: [(String, String)] = [("report", JSONText.quote(kind)), ("title", JSONText.quote(title))]
        members += facts.map { ($0.unit.jsonKey($0.key), Self.jsonValue($0.value)) }
        let bars = chart.bars.map { #"{"label":\#(JSONText.quote($0.label)),"value_minor":\#($0.valueMinor)}"# }
        members.append(("chart", #"{"title":\#(JSONText.quote(chart.title)),"bars":[\#(bars.joined(separator: ","))]}"#))
        try out.write("{" + members.map { JSONText.quote($0.0) + ":" + $0.1 }.joined(separator: ",\n"))
        for table in tables {
            let keys = table.columns.map { JSONText.quote($0.unit.jsonKey($0.key)) + ":" }
            try out.write(",\n" + JSONText.quote(table.key) + ":[")
            var separator = ""
            try table.forEachRow { row in
                var text = separator + "{"
                for (column, cell) in row.enumerated() {
                    if column > 0 { text += "," }
                    text += keys[column]
                    text += Self.jsonValue(cell)
                }
                try out.write(text + "}")
                separator = ",\n"
            }
            try out.write("]")
        }
        try out.write("}\n")
    }

    /// Money as exact minor units, percentages in basis points.
    static func jsonValue(_ cell: ReportCell) -> String {
        switch cell {
        case .null: return "null"
        case .text(let text): return JSONText.quote(text)
        case .integer(let value): return String(value)
        case .money(let minor): return String(minor)
        case .percent(let basisPoints): return String(basisPoints)
        case .flag(let value): return value ? "true" : "false"
        }
    }
}
