import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconIO
import StockReconStore

/// Exports as shops write them, read through a mapping's number and blank rules (issue 25):
/// every value still exact, a fraction still `invalid_quantity`. Variant 1001 costs 10.00.
@Suite struct LocalFormatTests {
    func importing(_ fixture: Fixture, _ mappingText: String, _ text: String) throws -> RunReport {
        let mapping = try MappingFile.parse(mappingText, file: "till.yaml")
        return try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", mapping: mapping, files: [fixture.file("till.csv", text)],
            rules: AdjustmentRules(approval: .never)))
    }

    @Test(arguments: Backend.available) func aEuropeanTillsNumbersAreReadExactly(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try importing(fixture, """
            separator: ";"
            decimal_mark: ","
            thousands_separator: "."
            currency: [€, EUR]
            columns: {variant: Artikel, quantity: Menge, unit_cost: Preis}
            """, """
            Artikel;Menge;Preis
            1001;1.200;3.300,00 €
            1001;-3,000;EUR 12,50
            1001;2,5;1,00
            1001;1.20;1,00
            1001;1;12,345

            """)
        #expect(report.counts == OutcomeCounts(rows: 5, posted: 2, rejected: 3))
        #expect(report.sampleRejections.map(\.type) == [.invalidQuantity, .invalidQuantity, .invalidCost])
        #expect(report.sampleRejections.map(\.location.line) == [4, 5, 6])
        #expect(try fixture.balance("1001") == 1197)
        let costs = try fixture.store.read { db in
            try db.fetchValues(Int64.self, sql: "SELECT unit_cost_minor FROM movements ORDER BY id")
        }
        #expect(costs == [330_000, 1_250])
    }

    @Test(arguments: Backend.available) func noQuantityValuesAndBlanksAreUnchangedNotRejected(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let mapping = """
            columns: {variant: sku_col, quantity: on_hand}
            no_quantity: [not stocked]
            blank_quantity: unchanged
            """
        let text = "sku_col,on_hand\n1001,3\n1001,Not stocked\n1001,\n9999,not stocked\n1001,x\n"
        let first = try importing(fixture, mapping, text)
        #expect(first.counts == OutcomeCounts(rows: 5, posted: 1, rejected: 1, unchanged: 3))
        #expect(try fixture.balance("1001") == 3)
        // Without the keys, the same cells are rejected as before (in a file of other bytes:
        // these, read by another mapping, would be refused whole).
        let strict = try importing(fixture, "columns: {variant: sku_col, quantity: on_hand}\n", text + "1001,1\n")
        #expect(strict.counts.rejected == 4)
    }

    @Test func mistakesInTheNewKeysAreReportedAtTheirLine() throws {
        #expect {
            _ = try MappingFile.parse("decimal_mark: \",\"\nthousands_separator: \",\"\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        } throws: { error in
            "\(error)".contains("m.yaml:2") && "\(error)".contains("both")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("currency: [\"$1\"]\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("blank_quantity: zero\ncolumns: {variant: v, quantity: q}\n", file: "m.yaml")
        }
        #expect {
            _ = try MappingFile.parse("columns:\n  variant: v\n  quantity: q\n  variant_fallback_by: barcode\n", file: "m.yaml")
        } throws: { error in
            "\(error)".contains("m.yaml:4") && "\(error)".contains("variant_fallback")
        }
        #expect {
            _ = try MappingFile.parse("columns:\n  variant: v\n  quantity: q\n  variant_pattern: \"no group\"\n", file: "m.yaml")
        } throws: { error in
            "\(error)".contains("m.yaml:4") && "\(error)".contains("first group")
        }
    }

    /// `variant_fallback`, `variant_pattern` and `apostrophe_guard` name variants the way the
    /// exports write them; an unmatched pattern takes the cell whole; free text keeps its `'`.
    @Test(arguments: Backend.available) func variantsAsExportsWriteThem(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try importing(fixture, """
            apostrophe_guard: true
            columns:
              variant: Code
              variant_by: sku
              variant_pattern: '^\\[([^\\]]+)\\]'
              variant_fallback: EAN
              variant_fallback_by: barcode
              quantity: Qty
              notes: Note
            """, """
            Code,EAN,Qty,Note
            [TENT] Trail tent,,1,'kept
            ,'400,2,x
            'TENT,,3,y
            Plain,,4,z

            """)
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 3, rejected: 1))
        #expect(try fixture.balance("1001") == 6)
    }
}

