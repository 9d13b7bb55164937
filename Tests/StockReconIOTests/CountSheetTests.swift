import Foundation
import Testing
import StockReconCore
@testable import StockReconIO
import TestSupport

/// Count sheets read from CSV, XLSX and JSON, and blind sheets written and read back.
@Suite struct CountSheetTests {
    let folder = TemporaryDirectory()

    func read(_ name: String, _ text: String) throws -> [CountSheetRow] {
        let path = folder.file(name, text)
        return try CountSheetReader.read(InputFile(path: path, displayName: name))
    }

    @Test func csvRowsKeepNotesExactAndBlankCountsBlank() throws {
        let rows = try read("s.csv", "SKU,Counted Quantity,Location-ID,notes\n TENT ,8, WH ,\" two spaces \"\nLAMP,,WH,\n")
        #expect(rows.count == 2)
        #expect(rows[0] == CountSheetRow(file: "s.csv", line: 2, sku: "TENT", countedQuantity: "8", locationID: "WH", notes: " two spaces "))
        #expect(rows[1].countedQuantity == nil)
    }

    @Test func jsonSheetsAreRowsWrappedOrNot() throws {
        let wrapped = try read("s.json", #"{"lines": [{"barcode": "0012345678905", "counted_quantity": 8}, {"variant_id": 1001, "counted_quantity": null}]}"#)
        #expect(wrapped.map(\.barcode) == ["0012345678905", nil])
        #expect(wrapped.map(\.countedQuantity) == ["8", nil])
        #expect(wrapped[1].variantID == "1001")
        #expect(wrapped.map(\.line) == [1, 2])
        let lines = try read("l.json", "{\"sku\": \"TENT\", \"counted_quantity\": \"3\"}\n{\"sku\": \"LAMP\", \"counted_quantity\": 0}\n")
        #expect(lines.map(\.countedQuantity) == ["3", "0"])
    }

    @Test func aFileThatIsNotACountSheetIsUnreadable() throws {
        #expect(throws: FileReadError.self) { try read("x.csv", "variant_id,quantity\n1001,3\n") }
        #expect(throws: FileReadError.self) { try read("y.csv", "counted_quantity,notes\n3,x\n") }
    }

    @Test func theBlindXLSXSheetReadsBackWithBarcodesAsTextAndNoQuantities() throws {
        let path = folder.path("blind.xlsx")
        let rows = [["1001", "TENT", "0012345678905", "WH", "", "", "", ""], ["1002", "=LAMP", "", "SHOP", "", "", "", ""]]
        try SheetWriter.write(header: CountSheetRow.columns, rows: rows, format: .xlsx, to: path)
        let blank = try CountSheetReader.read(InputFile(path: path, displayName: "blind.xlsx"))
        #expect(blank.map(\.barcode) == ["0012345678905", nil])
        #expect(blank.map(\.sku) == ["TENT", "=LAMP"])
        #expect(blank.allSatisfy { $0.countedQuantity == nil })
        // A counter fills in the counted column: the same cells, now with a number.
        let filled = rows.map { row in row.enumerated().map { $0.offset == 5 ? "7" : $0.element } }
        try SheetWriter.write(header: CountSheetRow.columns, rows: filled, format: .xlsx, to: path)
        #expect(try CountSheetReader.read(InputFile(path: path, displayName: "blind.xlsx")).map(\.countedQuantity) == ["7", "7"])
    }

    /// Whatever the catalog holds (control characters, quotes, separators, formulas, `'`,
    /// OOXML's own `_x000B_`, newlines, emoji), a sheet stockrecon writes reads back to the same
    /// cells, in CSV and XLSX: random texts, a fixed seed so that a failure repeats.
    @Test(arguments: [SheetFormat.csv, .xlsx])
    func aWrittenSheetReadsBackToTheSameCells(_ format: SheetFormat) throws {
        var generator = SplitMix64(seed: 26)
        let pieces = ["A", "z", "7", "0", " ", ",", ";", "\"", "'", "=", "+", "-", "@", "\t", "\r", "\n", "\u{0B}", "\u{01}", "\u{1F}",
                      "_x000B_", "_x", "é", "😀", "\u{FFFE}", "<", "&", "]]>", "|"]
        func text() -> String {
            var text = ""
            for _ in 0 ..< Int.random(in: 1...8, using: &generator) { text += pieces.randomElement(using: &generator) ?? "" }
            // Ids are read trimmed: the catalog holds none with blanks at its ends.
            return text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? "X" + text + "X"
                : "X" + text.trimmingCharacters(in: .whitespacesAndNewlines) + "X"
        }
        for round in 0 ..< 20 {
            let rows = (0 ..< 30).map { _ in [text(), text(), text(), text(), "", "3", "", ""] }
            let path = folder.path("round-\(round).\(format.rawValue)")
            try SheetWriter.write(header: CountSheetRow.columns, rows: rows, format: format, to: path)
            let read: [CountSheetRow]
            do {
                read = try CountSheetReader.read(InputFile(path: path, displayName: "s"))
            } catch {
                Issue.record("round \(round): \(error)")
                continue
            }
            #expect(read.map { [$0.variantID, $0.sku, $0.barcode, $0.locationID] } == rows.map { Array($0.prefix(4)).map(Optional.some) },
                    "round \(round)")
        }
    }

    @Test func theBlindCSVSheetGuardsFormulasAndReadsThemBack() throws {
        let path = folder.path("blind.csv")
        try SheetWriter.write(
            header: CountSheetRow.columns, rows: [["1001", "=cmd|' /C calc'!A0", "0012345678905", "WH", "", "", "", ""]], format: .csv, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(text.contains("'=cmd"))
        let rows = try CountSheetReader.read(InputFile(path: path, displayName: "blind.csv"))
        #expect(rows.first?.sku == "=cmd|' /C calc'!A0")
        #expect(rows.first?.barcode == "0012345678905")
    }

    @Test func theBundledXLSXSheetHasNumberCells() throws {
        let path = Workspace.packageRoot.appendingPathComponent("fixtures/counts/year-end-back-room.xlsx").path
        let rows = try CountSheetReader.read(InputFile(path: path, displayName: "back-room.xlsx"))
        #expect(rows.map(\.countedQuantity) == ["6", "13"])
        #expect(rows.map(\.barcode) == ["4006381333948", "4006381333955"])
    }
}
