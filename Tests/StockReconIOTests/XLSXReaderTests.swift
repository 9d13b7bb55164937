import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

@Suite struct XLSXReaderTests {
    let directory = TemporaryDirectory()
    let workbook = Workspace.packageRoot.appendingPathComponent("fixtures/exports/stocktake.xlsx").path

    @Test func readsEveryKindOfCellAsExcelShowsIt() throws {
        let mapping = try MappingFile.load(path: Workspace.packageRoot.appendingPathComponent("pipelines/mappings/stocktake-xlsx.yaml").path)
        let rows = try readRows(workbook, mapping)
        #expect(rows.map(\.line) == [2, 3, 5, 6], "a row's line is its row number; empty rows are skipped")
        #expect(rows.map(\.input.variant) == ["0012345678905", "4006381333948", "4006381333931", "4006381333955"])
        #expect(rows.map(\.input.quantity) == ["8", "8", "8.5", "12.3"])
        #expect(rows.map(\.input.mode) == [.set, .set, .set, .set])
        #expect(rows[0].input.notes == " back room ")
        #expect(rows[1].input.notes == "inline note")
        #expect(rows[3].input.notes == "TRUE")
        #expect(rows[0].input.occurredAt == "2026-11-20T12:00:00Z")
        #expect(rows[1].input.occurredAt == "2026-11-20T00:00:00Z")
    }

    @Test func numbersAsExcelShowsThem() {
        #expect(ExcelNumber.shown("8") == "8")
        #expect(ExcelNumber.shown("8.0") == "8")
        #expect(ExcelNumber.shown("0.1") == "0.1")
        #expect(ExcelNumber.shown("12.300000000000001") == "12.3")
        #expect(ExcelNumber.shown("1.2E-3") == "0.0012")
        #expect(ExcelNumber.shown("1E+20") == "100000000000000000000")
        #expect(ExcelNumber.shown("-0.99999999999999989") == "-1")
    }

    @Test func theFirstSheetIsTheDefaultAndAMissingSheetIsNamed() throws {
        var mapping = SourceFormat.canonical.mapping
        #expect {
            _ = try readRows(workbook, mapping)
        } throws: { error in (error as? FileReadError)?.message.contains("the header has no variant_id") == true }
        mapping.sheet = "Counts"
        #expect {
            _ = try readRows(workbook, mapping)
        } throws: { error in (error as? FileReadError)?.message == "the workbook has no sheet Counts: its sheets are Notes, Stock" }
    }

    @Test func aFileThatIsNotAWorkbookIsRefused() {
        let path = directory.file("fake.xlsx", bytes: [0x50, 0x4B, 0x03, 0x04, 1, 2, 3])
        #expect {
            _ = try readRows(path, SourceFormat.canonical.mapping)
        } throws: { error in (error as? FileReadError)?.message.contains("not an XLSX workbook") == true }
    }
}
