import Foundation
import TestSupport
import Testing
@testable import StockReconIO
import StockReconCore

/// Reads a CSV file into (line, fields) pairs, or the error.
func readAll(_ path: String) throws -> (header: [String], rows: [(line: Int, record: Int, fields: [String])]) {
    var header: [String] = []
    var rows: [(Int, Int, [String])] = []
    try CSVReader(path: path, displayName: "test.csv").read(
        header: { header = $0 },
        row: { record in
            rows.append((record.line, record.record, (0..<record.count).map { String(decoding: record.bytes($0), as: UTF8.self) }))
        })
    return (header, rows)
}

@Suite struct CSVReaderTests {
    let directory = TemporaryDirectory()

    @Test func tracksPhysicalLinesAcrossQuotedNewlinesBlankLinesAndCRLF() throws {
        let path = directory.file("a.csv", "a,b\r\n1,\"x\r\ny\"\r\n\r\n2,z\r\n3,\"p\nq\nr\"\n4,w")
        let (header, rows) = try readAll(path)
        #expect(header == ["a", "b"])
        #expect(rows.map(\.line) == [2, 5, 6, 9])
        #expect(rows.map(\.record) == [1, 2, 3, 4])
        #expect(rows[0].fields == ["1", "x\r\ny"])
        #expect(rows[2].fields == ["3", "p\nq\nr"])
    }

    @Test func stripsAByteOrderMark() throws {
        let path = directory.file("bom.csv", bytes: [0xEF, 0xBB, 0xBF] + Array("variant_id,x\n1,2\n".utf8))
        #expect(try readAll(path).header == ["variant_id", "x"])
    }

    @Test func refusesUTF16SayingSo() throws {
        // A spreadsheet's "Unicode Text" export: UTF-16 with a byte-order mark, tab-separated.
        let units = Array("variant_id\tx\n1\t2\n".utf16)
        let little = directory.file("u16le.csv", bytes: [0xFF, 0xFE] + units.flatMap { [UInt8($0 & 0xFF), UInt8($0 >> 8)] })
        let big = directory.file("u16be.json", bytes: [0xFE, 0xFF] + units.flatMap { [UInt8($0 >> 8), UInt8($0 & 0xFF)] })
        for path in [little, big] {
            #expect {
                _ = try readRows(path, SourceFormat.canonical.mapping)
            } throws: { error in
                (error as? FileReadError)?.message.hasPrefix("the file is UTF-16 (a spreadsheet's \"Unicode Text\"), not UTF-8") == true
            }
        }
    }

    @Test func refusesAFileCutInsideAQuotedField() {
        let path = directory.file("cut.csv", "a,b\n1,2\n3,\"never closed\n")
        #expect {
            _ = try readAll(path)
        } throws: { error in
            guard let error = error as? FileReadError else { return false }
            return error.location.line == 3 && error.message.contains("closing quote")
        }
    }

    @Test func refusesRaggedRowsWithTheLine() {
        let path = directory.file("ragged.csv", "a,b\n1,2\n3,4,5\n")
        #expect {
            _ = try readAll(path)
        } throws: { error in
            (error as? FileReadError)?.location.line == 3
        }
    }

    @Test func refusesAStrayQuote() {
        let path = directory.file("quote.csv", "a,b\n1,ab\"c\n")
        #expect(throws: FileReadError.self) { _ = try readAll(path) }
    }

    @Test func refusesInvalidUTF8WithTheLineAndColumn() {
        let path = directory.file("latin1.csv", bytes: Array("a,b\n1,ok\n2,caf".utf8) + [0xE9] + Array("\n".utf8))
        #expect {
            _ = try readAll(path)
        } throws: { error in
            guard let error = error as? FileReadError else { return false }
            return error.location.line == 3 && error.location.field == "column 2" && error.message.contains("UTF-8")
        }
    }

    @Test func columnsRowsDoNotReadAreLeftEmptyButStillCheckedAndCounted() throws {
        let path = directory.file("skip.csv", "a,b,c\n1,\"two\nlines\",x\n2,skipped,y\n")
        var rows: [(line: Int, a: String?, b: String?, c: String?)] = []
        let reader = CSVReader(path: path)
        reader.columnsRead = { [0, 2] }
        try reader.read(header: { _ in }, row: { rows.append(($0.line, $0.text(0), $0.text(1), $0.text(2))) })
        #expect(rows.map(\.line) == [2, 4])  // the skipped column's newline still counts
        #expect(rows.map(\.a) == ["1", "2"] && rows.map(\.c) == ["x", "y"])
        #expect(rows.allSatisfy { $0.b == nil || $0.b == "" })

        let latin1 = directory.file("skip-latin1.csv", bytes: Array("a,b\n1,ok\n2,caf".utf8) + [0xE9] + Array("\n".utf8))
        let skipping = CSVReader(path: latin1)
        skipping.columnsRead = { [0] }
        #expect {
            try skipping.read(header: { _ in }, row: { _ in })
        } throws: { error in
            guard let error = error as? FileReadError else { return false }
            return error.location.line == 3 && error.location.field == "column 2" && error.message.contains("UTF-8")
        }
    }

    @Test func refusesAnEmptyFile() {
        #expect(throws: FileReadError.self) { _ = try readAll(directory.file("empty.csv", "")) }
    }

    @Test func readsAcrossChunkBoundaries() throws {
        var text = "a,b\n"
        for index in 0..<5000 { text += "\(index),\"note \(index)\nsecond line\"\n" }
        let path = directory.file("big.csv", text)
        var lines: [Int] = []
        let reader = CSVReader(path: path)
        reader.chunkSize = 97
        try reader.read(header: { _ in }, row: { lines.append($0.line) })
        #expect(lines.count == 5000)
        #expect(lines.last == 2 + 2 * 4999)
    }

    @Test func skipsRowsOfEmptyFieldsOnly() throws {
        let (_, rows) = try readAll(directory.file("blank.csv", "a,b\n1,2\n,\n3,4\n"))
        #expect(rows.map(\.line) == [2, 4])
    }
}