/// Files in other encodings, read as the text they hold (issue 25).
@Suite struct EncodingTests {
    func file(_ fixture: Fixture, _ name: String, _ bytes: [UInt8]) throws -> InputFile {
        let path = fixture.directory.appendingPathComponent(name).path
        #expect(FileManager.default.createFile(atPath: path, contents: Data(bytes)))
        return InputFile(path: path, displayName: name)
    }

    @Test(arguments: Backend.available) func aWindows1252TillExportIsReadAsItsText(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        // "Artikel;Gezählt;Notiz" / "1001;4;Müller €" with ä, ü and € as single bytes.
        let bytes = Array("Artikel;Gez".utf8) + [0xE4] + Array("hlt;Notiz\r\n1001;4;M".utf8) + [0xFC] + Array("ller ".utf8) + [0x80] + Array("\r\n".utf8)
        let mapping = try MappingFile.parse("""
            encoding: windows-1252
            separator: ";"
            columns: {variant: Artikel, quantity: Gezählt, notes: Notiz}
            """, file: "till.yaml")
        let input = try file(fixture, "till.csv", bytes)
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "acme", mapping: mapping, files: [input]))
        #expect(report.counts == OutcomeCounts(rows: 1, posted: 1), "\(report.sampleRejections)")
        #expect(try fixture.store.read { try $0.fetchValue(String.self, sql: "SELECT notes FROM movements") } == "Müller €")
        // Read as UTF-8 (no `encoding:`), the same bytes are not text.
        let strict = try MappingFile.parse("separator: \";\"\ncolumns: {variant: Artikel, quantity: Gezählt, notes: Notiz}\n", file: "utf8.yaml")
        #expect(throws: (any Error).self) {
            let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
                tenantID: "t1", orgID: "acme", mapping: strict, files: [try file(fixture, "again.csv", bytes + Array("1001;1;x\r\n".utf8))]))
            if report.hasUnreadableFiles { throw FileReadError(SourceLocation(file: "again.csv"), "unreadable") }
        }
    }

    @Test(arguments: [true, false]) func utf16IsFoundByItsByteOrderMark(littleEndian: Bool) throws {
        let fixture = try Fixture()
        let text = "variant_id,quantity_delta,notes\r\n1001,2,Grüße 🎉\r\n"
        var bytes: [UInt8] = littleEndian ? [0xFF, 0xFE] : [0xFE, 0xFF]
        for unit in text.utf16 { bytes += littleEndian ? [UInt8(unit & 0xFF), UInt8(unit >> 8)] : [UInt8(unit >> 8), UInt8(unit & 0xFF)] }
        let report = try fixture.importing([try file(fixture, "export.csv", bytes)])
        #expect(report.counts == OutcomeCounts(rows: 1, posted: 1), "\(report.sampleRejections)")
        #expect(try fixture.store.read { try $0.fetchValue(String.self, sql: "SELECT notes FROM movements") } == "Grüße 🎉")
        // Cut inside a character: unreadable, with a reason.
        let cut = try fixture.importing([try file(fixture, "cut.csv", Array(bytes.dropLast()))])
        #expect(cut.files.first?.failure?.message.contains("UTF-16") == true)
    }

    @Test func theDecoderCarriesWhatAChunkCutsOff() throws {
        var decoder = Transcoding.Decoder(encoding: .utf16LittleEndian)
        let units = Array("a🎉b".utf16)
        let bytes = units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] }
        var out = Data()
        for index in bytes.indices { out += try decoder.utf8([bytes[index]]) }  // one byte at a time
        out += try decoder.finish()
        #expect(String(decoding: out, as: UTF8.self) == "a🎉b")
    }
}

