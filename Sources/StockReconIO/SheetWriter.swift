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
        switch format {
        case .csv:
            var text = header.map(CSVText.field).joined(separator: ",") + "\r\n"
            for row in rows { text += row.map(CSVText.safeField).joined(separator: ",") + "\r\n" }
            try OutputFile.write(Data(text.utf8), to: path)
        case .xlsx:
            let parts: [(String, String)] = [
                ("[Content_Types].xml", contentTypes),
                ("_rels/.rels", packageRelations),
                ("xl/workbook.xml", workbook(sheetName: sheetName)),
                ("xl/_rels/workbook.xml.rels", workbookRelations),
                ("xl/worksheets/sheet1.xml", worksheet([header] + rows)),
            ]
            try OutputFile.write(to: path) { url in try writeArchive(parts.map { ($0, Data($1.utf8)) }, to: url) }
        }
    }

    /// A zip archive of the parts, deflated, in the order given.
    static func writeArchive(_ parts: [(name: String, data: Data)], to url: URL) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (name, data) in parts {
            try archive.addEntry(
                with: name, type: .file, uncompressedSize: Int64(data.count), compressionMethod: .deflate,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
    }

    static func worksheet(_ rows: [[String]]) -> String {
        var xml = #"<?xml version="1.0" encoding="UTF-8" standalone="yes"?>"#
            + #"<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        for (index, row) in rows.enumerated() {
            xml += #"<row r="\#(index + 1)">"#
            for (column, text) in row.enumerated() where !text.isEmpty {
                xml += #"<c r="\#(columnName(column))\#(index + 1)" t="inlineStr"><is><t xml:space="preserve">\#(HTMLText.escape(SheetText.escaped(CSVText.guardedForReadBack(text))))</t></is></c>"#
            }
            xml += "</row>"
        }
        return xml + "</sheetData></worksheet>"
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
