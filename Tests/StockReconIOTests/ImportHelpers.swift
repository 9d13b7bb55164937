import Foundation
@testable import StockReconIO
import StockReconCore
import TestSupport

/// A row as a mapping read it, with owned strings (borrowed texts die with the callback).
struct ReadRow {
    var line: Int
    var record: Int
    var input: AdjustmentInput<String>
}

extension AdjustmentInput where Text == BorrowedText {
    var owned: AdjustmentInput<String> {
        var copy = AdjustmentInput<String>(source: source, line: line, record: record)
        copy.variant = variant?.string
        copy.variantColumn = variantColumn
        copy.quantity = quantity?.string
        copy.mode = mode
        copy.invalidChoice = invalidChoice
        copy.adjustmentType = adjustmentType?.string
        copy.location = location?.string
        copy.site = site?.string
        copy.reasonCode = reasonCode?.string
        copy.reasonDescription = reasonDescription?.string
        copy.reference = reference?.string
        copy.unitCost = unitCost?.string
        copy.isUnitCostInMinorUnits = isUnitCostInMinorUnits
        copy.totalCost = totalCost?.string
        copy.notes = notes?.string
        copy.occurredAt = occurredAt?.string
        copy.naturalKey = naturalKey?.string
        return copy
    }
}

/// Reads a file through the importer that claims it, as the import does.
func readRows(_ path: String, _ mapping: ColumnMapping, resumingAt resume: ResumePoint? = nil) throws -> [ReadRow] {
    try readRowsAndResumePoint(path, mapping, resumingAt: resume).rows
}

/// Reads a file as `readRows` does, with where a later file may resume after it.
func readRowsAndResumePoint(
    _ path: String, _ mapping: ColumnMapping, resumingAt resume: ResumePoint? = nil
) throws -> (rows: [ReadRow], resumePoint: ResumePoint?) {
    let file = InputFile(path: path, displayName: (path as NSString).lastPathComponent)
    var bound: BoundMapping?
    var rows: [ReadRow] = []
    let point = try Importers.importer(for: file, mapping: mapping).extract(
        file, mapping: mapping, progress: nil, resumingAt: resume, header: { bound = $0 },
        row: { row in
            if let bound { rows.append(ReadRow(line: row.line, record: row.record, input: bound.input(from: row).owned)) }
        })
    return (rows, point)
}

/// A one-sheet workbook ("Stock") at `path` whose sheet data is `rows` (the XML inside
/// `<sheetData>`), with any part replaced by raw bytes. Cell style 1 is a number, 2 a date.
@discardableResult
func writeWorkbook(_ path: String, rows: String, replacing replaced: [String: [UInt8]] = [:]) throws -> String {
    let workbook = #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Stock" sheetId="1" r:id="rId1"/></sheets></workbook>"#
    let relations = #"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>"#
    let styles = #"<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><cellXfs count="3"><xf numFmtId="0"/><xf numFmtId="1"/><xf numFmtId="22"/></cellXfs></styleSheet>"#
    let sheet = #"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#
        + rows + "</sheetData></worksheet>"
    var parts: [(name: String, data: Data)] = [
        ("xl/workbook.xml", Data(workbook.utf8)),
        ("xl/_rels/workbook.xml.rels", Data(relations.utf8)),
        ("xl/styles.xml", Data(styles.utf8)),
        ("xl/worksheets/sheet1.xml", Data(sheet.utf8)),
    ]
    for (part, bytes) in replaced {
        parts.removeAll { $0.name == part }
        parts.append((part, Data(bytes)))
    }
    try? FileManager.default.removeItem(atPath: path)
    try SheetWriter.writeArchive(parts, to: URL(fileURLWithPath: path))
    return path
}