/// A document's cells given on its first row only (ERPNext's Data Import), and a date and a
/// time of day in two columns (issue 25).
@Suite struct FillDownTests {
    static let mapping = """
        date_format: "%d-%m-%Y"
        time_format: "%H:%M:%S"
        fill_down: [ID, Posting Date, Posting Time]
        columns:
          variant: Item Code (Items)
          quantity: Quantity (Items)
          quantity_is: on_hand
          occurred_at: Posting Date
          occurred_time: Posting Time
          reference: ID
        """

    @Test(arguments: Backend.available) func parentCellsFillDownAndDateAndTimeJoin(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let mapping = try MappingFile.parse(Self.mapping, file: "erpnext.yaml")
        let file = fixture.file("recon.csv", """
            ID,Posting Date,Posting Time,Item Code (Items),Quantity (Items)
            MAT-RECO-0001,14-08-2026,17:30:05,1001,12
            ,,,2001,4
            MAT-RECO-0002,15-08-2026,09:00:00,1001,10

            """)
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "other", mapping: mapping, files: [file], rules: AdjustmentRules(approval: .never)))
        // 1001 is acme's: cross-brand in org other; 2001 takes its document's cells.
        #expect(report.counts.posted == 1, "\(report.sampleRejections)")
        let rows = try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT variant_id, reference_id, occurred_at, quantity_after FROM movements ORDER BY id")
                .map { [try $0[0] as String, try $0[1] as String, try $0[2] as String, String(try $0[3] as Int64)] }
        }
        #expect(rows == [["2001", "MAT-RECO-0001", "2026-08-14T17:30:05Z", "4"]])
        #expect(report.sampleRejections.map(\.type) == [.crossBrand, .crossBrand])
    }

    /// A rejected row read again (its variant added since) takes its document's cells from the
    /// row above, though that row ended in the first run and is not read again; over a catalog
    /// in memory and a mapped one.
    @Test(arguments: Backend.available) func aRowReadAgainFillsDownFromASettledRowAbove(_ backend: Backend) throws {
        for mappedFrom in [nil, 0] { try CatalogLookupTests.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend)
            let mapping = try MappingFile.parse(Self.mapping, file: "erpnext.yaml")
            let file = fixture.file("recon.csv", """
                ID,Posting Date,Posting Time,Item Code (Items),Quantity (Items)
                MAT-RECO-0001,14-08-2026,17:30:05,2001,12
                ,,,2002,4

                """)
            let request = ImportRequest(tenantID: "t1", orgID: "other", mapping: mapping, files: [file], rules: AdjustmentRules(approval: .never))
            let first = try ImportPipeline(store: fixture.store).run(request)
            #expect(first.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
            let added = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("more.csv", """
                variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
                2002,P4,other,WICK,403,1.00,false

                """)])
            #expect(added.counts.rejected == 0)
            let again = try ImportPipeline(store: fixture.store).run(request)
            #expect(again.counts == OutcomeCounts(rows: 2, posted: 1, duplicate: 1), "\(again.sampleRejections)")
            let rows = try fixture.store.read { db in
                try db.fetchAll(sql: "SELECT variant_id, reference_id, occurred_at FROM movements ORDER BY id")
                    .map { [try $0[0] as String, try $0[1] as String? ?? "-", try $0[2] as String? ?? "-"] }
            }
            #expect(rows == [["2001", "MAT-RECO-0001", "2026-08-14T17:30:05Z"], ["2002", "MAT-RECO-0001", "2026-08-14T17:30:05Z"]],
                    "mapped: \(mappedFrom != nil)")
        } }
    }

    /// `repeated_items: add`: an item a row of the same reference set before adds to it (zero
    /// adds nothing); under another reference, or at another location, it sets again. A
    /// reference met again later still knows its items.
    @Test(arguments: Backend.available) func anItemRepeatedInItsDocumentAdds(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let mapping = try MappingFile.parse("""
            fill_down: [ID]
            repeated_items: add
            columns: {variant: Item, quantity: Qty, quantity_is: on_hand, location: Warehouse, reference: ID}
            """, file: "repeated.yaml")
        let file = fixture.file("recon.csv", """
            ID,Item,Warehouse,Qty
            R1,1002,WH,10
            ,1002,WH,5
            ,1002,SHOP,3
            R2,1002,WH,7
            ,1002,WH,0
            ,1002,WH,-2
            ,1001,,4
            ,1001,,1
            R1,1002,SHOP,2

            """)
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", mapping: mapping, files: [file], rules: AdjustmentRules(approval: .never)))
        #expect(report.counts == OutcomeCounts(rows: 9, posted: 8, unchanged: 1), "\(report.sampleRejections)")
        #expect(try fixture.balance("1002") == 5)
        #expect(try fixture.balance("1002", "SHOP") == 5)
        #expect(try fixture.balance("1001") == 5)
    }

    @Test func aFillDownColumnTheHeaderLacksIsReportedAtTheMappingsLine() throws {
        let fixture = try Fixture()
        let mapping = try MappingFile.parse(Self.mapping, file: "erpnext.yaml")
        let file = fixture.file("recon.csv", "ID,Posting Date,Item Code (Items),Quantity (Items)\nX,14-08-2026,2001,1\n")
        #expect(throws: ConfigurationError.self) {
            _ = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "other", mapping: mapping, files: [file]))
        }
    }
}