/// csv-spectrum: every CSV reads exactly as its JSON says, but one. location_coordinates
/// has a bare quote inside an unquoted field (`37.8"N`), which RFC 4180 forbids and strict
/// mode refuses; its JSON does not match its CSV anyway (another phone number, an object
/// where the others have an array). For it the test asserts the located refusal.
@Suite(.enabled(if: Workspace.hasCorpus("csv-spectrum/csvs"), "../shared/corpora/csv-spectrum is absent: a user's clone has no ../shared"))
struct CSVSpectrumTests {
    static var names: [String] {
        let folder = Workspace.corpora.appendingPathComponent("csv-spectrum/csvs")
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? [])
            .filter { $0.hasSuffix(".csv") }.map { String($0.dropLast(4)) }.sorted()
    }

    static let refused = ["location_coordinates"]

    @Test(arguments: names.filter { !refused.contains($0) })
    func readsAsSpecified(name: String) throws {
        let base = Workspace.corpora.appendingPathComponent("csv-spectrum")
        let (header, rows) = try readAll(base.appendingPathComponent("csvs/\(name).csv").path)
        let actual = rows.map { row in Dictionary(uniqueKeysWithValues: zip(header, row.fields)) }
        let data = try Data(contentsOf: base.appendingPathComponent("json/\(name).json"))
        let expected = try #require(try JSONSerialization.jsonObject(with: data) as? [[String: String]])
        #expect(actual == expected)
    }

    @Test(arguments: refused)
    func refusesBareQuotesWithTheLine(name: String) {
        let path = Workspace.corpora.appendingPathComponent("csv-spectrum/csvs/\(name).csv").path
        #expect {
            _ = try readAll(path)
        } throws: { error in
            (error as? FileReadError)?.location.line == 2
        }
    }

    @Test func theCorpusIsThere() {
        #expect(Self.names.count >= 12)
    }
}
