import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StockReconCore
import ZIPFoundation

/// Reads one sheet of an XLSX workbook (ZIPFoundation for the archive, Foundation's SAX
/// `XMLParser` for its parts) as rows of text, as Excel shows them: shared and inline
/// strings as written (a barcode `0012345678905` stays text), numbers to 15 significant
/// digits, date-formatted numbers (Excel's serials) as ISO-8601 times. The first non-empty
/// row is the header; a row's line is its row number in the sheet.
struct XLSXReader {
    let path: String
    let displayName: String

    func read(sheet: String?, header: ([String]) throws -> Void, row: (SourceRow) throws -> Void) throws {
        let archive: Archive
        do {
            archive = try Archive(url: URL(fileURLWithPath: path), accessMode: .read)
        } catch {
            throw failure("not an XLSX workbook (it is not a readable zip archive)")
        }
        guard let workbook = try? part("xl/workbook.xml", of: archive) else {
            throw failure("not an XLSX workbook: it has no xl/workbook.xml")
        }
        let sheets = WorkbookParts.sheets(workbook)
        let relations = (try? part("xl/_rels/workbook.xml.rels", of: archive)).map(WorkbookParts.relations) ?? [:]
        guard let chosen = sheet.map({ name in sheets.first { $0.name == name } }) ?? sheets.first else {
            let names = sheets.map(\.name)
            throw FileReadError(
                SourceLocation(file: displayName), "the workbook has no sheet \(sheet ?? "")\(names.isEmpty ? "" : ": its sheets are \(names.joined(separator: ", "))")",
                input: sheet, context: ["sheets": .list(names)])
        }
        var target = relations[chosen.relation] ?? "worksheets/sheet1.xml"
        if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
        guard let data = try? part(target, of: archive) else { throw failure("the workbook's sheet \(chosen.name) is missing (\(target))") }
        let strings = (try? part("xl/sharedStrings.xml", of: archive)).map(WorkbookParts.sharedStrings) ?? []
        let dateStyles = (try? part("xl/styles.xml", of: archive)).map(WorkbookParts.dateStyles) ?? []
        let parser = SheetParser(strings: strings, dateStyles: dateStyles)
        let xml = XMLParser(data: data)
        xml.delegate = parser
        guard xml.parse() else { throw failure("the sheet \(chosen.name) is not well-formed XML") }
        try deliver(parser.rows, header: header, row: row)
    }

    private func deliver(_ rows: [(line: Int, cells: [String])], header: ([String]) throws -> Void, row: (SourceRow) throws -> Void) throws {
        var record = RecordBuffer()
        var width: Int?
        var number = 0
        for (line, cells) in rows where cells.contains(where: { !$0.isEmpty }) {
            guard let columns = width else {
                width = cells.count
                try header(cells.map { $0.trimmingCharacters(in: " \t") })
                continue
            }
            number += 1
            record.removeAll()
            for column in 0..<columns {
                let text = column < cells.count ? cells[column] : ""
                var bytes = Array(text.utf8)
                bytes.withUnsafeMutableBytes { record.append(UnsafeRawBufferPointer($0)) }
            }
            try row(record.row(line: line, record: number))
        }
        if width == nil { throw failure("the sheet is empty: it has no header row") }
    }

    private func part(_ name: String, of archive: Archive) throws -> Data {
        guard let entry = archive[name] else { throw failure("the workbook has no \(name)") }
        var data = Data()
        _ = try archive.extract(entry, skipCRC32: false) { data.append($0) }
        return data
    }

    private func failure(_ message: String) -> FileReadError {
        FileReadError(SourceLocation(file: displayName), message)
    }
}

/// What the workbook's small parts say: its sheets, where they are, its shared strings and
/// which cell styles show dates.
enum WorkbookParts {
    struct Sheet { var name: String; var relation: String }

    static func sheets(_ data: Data) -> [Sheet] {
        let collector = ElementCollector(element: "sheet")
        parse(data, collector)
        return collector.attributes.map { Sheet(name: $0["name"] ?? "", relation: $0["r:id"] ?? $0["id"] ?? "") }
    }

    static func relations(_ data: Data) -> [String: String] {
        let collector = ElementCollector(element: "Relationship")
        parse(data, collector)
        var map: [String: String] = [:]
        for attributes in collector.attributes { if let id = attributes["Id"], let target = attributes["Target"] { map[id] = target } }
        return map
    }