/// Wide sheets: one column per location, each a row of its own (issue 25).
@Suite struct WideSheetTests {
    @Test(arguments: Backend.available) func eachLocationColumnIsARowWithItsColumnInRejections(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let mapping = try MappingFile.parse("""
            columns:
              variant: Item
              quantity_columns:
                columns: {Qty Warehouse: WH, Qty Shop: SHOP}
            """, file: "wide.yaml")
        let file = fixture.file("wide.csv", "Item,Qty Warehouse,Qty Shop\n1001,3,2\n1001,x,1\n")
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "acme", mapping: mapping, files: [file]))
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 3, rejected: 1))
        let rejection = try #require(report.sampleRejections.first)
        #expect(rejection.location.line == 3 && rejection.location.field == "Qty Warehouse")
        #expect(try fixture.balance("1001", "WH") == 3)
        #expect(try fixture.balance("1001", "SHOP") == 3)
        // Rerun: the rejected cell is judged afresh, the others are duplicates.
        let again = try ImportPipeline(store: fixture.store).run(ImportRequest(tenantID: "t1", orgID: "acme", mapping: mapping, files: [file]))
        #expect(again.counts == OutcomeCounts(rows: 4, rejected: 1, duplicate: 3))
    }

    @Test func aPatternThatMatchesNoColumnAndAMappingWithBothAreRefused() throws {
        let fixture = try Fixture()
        let mapping = try MappingFile.parse("columns:\n  variant: Item\n  quantity_columns: {pattern: \"Stock at (.+)\", location_by: name}\n", file: "w.yaml")
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", mapping: mapping, files: [fixture.file("w.csv", "Item,Qty\n1001,1\n")]))
        #expect(report.files.first?.failure?.message.contains("matches quantity_columns' pattern") == true)
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("columns:\n  variant: Item\n  quantity: Q\n  quantity_columns: {pattern: \"S (.+)\"}\n", file: "w.yaml")
        }
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("columns:\n  variant: Item\n  quantity_columns: {pattern: \"no group\"}\n", file: "w.yaml")
        }
    }

}
