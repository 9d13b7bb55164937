import StockReconCore

// Markdown, CSV and JSON renderings of a report (HTML is in its own file).

extension ReportDocument {
    var markdown: String {
        var out = "# \(Self.markdownText(title))\n\n"
        for fact in facts { out += "- **\(Self.markdownText(fact.label))**: \(Self.markdownText(fact.value.plain))\n" }
        out += "\n## \(Self.markdownText(chart.title))\n\n"
        if chart.bars.isEmpty { out += "Nothing to chart.\n" }
        for bar in chart.bars { out += "- \(Self.markdownText(bar.label)): \(Money.format(minorUnits: bar.valueMinor))\n" }
        for table in tables {
            out += "\n## \(Self.markdownText(table.title))\n\n"
            guard !table.rows.isEmpty else {
                out += "\(table.emptyText)\n"
                continue
            }
            out += "| " + table.columns.map { Self.markdownText($0.label) }.joined(separator: " | ") + " |\n"
            out += "|" + table.columns.indices.map { index in
                table.rows.first.map { $0[index].isNumeric } == true ? "---:|" : "---|"
            }.joined() + "\n"
            for row in table.rows { out += "| " + row.map { Self.markdownText($0.plain) }.joined(separator: " | ") + " |\n" }
        }
        return out
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
    var csv: String {
        let sectioned = tables.count > 1
        var blocks: [String] = []
        for table in tables {
            var lines = [((sectioned ? ["section"] : []) + table.columns.map(\.key)).map(CSVText.field).joined(separator: ",")]
            for row in table.rows {
                let cells = row.map { cell -> String in
                    if case .text(let text) = cell { return CSVText.safeField(text) }
                    return cell.plain
                }
                lines.append(((sectioned ? [table.key] : []) + cells).joined(separator: ","))
            }
            blocks.append(lines.joined(separator: "\r\n") + "\r\n")
        }
        return blocks.joined(separator: "\r\n")
    }

    var json: String {
        var members: [(String, String)] = [("report", JSONText.quote(kind)), ("title", JSONText.quote(title))]
        members += facts.map { ($0.unit.jsonKey($0.key), Self.jsonValue($0.value)) }
        let bars = chart.bars.map { #"{"label":\#(JSONText.quote($0.label)),"value_minor":\#($0.valueMinor)}"# }
        members.append(("chart", #"{"title":\#(JSONText.quote(chart.title)),"bars":[\#(bars.joined(separator: ","))]}"#))
        for table in tables {
            let keys = table.columns.map { JSONText.quote($0.unit.jsonKey($0.key)) + ":" }
            var text = "["
            for (index, row) in table.rows.enumerated() {
                if index > 0 { text += ",\n" }
                text += "{"
                for (column, cell) in row.enumerated() {
                    if column > 0 { text += "," }
                    text += keys[column]
                    text += Self.jsonValue(cell)
                }
                text += "}"
            }
            members.append((table.key, text + "]"))
        }
        return "{" + members.map { JSONText.quote($0.0) + ":" + $0.1 }.joined(separator: ",\n") + "}\n"
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