    static func sharedStrings(_ data: Data) -> [String] {
        let collector = SharedStrings()
        parse(data, collector)
        return collector.strings
    }

    /// Indexes of the cell styles (`cellXfs`) whose number format shows a date or a time.
    static func dateStyles(_ data: Data) -> Set<Int> {
        let collector = StyleCollector()
        parse(data, collector)
        var styles = Set<Int>()
        for (index, format) in collector.cellFormats.enumerated() {
            if (14...22).contains(format) || (45...47).contains(format) { styles.insert(index); continue }
            if let code = collector.customFormats[format], isDateFormat(code) { styles.insert(index) }
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

    private static func parse(_ data: Data, _ delegate: XMLParserDelegate) {
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        _ = parser.parse()
    }
}

private final class ElementCollector: NSObject, XMLParserDelegate {
    let element: String
    var attributes: [[String: String]] = []
    init(element: String) { self.element = element }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        if name == element || name.hasSuffix(":" + element) { self.attributes.append(attributes) }
    }
}

private final class SharedStrings: NSObject, XMLParserDelegate {
    var strings: [String] = []
    private var current: String?
    private var isInText = false
    private var isInPhonetic = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        switch name {
        case "si": current = ""
        case "t": isInText = true
        case "rPh": isInPhonetic = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "si": strings.append(current ?? ""); current = nil
        case "t": isInText = false
        case "rPh": isInPhonetic = false
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if isInText, !isInPhonetic { current? += string }
    }
}

private final class StyleCollector: NSObject, XMLParserDelegate {
    var customFormats: [Int: String] = [:]
    var cellFormats: [Int] = []
    private var isInCellFormats = false

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        switch name {
        case "numFmt":
            if let id = attributes["numFmtId"].flatMap(Int.init), let code = attributes["formatCode"] { customFormats[id] = code }
        case "cellXfs": isInCellFormats = true
        case "xf" where isInCellFormats: cellFormats.append(attributes["numFmtId"].flatMap(Int.init) ?? 0)
        default: break
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "cellXfs" { isInCellFormats = false }
    }
}

/// A worksheet's cells as text, row by row, placed by their references (`C7`).
private final class SheetParser: NSObject, XMLParserDelegate {
    let strings: [String]
    let dateStyles: Set<Int>
    var rows: [(line: Int, cells: [String])] = []
    private var cells: [String] = []
    private var line = 0
    private var column = 0
    private var type = ""
    private var style = 0
    private var text = ""
    private var isInValue = false

    init(strings: [String], dateStyles: Set<Int>) {
        self.strings = strings
        self.dateStyles = dateStyles
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String]) {
        switch name {
        case "row":
            line = attributes["r"].flatMap(Int.init) ?? line + 1
            cells = []
        case "c":
            column = attributes["r"].map(Self.column) ?? cells.count
            type = attributes["t"] ?? "n"
            style = attributes["s"].flatMap(Int.init) ?? 0
            text = ""
        case "v", "t":
            isInValue = true
        default: break
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if isInValue { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        switch name {
        case "v", "t": isInValue = false
        case "c":
            while cells.count < column { cells.append("") }
            if cells.count == column { cells.append(shown()) }
        case "row": rows.append((line, cells))
        default: break
        }
    }

    /// The cell as Excel shows it.
    private func shown() -> String {
        switch type {
        case "s": return Int(text.trimmingCharacters(in: " ")).flatMap { strings.indices.contains($0) ? strings[$0] : nil } ?? ""
        case "inlineStr", "str", "e", "d": return text
        case "b": return text == "1" ? "TRUE" : "FALSE"
        default:
            if dateStyles.contains(style), let serial = Double(text) { return ExcelNumber.dateText(serial: serial) ?? text }
            return ExcelNumber.shown(text)
        }
    }

    /// `C7` → 2 (columns from 0).
    static func column(_ reference: String) -> Int {
        var value = 0
        for scalar in reference.unicodeScalars {
            guard scalar.value >= 65, scalar.value <= 90 else { break }
            value = value * 26 + Int(scalar.value - 64)
        }
        return max(0, value - 1)
    }
}
