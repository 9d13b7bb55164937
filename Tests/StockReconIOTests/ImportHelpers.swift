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
