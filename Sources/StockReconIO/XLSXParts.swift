import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// A part's SAX delegate. Subclasses see elements and text through `start`, `end` and `text`;
/// the depth is kept here, since Foundation's parser reports a part cut short (its root never
/// closed) as parsed.
class PartParser: NSObject, XMLParserDelegate {
    /// Why the delegate stopped the parse, if it did.
    var problem: String?
    /// Whether the root element closed.
    private(set) var isComplete = false
    private var depth = 0

    func start(_ name: String, attributes: [String: String], in parser: XMLParser) {}
    func end(_ name: String) {}
    func text(_ string: String) {}

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        depth += 1
        start(name, attributes: attributes, in: parser)
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        depth -= 1
        if depth == 0 { isComplete = true }
        end(name)
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text(string) }
}

/// What the workbook's small parts say: its sheets, where they are, its date system, its
/// shared strings and which cell styles show dates.
enum WorkbookParts {
    struct Sheet { var name: String; var relation: String }

    struct Workbook {
        var sheets: [Sheet]
        /// Serials count days from 1904-01-01 (`workbookPr date1904`, old Mac workbooks), not 1899-12-30.
        var isDate1904: Bool
    }

    static func workbook(_ data: Data, in reader: XLSXReader) throws -> Workbook {
        let collector = ElementCollector(elements: ["sheet", "workbookPr"])
        try reader.parse(data, part: "xl/workbook.xml", with: collector)
        let sheets = collector.found["sheet", default: []].map { Sheet(name: $0["name"] ?? "", relation: $0["r:id"] ?? $0["id"] ?? "") }
        let date1904 = collector.found["workbookPr"]?.first?["date1904"]
        return Workbook(sheets: sheets, isDate1904: date1904 == "1" || date1904 == "true")
    }

    static func relations(_ data: Data, in reader: XLSXReader) throws -> [String: String] {
        let collector = ElementCollector(elements: ["Relationship"])
        try reader.parse(data, part: "xl/_rels/workbook.xml.rels", with: collector)
        var map: [String: String] = [:]
        for attributes in collector.found["Relationship", default: []] {
            if let id = attributes["Id"], let target = attributes["Target"] { map[id] = target }
        }
        return map
    }

    static func sharedStrings(_ data: Data, in reader: XLSXReader) throws -> [String] {
        let collector = SharedStrings()
        try reader.parse(data, part: "xl/sharedStrings.xml", with: collector)
        return collector.strings
    }

    /// What the cell styles (`cellXfs`, by index) show of a number: a date or a time, or an
    /// integer padded with zeros (`0000000000000`, how a barcode typed as a number keeps its
    /// leading zeros in a spreadsheet).
    struct CellStyles {
        var dates: Set<Int> = []
        var zeroPadded: [Int: Int] = [:]
    }

    static func cellStyles(_ data: Data, in reader: XLSXReader) throws -> CellStyles {
        let collector = StyleCollector()
        try reader.parse(data, part: "xl/styles.xml", with: collector)
        var styles = CellStyles()
        for (index, format) in collector.cellFormats.enumerated() {
            if (14...22).contains(format) || (45...47).contains(format) { styles.dates.insert(index); continue }
            guard let code = collector.customFormats[format] else { continue }
            if isDateFormat(code) {
                styles.dates.insert(index)
            } else if code.count > 1, code.allSatisfy({ $0 == "0" }) {
                styles.zeroPadded[index] = code.count
            }
        }
        return styles
    }

    /// A format code shows a date when, outside quotes and brackets, it has d, m, y, h or s.
    static func isDateFormat(_ code: String) -> Bool {
        var isQuoted = false
        var bracketDepth = 0
        for character in code.lowercased() {
            switch character {
            case "\"": isQuoted.toggle()
            case "[": bracketDepth += 1
            case "]": bracketDepth -= 1
            case "d", "m", "y", "h", "s": if !isQuoted && bracketDepth == 0 { return true }
            default: break
            }
        }
        return false
    }
}

/// The attributes of every element of the given names (with or without a prefix).
private final class ElementCollector: PartParser {
    let elements: Set<String>
    var found: [String: [[String: String]]] = [:]
    init(elements: Set<String>) { self.elements = elements }

    override func start(_ name: String, attributes: [String: String], in parser: XMLParser) {
        let local = name.split(separator: ":").last.map(String.init) ?? name
        if elements.contains(local) { found[local, default: []].append(attributes) }
    }
}

private final class SharedStrings: PartParser {
    var strings: [String] = []
    private var current: String?
    private var isInText = false
    private var isInPhonetic = false

