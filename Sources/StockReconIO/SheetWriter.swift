import Foundation
import StockReconCore
import ZIPFoundation

public enum SheetFormat: String, Sendable, CaseIterable {
    case csv, xlsx
}

/// Writes a table of text cells as CSV or as a one-sheet XLSX workbook: a blind count sheet
/// for counters to fill in. XLSX cells are inline strings, so a barcode `0012345678905`
/// stays text and no cell is ever a formula; CSV cells are spreadsheet-safe.
public enum SheetWriter {
    public static func write(header: [String], rows: [[String]], format: SheetFormat, sheetName: String = "Count", to path: String) throws {
        try write(header: header, format: format, sheetName: sheetName, to: path) { emit in
            for row in rows { try emit(row) }
        }
    }

    /// The same with the rows handed over one at a time by `rows`, which calls the function it
    /// is given once a row: a sheet of a million lines is written, never held (an XLSX's
    /// worksheet goes through a file beside the output before it is compressed).
    public static func write(
        header: [String], format: SheetFormat, sheetName: String = "Count", to path: String,
        rows: ((([String]) throws -> Void) throws -> Void)
    ) throws {
        try OutputFile.write(to: path) { url in
            switch format {
            case .csv:
                let out = try BufferedOutput(url)
                try out.write(header.map(CSVText.field).joined(separator: ",") + "\r\n")
                try rows { row in try out.write(row.map(CSVText.safeField).joined(separator: ",") + "\r\n") }
                try out.close()
            case .xlsx:
                let sheet = url.deletingLastPathComponent().appendingPathComponent(".\(url.lastPathComponent).sheet1.xml")
                defer { try? FileManager.default.removeItem(at: sheet) }
                let out = try BufferedOutput(sheet)
                try out.write(worksheetStart)
                var index = 0
                try out.write(worksheetRow(header, index: index))
                try rows { row in
                    index += 1
                    try out.write(worksheetRow(row, index: index))
                }
                try out.write(worksheetEnd)
                try out.close()
                let parts: [(String, String)] = [
                    ("[Content_Types].xml", contentTypes),
                    ("_rels/.rels", packageRelations),
                    ("xl/workbook.xml", workbook(sheetName: sheetName)),
                    ("xl/_rels/workbook.xml.rels", workbookRelations),
                ]
                try writeArchive(parts.map { ($0, Data($1.utf8)) }, worksheet: sheet, to: url)
            }
        }
    }

    /// A zip archive of the parts, deflated, in the order given; then, when given, the
    /// worksheet read from its file a block at a time.
    static func writeArchive(_ parts: [(name: String, data: Data)], worksheet: URL? = nil, to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in parts {
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
        if let worksheet {
            let handle = try FileHandle(forReadingFrom: worksheet)
            defer { try? handle.close() }
            let size = try handle.seekToEnd()
            try archive.addEntry(
                with: "xl/worksheets/sheet1.xml", type: .file, uncompressedSize: Int64(size), compressionMethod: .deflate,
                provider: { position, count in
                    try handle.seek(toOffset: UInt64(position))
                    return try handle.read(upToCount: count) ?? Data()
                })
        }
    }

    static let worksheetStart = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
    static let worksheetEnd = "</sheetData></worksheet>"

    /// Row `index` (zero-based) of a worksheet, its empty cells left out.
    static func worksheetRow(_ row: [String], index: Int) -> String {
        var xml = #"<row r="\#(index + 1)">"#
        for (column, text) in row.enumerated() where !text.isEmpty {
            xml += #"<c r="\#(columnName(column))\#(index + 1)" t="inlineStr"><is><t xml:space="preserve">\#(HTMLText.escape(SheetText.escaped(CSVText.guardedForReadBack(text))))</t></is></c>"#
        }
        return xml + "</row>"
    }

    /// `A`, `B`, … `Z`, `AA`, … for a zero-based column.
    static func columnName(_ column: Int) -> String {
        var name = ""
        var rest = column + 1
        while rest > 0 {
            let letter = (rest - 1) % 26
            name = String(UnicodeScalar(UInt8(65 + letter))) + name
            rest = (rest - 1) / 26
        }
        return name
    }

    static func workbook(sheetName: String) -> String {
        #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
            + #"<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">"#
            + #"<sheets><sheet name="\#(HTMLText.escape(sheetName))" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    }

    static let contentTypes = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        + #"<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">"#
        + #"<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>"#
        + #"<Default Extension="xml" ContentType="application/xml"/>"#
        + #"<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>"#
        + #"<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>"#
        + "</Types>"

    static let packageRelations = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>"#
        + "</Relationships>"

    static let workbookRelations = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
        + #"<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">"#
        + #"<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>"#
        + "</Relationships>"
}
