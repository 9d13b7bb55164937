import StockReconCore

/// One self-contained HTML page: inline style, an SVG chart drawn here, no script and no
/// network (a Content-Security-Policy forbids both, should any text ever slip through
/// unescaped). Every text is escaped.
extension ReportDocument {
    func writeHTML(to out: inout some ReportSink) throws {
        let e = HTMLText.escape
        try out.write("""
            <!DOCTYPE html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <title>\(e(title))</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <h1>\(e(title))</h1>
            <dl class="facts">

            """)
        for fact in facts {
            try out.write(#"<div><dt>\#(e(fact.label))</dt><dd data-key="\#(e(fact.key))">\#(e(fact.value.plain))</dd></div>"# + "\n")
        }
        try out.write("</dl>\n" + chartFigure)
        for table in tables {
            try out.write("<h2>\(e(table.title))</h2>\n")
            guard table.firstRow != nil else {
                try out.write("<p class=\"empty\">\(e(table.emptyText))</p>\n")
                continue
            }
            // The table scrolls inside its own box where a page is narrower than it (a phone).
            try out.write(#"<div class="table"><table id="\#(e(table.key))"><thead><tr>"#)
            try out.write(table.columns.map { "<th>\(e($0.label))</th>" }.joined() + "</tr></thead>\n<tbody>\n")
            let isText = table.columns.map { Self.textColumns.contains($0.key) }
            try table.forEachRow { row in
                try out.write("<tr>" + row.enumerated().map { index, cell in
                    if cell.isNumeric { return "<td class=\"n\">\(e(cell.plain))</td>" }
                    // Ids stay on one line; free text wraps inside its cell.
                    return isText.indices.contains(index) && isText[index] ? "<td class=\"t\">\(e(cell.plain))</td>" : "<td>\(e(cell.plain))</td>"
                }.joined() + "</tr>\n")
            }
            try out.write("</tbody></table></div>\n")
        }
        try out.write("</body>\n</html>\n")
    }

    /// Horizontal bars around a zero line: missing (negative) to the left in red, excess to
    /// the right in green, each labelled with its value.
    var chartFigure: String {
        let e = HTMLText.escape
        var out = "<figure class=\"chart\"><figcaption>\(e(chart.title))</figcaption>\n"
        guard !chart.bars.isEmpty else { return out + "<p class=\"empty\">Nothing to chart: no variance.</p></figure>\n" }
        let labelWidth = 260, barArea = 440, valueWidth = 110, rowHeight = 26
        let width = labelWidth + barArea + valueWidth
        let height = chart.bars.count * rowHeight + 10
        let largest = chart.bars.map { Double($0.valueMinor.magnitude) }.max() ?? 1
        let hasNegative = chart.bars.contains { $0.valueMinor < 0 }
        let hasPositive = chart.bars.contains { $0.valueMinor > 0 }
        let zero = Double(labelWidth) + (hasNegative && hasPositive ? Double(barArea) / 2 : hasNegative ? Double(barArea) : 0)
        let scale = (hasNegative && hasPositive ? Double(barArea) / 2 : Double(barArea)) / max(largest, 1)
        // As wide as the page allows, never wider: the drawing scales down on a phone.
        out += #"<svg xmlns="http://www.w3.org/2000/svg" role="img" width="100%" style="max-width:\#(width)px" viewBox="0 0 \#(width) \#(height)" aria-label="\#(e(chart.title))">"# + "\n"
        for (index, bar) in chart.bars.enumerated() {
            let y = index * rowHeight + 5
            let length = max(Double(bar.valueMinor.magnitude) * scale, 1)
            let x = bar.valueMinor < 0 ? zero - length : zero
            let value = Money.format(minorUnits: bar.valueMinor)
            out += #"<text x="\#(labelWidth - 8)" y="\#(y + 17)" text-anchor="end">\#(e(Self.shortened(bar.label)))</text>"#
            out += #"<rect class="\#(bar.valueMinor < 0 ? "missing" : "excess")" x="\#(Self.number(x))" y="\#(y + 3)" width="\#(Self.number(length))" height="\#(rowHeight - 8)"><title>\#(e(bar.label)): \#(value)</title></rect>"#
            // The value beside its bar: past a bar's end on the right, and beside the zero line
            // for a bar to the left (its end there is near the labels).
            let valueX = bar.valueMinor < 0 ? zero + 6 : x + length + 6
            out += #"<text class="value" x="\#(Self.number(valueX))" y="\#(y + 17)">\#(value)</text>"# + "\n"
        }
        out += ##"<line x1="\##(Self.number(zero))" y1="0" x2="\##(Self.number(zero))" y2="\##(height)" stroke="#444"/>"##
        return out + "</svg></figure>\n"
    }

    static func number(_ value: Double) -> String {
        let tenths = Int64((value * 10).rounded())
        return tenths % 10 == 0 ? String(tenths / 10) : String(Double(tenths) / 10)
    }

    static func shortened(_ label: String) -> String {
        label.count > 36 ? String(label.prefix(35)) + "…" : label
    }

    /// Columns of free text, which wrap; every other text (ids, codes, times) stays on one line.
    static let textColumns: Set<String> = ["notes", "name", "source_file", "group"]

    static let style = """
        body{font:14px/1.4 system-ui,sans-serif;margin:2em;color:#222}h1{font-size:1.5em}h2{font-size:1.15em;margin-top:1.6em}\
        .facts{display:grid;grid-template-columns:repeat(auto-fill,minmax(17em,1fr));gap:.3em 1.5em}\
        .facts div{display:flex;justify-content:space-between;border-bottom:1px solid #eee}dt{color:#555}dd{margin:0;font-weight:600}\
        .table{max-width:100%;overflow-x:auto}table{border-collapse:collapse;margin-top:.5em;width:100%}\
        th,td{padding:.25em .6em;border-bottom:1px solid #ddd;text-align:left;vertical-align:top}td{white-space:nowrap}\
        td.t{white-space:normal;overflow-wrap:anywhere}\
        td.n{text-align:right;font-variant-numeric:tabular-nums}th{background:#f4f4f4}\
        figure{margin:1.5em 0}figcaption{font-weight:600;margin-bottom:.4em}svg text{font-size:12px;fill:#222}\
        rect.missing{fill:#c0392b}rect.excess{fill:#27ae60}.empty{color:#777}
        """
}