    override func start(_ name: String, attributes: [String: String], in parser: XMLParser) {
        switch name {
        case "si": current = ""
        case "t": isInText = true
        case "rPh": isInPhonetic = true
        default: break
        }
    }

    override func end(_ name: String) {
        switch name {
        case "si": strings.append(SheetText.unescaped(current ?? "")); current = nil
        case "t": isInText = false
        case "rPh": isInPhonetic = false
        default: break
        }
    }

    override func text(_ string: String) {
        if isInText, !isInPhonetic { current? += string }
    }
}

private final class StyleCollector: PartParser {
    var customFormats: [Int: String] = [:]
    var cellFormats: [Int] = []
    private var isInCellFormats = false

    override func start(_ name: String, attributes: [String: String], in parser: XMLParser) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] { customFormats[id] = code }
        case "cellXfs": isInCellFormats = true
        case "xf" where isInCellFormats: cellFormats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
        default: break
        }
    }

    override func end(_ name: String) {
        if name == "cellXfs" { isInCellFormats = false }
    }
}

/// A worksheet's cells as text, row by row, placed by their references (`C7`). Only cells
/// with text are kept, with their column: a row that names column XFD holds one cell, not
/// 16,384.
final class SheetParser: PartParser {
    let strings: [String]
    let styles: WorkbookParts.CellStyles
    let isDate1904: Bool
    var rows: [(line: Int, cells: [SheetCell])] = []
    private var cells: [SheetCell] = []
    /// The column of a cell without a reference: the one after the cell before.
    private var nextColumn = 0
    private var line = 0
    private var column = 0
    private var type = ""
    private var style = 0
    private var text = ""
    private var isInValue = false
    /// The cell's formula, shown when the workbook saved no value for it.
    private var formula = ""
    private var isInFormula = false

    init(strings: [String], styles: WorkbookParts.CellStyles, isDate1904: Bool) {
        self.isDate1904 = isDate1904
        self.strings = strings
        self.styles = styles
    }

    override func start(_ name: String, attributes: [String: String], in parser: XMLParser) {
        switch name {
        case "row":
            line = attributes["r"].flatMap(Int.init) ?? line + 1
            cells = []
            nextColumn = 0
        case "c":
            if let reference = attributes["r"] {
                guard let column = Self.column(reference) else {
                    problem = "the cell reference \(reference) is beyond the last column a sheet can have (XFD)"
                    return parser.abortParsing()
                }
                self.column = column
            } else {
                column = nextColumn
            }
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            (text, formula) = ("", "")
        case "v", "t":
            isInValue = true
        case "f":
            isInFormula = true
        default: break
        }
    }

    override func text(_ string: String) {
        if isInValue { text += string }
        if isInFormula { formula += string }
    }

    override func end(_ name: String) {
        switch name {
        case "v", "t": isInValue = false
        case "f": isInFormula = false
        case "c":
            // A cell left of one already read is out of order, and dropped as Excel would.
            let text = shown()
            if !text.isEmpty, column > cells.last?.column ?? -1 { cells.append(SheetCell(column: column, text: text)) }
            nextColumn = column + 1
        case "row": rows.append((line, cells))
        default: break
        }
    }

    /// The cell as Excel shows it.
    private func shown() -> String {
        // A cell with a style and no value is empty, not 0; a formula whose value was never
        // saved (a workbook written by a script) shows as the formula, which no rule takes
        // for a number.
        guard !text.isEmpty else { return formula.isEmpty ? "" : "=" + formula }
        switch type {
        case "s": return Int(text.trimmingCharacters(in: " ")).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
        case "inlineStr", "str": return SheetText.unescaped(text)
        case "e", "d": return text
        case "b": return text == "1" ? "TRUE" : "FALSE"
        default:
            if styles.dates.contains(style), let serial = Double(text) { return ExcelNumber.dateText(serial: serial, isDate1904: isDate1904) ?? text }
            let number = ExcelNumber.shown(text)
            if let digits = styles.zeroPadded[style], number.count < digits, number.allSatisfy(\.isASCIIDigit) {
                return String(repeating: "0", count: digits - number.count) + number
            }
            return number
        }
    }

    /// `C7` → 2 (columns from 0); nil beyond `XFD`, the last column a sheet can have.
    static func column(_ reference: String) -> Int? {
        var value = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            value = value * 26 + Int(scalar.value - 64)
            guard value <= lastColumn + 1 else { return nil }
        }
        return max(0, value - 1)
    }

    /// `XFD`, from 0.
    static let lastColumn = 16_383
}

/// A cell with text, at its column (from 0).
struct SheetCell {
    var column: Int
    var text: String
}
