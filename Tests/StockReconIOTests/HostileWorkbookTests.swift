import Foundation
import Testing
import StockReconCore
@testable import StockReconIO
import TestSupport

/// Workbooks as a damaged disk, another program or a mutation fuzzer leaves them: each is one
/// located `unreadable_file` or rows read as Excel shows them, never a crash and never a
/// number where the sheet has none.
@Suite struct HostileWorkbookTests {
    let folder = TemporaryDirectory()

    func workbook(_ name: String, rows: String, replacing replaced: [String: [UInt8]] = [:]) throws -> String {
        try writeWorkbook(folder.path(name), rows: rows, replacing: replaced)
    }

    static let header = #"<row r="1"><c r="A1" t="inlineStr"><is><t>variant_id</t></is></c><c r="B1" t="inlineStr"><is><t>quantity_delta</t></is></c></row>"#

    func readError(_ path: String) -> String? {
        do {
            _ = try readRows(path, SourceFormat.canonical.mapping)
            return nil
        } catch {
            return (error as? FileReadError)?.message ?? "\(error)"
        }
    }

    @Test func aCellWithAStyleAndNoValueIsEmptyNotZero() throws {
        // Templates format whole columns: a counter's blank cell is then `<c s="1"/>`. Read as 0,
        // it set the variant's on-hand to zero.
        let path = try workbook("styled.xlsx", rows: Self.header
            + #"<row r="2"><c r="A2"><v>1001</v></c><c r="B2" s="1"/></row>"#
            + #"<row r="3"><c r="A3"><v>1002</v></c><c r="B3" s="1"><v></v></c></row>"#
            + #"<row r="4"><c r="A4"><v>1003</v></c><c r="B4" t="b"/></row>"#
            + #"<row r="5"><c r="A5"><v>1004</v></c><c r="B5"><v>0</v></c></row>"#)
        let rows = try readRows(path, SourceFormat.canonical.mapping)
        #expect(rows.map(\.input.variant) == ["1001", "1002", "1003", "1004"])
        #expect(rows.map(\.input.quantity) == [nil, nil, nil, "0"], "only a cell holding 0 is zero")
    }

    @Test func aFormulaWithoutASavedValueShowsAsTheFormula() throws {
        // Workbooks written by scripts (openpyxl) save formulas without their values.
        let path = try workbook("formulas.xlsx", rows: Self.header
            + #"<row r="2"><c r="A2"><v>1001</v></c><c r="B2"><f>B3+1</f><v></v></c></row>"#
            + #"<row r="3"><c r="A3"><v>1002</v></c><c r="B3"><f>2+1</f><v>3</v></c></row>"#)
        #expect(try readRows(path, SourceFormat.canonical.mapping).map(\.input.quantity) == ["=B3+1", "3"])
    }

    @Test func aStyledBlankCountedCellIsNotCounted() throws {
        let header = CountSheetRow.columns.enumerated().map { column, name in
            #"<c r="\#(SheetWriter.columnName(column))1" t="inlineStr"><is><t>\#(name)</t></is></c>"#
        }.joined()
        let counted = SheetWriter.columnName(try #require(CountSheetRow.columns.firstIndex(of: "counted_quantity")))
        let path = try workbook("count.xlsx", rows: #"<row r="1">\#(header)</row>"#
            + #"<row r="2"><c r="A2"><v>1001</v></c><c r="\#(counted)2" s="1"/></row>"#
            + #"<row r="3"><c r="A3"><v>1002</v></c><c r="\#(counted)3"><v>4</v></c></row>"#)
        let rows = try CountSheetReader.read(InputFile(path: path, displayName: "count.xlsx"))
        #expect(rows.map(\.countedQuantity) == [nil, "4"])
    }

    @Test func numbersNoWorkbookWritesStayAsWritten() {
        #expect(ExcelNumber.shown("") == "")
        #expect(ExcelNumber.shown("-") == "-")
        #expect(ExcelNumber.shown(".") == ".")
        #expect(ExcelNumber.shown("4006381333955E999999999999") == "4006381333955E999999999999", "not that many zeros")
        #expect(ExcelNumber.shown("1E-9223372036854775808") == "1E-9223372036854775808")
        #expect(ExcelNumber.shown("1E+401") == "1E+401")
        #expect(ExcelNumber.shown("1E+300").count == 301, "a double's exponent is still a number")
        #expect(ExcelNumber.shown("٣") == "٣", "digits are ASCII")
        #expect(ExcelNumber.shown(".5") == "0.5")
    }

    @Test func aCellBeyondTheLastColumnIsRefused() throws {
        let path = try workbook("wide.xlsx", rows: Self.header + #"<row r="2"><c r="ZZZZZZZZZZZZZZZZ2"><v>1</v></c></row>"#)
        #expect(readError(path) == "the workbook's xl/worksheets/sheet1.xml, line 1: the cell reference ZZZZZZZZZZZZZZZZ2 is beyond the last column a sheet can have (XFD)")
        let last = try workbook("last.xlsx", rows: Self.header + #"<row r="2"><c r="A2"><v>1001</v></c><c r="XFD2"><v>1</v></c></row>"#)
        #expect(try readRows(last, SourceFormat.canonical.mapping).map(\.input.variant) == ["1001"], "XFD is the last column, and allowed")
    }

    @Test func aRowThatReachesTheLastColumnHoldsOnlyItsCells() throws {
        // Padded to its reference, each of these rows held 16,384 cells: a 100 KB sheet, 500 MB.
        let rows = (2...2001).map { #"<row r="\#($0)"><c r="A\#($0)"><v>1001</v></c><c r="XFD\#($0)"><v>1</v></c></row>"# }.joined()
        let parser = SheetParser(strings: [], styles: WorkbookParts.CellStyles(), isDate1904: false)
        let sheet = Data(("<worksheet><sheetData>" + Self.header + rows + "</sheetData></worksheet>").utf8)
        try XLSXReader(path: "", displayName: "wide.xlsx").parse(sheet, part: "xl/worksheets/sheet1.xml", with: parser)
        #expect(parser.rows.dropFirst().allSatisfy { $0.cells.map(\.column) == [0, 16_383] })
        let read = try readRows(try workbook("wide.xlsx", rows: Self.header + rows), SourceFormat.canonical.mapping)
        #expect(read.count == 2000)
        #expect(read.allSatisfy { $0.input.variant == "1001" && $0.input.quantity == nil })
    }

    @Test func aPartThatUnzipsToMoreThanTheLimitIsRefusedBeforeItIsRead() throws {
        // A zip bomb: kilobytes that unzip to gigabytes, read whole, stopped the process.
        let rows = String(repeating: #"<row><c t="inlineStr"><is><t>0</t></is></c></row>"#, count: 50_000)
        let path = try workbook("bomb.xlsx", rows: Self.header + rows)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)).count < 20_000, "deflated, the sheet is small")
        var reader = XLSXReader(path: path, displayName: "bomb.xlsx")
        reader.largestPart = 1 << 20
        #expect {
            try reader.read(sheet: nil, header: { _ in }, row: { _ in })
        } throws: { error in
            (error as? FileReadError)?.message
                == "the workbook's xl/worksheets/sheet1.xml unzips to more than 1 MB: export the sheet as CSV, which is read as a stream"
        }
        reader.largestPart = 4 << 20
        var rowsRead = 0
        try reader.read(sheet: nil, header: { _ in }, row: { _ in rowsRead += 1 })
        #expect(rowsRead == 50_000, "below the limit, the same workbook reads")
    }

    /// A sheet and shared strings that each stay under the part limit still cost their sum:
    /// the workbook's total is bounded too, naming the part that crossed it.
    @Test func partsThatUnzipToTooMuchTogetherAreRefused() throws {
        let strings = #"<?xml version="1.0" encoding="UTF-8"?><sst>"# + String(repeating: "<si><t>padding padding</t></si>", count: 100_000) + "</sst>"
        let rows = String(repeating: #"<row><c t="inlineStr"><is><t>0</t></is></c></row>"#, count: 50_000)
        let path = try workbook("together.xlsx", rows: Self.header + rows, replacing: ["xl/sharedStrings.xml": Array(strings.utf8)])
        var reader = XLSXReader(path: path, displayName: "together.xlsx")
        reader.largestPart = 4 << 20
        reader.largestWorkbook = 4 << 20
        #expect {
            try reader.read(sheet: nil, header: { _ in }, row: { _ in })
        } throws: { error in
            let message = (error as? FileReadError)?.message ?? ""
            return message.hasPrefix("the workbook's parts unzip to more than 4 MB together (xl/sharedStrings.xml after 2 MB of others")
        }
        reader.largestWorkbook = 8 << 20
        var rowsRead = 0
        try reader.read(sheet: nil, header: { _ in }, row: { _ in rowsRead += 1 })
        #expect(rowsRead == 50_000, "under both limits, the same workbook reads")
    }

    /// An entity a part declares, internal or external (`X&xxe;X` was read as `X`), is refused
    /// with the part, not resolved and not cut out of the cell.
    @Test(arguments: [#"<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/hostname">]>"#, #"<!DOCTYPE worksheet [<!ENTITY xxe "injected">]>"#, ""])
    func entitiesAreRefusedNotResolvedOrCut(_ declaration: String) throws {
        let sheet = #"<?xml version="1.0" encoding="UTF-8"?>\#(declaration)"#
            + #"<worksheet><sheetData>\#(Self.header)<row r="2"><c r="A2" t="inlineStr"><is><t>X&xxe;X</t></is></c>"#
            + #"<c r="B2"><v>3</v></c></row></sheetData></worksheet>"#
        let path = try workbook("entity.xlsx", rows: "", replacing: ["xl/worksheets/sheet1.xml": Array(sheet.utf8)])
        let message = try #require(readError(path))
        #expect(message.contains(declaration.isEmpty ? "is not well-formed XML" : "declares a DTD or entities"), "\(message)")
    }

    @Test func aPartThatIsNotUTF8IsRefusedNamingIt() throws {
        // Foundation's XML parser stopped the process on invalid UTF-8 in an attribute.
        var sheet = Array(#"<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData><row r="1"><c r="A1" t="s"#.utf8)
        sheet += [0xD2] + Array(#""><v>0</v></c></row></sheetData></worksheet>"#.utf8)
        let path = try workbook("latin.xlsx", rows: "", replacing: ["xl/worksheets/sheet1.xml": sheet])
        #expect(readError(path) == "the workbook's xl/worksheets/sheet1.xml is not UTF-8 text: save the workbook again from a spreadsheet")
        let styles = try workbook("styles.xlsx", rows: Self.header, replacing: ["xl/styles.xml": Array(#"<?xml version="1.0" encoding="UTF-8"?><styleSheet><cellXfs count="1"><xf numFmtId="0"/></cellXfs></styleSheet>"#.utf8) + [0xFF]])
        #expect(readError(styles) == "the workbook's xl/styles.xml is not UTF-8 text: save the workbook again from a spreadsheet")
    }

    @Test func aPartThatIsNotWellFormedIsRefusedNotSkipped() throws {
        // Damaged shared strings used to be skipped: their cells were empty, and the rows then
        // failed one by one as if the counter had left them blank.
        let strings = #"<?xml version="1.0" encoding="UTF-8"?><sst><si><t>variant_id</t></si>"# + "\n<si><t>quantity_delta</b></si></sst>"
        let path = try workbook("strings.xlsx", rows: Self.header, replacing: ["xl/sharedStrings.xml": Array(strings.utf8)])
        let message = try #require(readError(path))
        #expect(message.hasPrefix("the workbook's xl/sharedStrings.xml is not well-formed XML (line 2)"), "\(message)")
    }

    @Test func aSheetCutShortIsRefusedNotReadInPart() throws {
        // Foundation's parser reports a document whose root never closes as parsed: the rows
        // before the cut were read, and the rest were lost without a word.
        let sheet = #"<?xml version="1.0" encoding="UTF-8"?><worksheet><sheetData>"# + Self.header
            + #"<row r="2"><c r="A2"><v>1001</v></c><c r="B2"><v>5</v></c></row>"# + "\n" + #"<row r="3"><c r="A3"><v>10"#
        let path = try workbook("cut.xlsx", rows: "", replacing: ["xl/worksheets/sheet1.xml": Array(sheet.utf8)])
        #expect(readError(path) == "the workbook's xl/worksheets/sheet1.xml is not well-formed XML (line 2): save the workbook again from a spreadsheet")
    }

    @Test func aPartThatDoesNotUnzipIsRefused() throws {
        let path = try workbook("crc.xlsx", rows: Self.header + #"<row r="2"><c r="A2"><v>1001</v></c><c r="B2"><v>5</v></c></row>"#)
        var bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: path)))
        // The sheet's local header: its name, then its deflated bytes; change one of them.
        let name = Array("xl/worksheets/sheet1.xml".utf8)
        let nameStart = try #require((0...(bytes.count - name.count)).first { Array(bytes[$0 ..< $0 + name.count]) == name })
        let extraLength = Int(bytes[nameStart - 2]) | Int(bytes[nameStart - 1]) << 8
        bytes[nameStart + name.count + extraLength + 4] ^= 0xFF
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        #expect(readError(path) == "the workbook's xl/worksheets/sheet1.xml is damaged (it does not unzip): save the workbook again from a spreadsheet")
    }
}
