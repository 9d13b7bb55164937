import Foundation
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

    @Test func aZIP64WorkbookReadsAsThePlainOne() throws {
        let mapping = try MappingFile.load(path: Workspace.packageRoot.appendingPathComponent("pipelines/mappings/stocktake-xlsx.yaml").path)
        let zip64 = Workspace.packageRoot.appendingPathComponent("fixtures/exports/stocktake-zip64.xlsx").path
        let plain = try readRows(workbook, mapping).map { [$0.input.variant, $0.input.quantity, $0.input.notes] }
        #expect(try readRows(zip64, mapping).map { [$0.input.variant, $0.input.quantity, $0.input.notes] } == plain)
        // Some writers leave only 0xFFFFFFFF in the plain end record and the truth in the ZIP64 one.
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: zip64)))
        let end = try #require(stride(from: bytes.count - 22, through: 0, by: -1).first { bytes[$0 ..< $0 + 4] == [0x50, 0x4B, 0x05, 0x06] })
        bytes.replaceSubrange(end + 12 ..< end + 20, with: [UInt8](repeating: 0xFF, count: 8))
        let patched = directory.path("patched-zip64.xlsx")
        try Data(bytes).write(to: URL(fileURLWithPath: patched))
        #expect(try readRows(patched, mapping).map { [$0.input.variant, $0.input.quantity, $0.input.notes] } == plain)
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

    @Test func aBarcodeTypedAsANumberKeepsTheZerosItsFormatShows() throws {
        // A spreadsheet drops a typed barcode's leading zeros and shows them again through a
        // format of zeros; the catalog knows the barcode as shown.
        let styles = #"<?xml version="1.0" encoding="UTF-8"?><styleSheet><numFmts count="1"><numFmt numFmtId="164" formatCode="0000000000000"/></numFmts>"#
            + #"<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="164"/></cellXfs></styleSheet>"#
        let rows = #"<row r="1"><c r="A1" t="inlineStr"><is><t>variant_id</t></is></c><c r="B1" t="inlineStr"><is><t>quantity_delta</t></is></c></row>"#
            + #"<row r="2"><c r="A2" s="1"><v>12345678905</v></c><c r="B2"><v>1</v></c></row>"#
            + #"<row r="3"><c r="A3" s="1"><v>4006381333948</v></c><c r="B3" s="1"><v>2.5</v></c></row>"#
            + #"<row r="4"><c r="A4"><v>12345678905</v></c><c r="B4"><v>1</v></c></row>"#
        let path = try writeWorkbook(directory.path("zeros.xlsx"), rows: rows, replacing: ["xl/styles.xml": Array(styles.utf8)])
        let read = try readRows(path, SourceFormat.canonical.mapping)
        #expect(read.map(\.input.variant) == ["0012345678905", "4006381333948", "12345678905"])
        #expect(read.map(\.input.quantity) == ["1", "2.5", "1"], "only whole numbers are padded")
    }

    @Test func datesOfThe1904DateSystemAreRead() throws {
        // Old Mac workbooks count days from 1904-01-01: the same day is 1,462 less.
        let rows = #"<row r="1"><c r="A1" t="inlineStr"><is><t>variant_id</t></is></c><c r="B1" t="inlineStr"><is><t>quantity_delta</t></is></c>"#
            + #"<c r="C1" t="inlineStr"><is><t>occurred_at</t></is></c></row>"#
            + #"<row r="2"><c r="A2"><v>1001</v></c><c r="B2"><v>3</v></c><c r="C2" s="2"><v>44884.5</v></c></row>"#
        let workbook1904 = #"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><workbookPr date1904="1"/><sheets><sheet name="Stock" sheetId="1" r:id="rId1"/></sheets></workbook>"#
        let mac = try writeWorkbook(directory.path("mac.xlsx"), rows: rows, replacing: ["xl/workbook.xml": Array(workbook1904.utf8)])
        #expect(try readRows(mac, SourceFormat.canonical.mapping).map(\.input.occurredAt) == ["2026-11-20T12:00:00Z"])
        let windows = try writeWorkbook(directory.path("windows.xlsx"), rows: rows)
        #expect(try readRows(windows, SourceFormat.canonical.mapping).map(\.input.occurredAt) == ["2022-11-19T12:00:00Z"])
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
