import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import StockReconCore

/// Reads one sheet of an XLSX workbook (`ZipDirectory` for the archive, Foundation's SAX
/// `XMLParser` for its parts) as rows of text, as Excel shows them: shared and inline
/// strings as written (a barcode `0012345678905` stays text), numbers to 15 significant
/// digits, date-formatted numbers (Excel's serials) as ISO-8601 times. The first non-empty
/// row is the header; a row's line is its row number in the sheet.
struct XLSXReader {
    let path: String
    let displayName: String
    /// The most bytes a part may unzip to: a part is read whole, and a few kilobytes of zip
    /// can unzip to gigabytes. A sheet of a million rows is a few hundred megabytes.
    var largestPart = 1 << 30
    /// The most bytes all the parts read may unzip to together: a sheet and its shared
    /// strings that each stay under `largestPart` still cost their sum.
    var largestWorkbook = 1 << 30
    /// And no more than this many times the workbook's own size (at least 64 MB): a sheet's XML
    /// deflates ten to thirty times; a zip bomb a thousand.
    static let largestRatio = 100
    /// What the parts read so far unzipped to.
    private let inflated = InflatedBytes()

    private final class InflatedBytes: @unchecked Sendable {
        var total = 0
        var allowed = 1 << 30
    }

    func read(sheet: String?, header: ([String]) throws -> Void, row: (SourceRow) throws -> Void) throws {
        if let irregular = InputFile.irregularity(of: path, displayName: displayName) { throw irregular }
        inflated.total = 0
        inflated.allowed = min(largestWorkbook, max(64 << 20, Self.largestRatio * InputFile(path: path, displayName: displayName).size))
        guard let archive = ZipDirectory.read(path) else {
            throw failure("not an XLSX workbook (it is not a readable zip archive)")
        }
        guard let workbook = try part("xl/workbook.xml", of: archive) else {
            throw failure("not an XLSX workbook: it has no xl/workbook.xml")
        }
        let book = try WorkbookParts.workbook(workbook, in: self)
        let sheets = book.sheets
        let relations = try part("xl/_rels/workbook.xml.rels", of: archive).map { try WorkbookParts.relations($0, in: self) } ?? [:]
        guard let chosen = sheet.map({ name in sheets.first { $0.name == name } }) ?? sheets.first else {
            let names = sheets.map(\.name)
            throw FileReadError(
                SourceLocation(file: displayName), "the workbook has no sheet \(sheet ?? "")\(names.isEmpty ? "" : ": its sheets are \(names.joined(separator: ", "))")",
                input: sheet, context: ["sheets": .list(names)])
        }
        var target = relations[chosen.relation] ?? "worksheets/sheet1.xml"
        if target.hasPrefix("/") { target.removeFirst() } else { target = "xl/" + target }
        guard let data = try part(target, of: archive) else { throw failure("the workbook's sheet \(chosen.name) is missing (\(target))") }
        let strings = try part("xl/sharedStrings.xml", of: archive).map { try WorkbookParts.sharedStrings($0, in: self) } ?? []
        let styles = try part("xl/styles.xml", of: archive).map { try WorkbookParts.cellStyles($0, in: self) } ?? WorkbookParts.CellStyles()
        let parser = SheetParser(strings: strings, styles: styles, isDate1904: book.isDate1904)
        try parse(data, part: target, with: parser)
        try deliver(parser.rows, header: header, row: row)
    }

    private func deliver(_ rows: [(line: Int, cells: [SheetCell])], header: ([String]) throws -> Void, row: (SourceRow) throws -> Void) throws {
        var record = RecordBuffer()
        var width: Int?
        var number = 0
        for (line, cells) in rows where !cells.isEmpty {
            guard let columns = width else {
                let columns = (cells.last?.column ?? 0) + 1
                width = columns
                try header(Self.dense(cells, columns).map { $0.trimmingCharacters(in: " \t") })
                continue
            }
            number += 1
            record.removeAll()
            for text in Self.dense(cells, columns) {
                var bytes = Array(text.utf8)
                bytes.withUnsafeMutableBytes { record.append(UnsafeRawBufferPointer($0)) }
            }
            try row(record.row(line: line, record: number))
        }
        if width == nil { throw failure("the sheet is empty: it has no header row") }
    }

    /// A row's texts for columns 0 ..< `columns`, empty where it has no cell.
    private static func dense(_ cells: [SheetCell], _ columns: Int) -> [String] {
        var texts = Array(repeating: "", count: columns)
        for cell in cells where cell.column < columns { texts[cell.column] = cell.text }
        return texts
    }

    /// A part's bytes, nil when the workbook has none. A part that does not unzip, or is not
    /// UTF-8 (or UTF-16, by its byte order mark), is a located error: Foundation's XML parser
    /// stops the process on some invalid UTF-8 instead of reporting it.
    private func part(_ name: String, of archive: ZipDirectory) throws -> Data? {
        guard let entry = archive.entries[name] else { return nil }
        struct TooLarge: Error {}
        struct TooLargeTogether: Error {}
        var data = Data()
        let take = { (chunk: Data) throws in
            guard data.count + chunk.count <= largestPart else { throw TooLarge() }
            guard inflated.total + chunk.count <= inflated.allowed else { throw TooLargeTogether() }
            inflated.total += chunk.count
            data.append(chunk)
        }
        do {
            try entry.read(from: path, consumer: take)
        } catch is TooLarge {
            throw failure("the workbook's \(name) unzips to more than \(largestPart >> 20) MB: export the sheet as CSV, which is read as a stream")
        } catch is TooLargeTogether {
            throw failure(
                "the workbook's parts unzip to more than \(inflated.allowed >> 20) MB together (\(name) after \((inflated.total - data.count) >> 20) MB of others, "
                    + "\(data.count >> 20) MB of it so far): export the sheet as CSV, which is read as a stream")
        } catch {
            throw failure("the workbook's \(name) is damaged (it does not unzip): save the workbook again from a spreadsheet")
        }
        let isUTF16 = data.starts(with: [0xFF, 0xFE]) || data.starts(with: [0xFE, 0xFF])
        guard isUTF16 || String(validating: data, as: UTF8.self) != nil else {
            throw failure("the workbook's \(name) is not UTF-8 text: save the workbook again from a spreadsheet")
        }
        return data
    }

    /// Parses a part; one that is not well-formed XML, or that its delegate refuses, is a
    /// located error naming the part and the line.
    func parse(_ data: Data, part name: String, with delegate: PartParser) throws {
        // A workbook's parts have no DTD: its entities, external or not, would put text into a
        // cell that the file does not hold, or cut it out (`X&xxe;X` was read as `X`).
        if data.range(of: Data("<!DOCTYPE".utf8)) != nil || data.range(of: Data("<!ENTITY".utf8)) != nil {
            throw failure("the workbook's \(name) declares a DTD or entities, which a workbook's parts never have: save the workbook again from a spreadsheet")
        }
        let parser = XMLParser(data: data)
        parser.delegate = delegate
        guard parser.parse(), delegate.isComplete else {
            if let problem = delegate.problem { throw failure("the workbook's \(name), line \(parser.lineNumber): \(problem)") }
            throw failure("the workbook's \(name) is not well-formed XML (line \(parser.lineNumber)): save the workbook again from a spreadsheet")
        }
    }

    private func failure(_ message: String) -> FileReadError {
        FileReadError(SourceLocation(file: displayName), message)
    }
}
