import Foundation
import Testing
import StockReconCore
@testable import StockReconIO
import TestSupport
import ZIPFoundation

/// The bundled fixtures, each damaged a few hundred ways (bytes flipped, inserted, dropped,
/// repeated, the file cut short; a workbook's XML parts likewise): every mutant reads as rows
/// or as one located error (the file's, or the mapping's when the header lacks its columns), and none stops the process. Seeded, so a failure reproduces; this
/// found a workbook part that trapped Foundation's XML parser and a number that asked for
/// 10^12 zeros.
@Suite struct MutatedFixtureTests {
    let folder = TemporaryDirectory()
    static let fixtures = Workspace.packageRoot.appendingPathComponent("fixtures")

    static let tokens: [String] = [
        "\"", ",", ";", "\n", "\r", "\t", " ", "{", "}", "[", "]", ":", "\\", "\u{0}", "null", "true", "-", "+", ".", "e",
        "9999999999999999999999999", "1e400", "1E+999999999999", "-0", "\\u0000", "\\ud800", "NaN", "9223372036854775808",
        "<", ">", "/", "&amp;", "&#0;", "&bogus;", "<![CDATA[x]]>", #"<c r="ZZZZZZZZZZZZZZZZ1"><v>1</v></c>"#,
        #"<c r="B2" s="1"/>"#, #"<c t="inlineStr"><is><t>x</t></is></c>"#, #"t="b""#, #"t="e""#, #"<row r="0">"#, "</row>",
    ]

    static let tabular: [(file: String, mapping: @Sendable () throws -> ColumnMapping)] = [
        ("imports/nightly-synq.csv", { SourceFormat.synq.mapping }),
        ("imports/canonical.csv", { SourceFormat.canonical.mapping }),
        ("imports/stock-adjustments.csv", { SourceFormat.stockAdjustments.mapping }),
        ("imports/nightly-dayzero.json", { SourceFormat.dayzero.mapping }),
        ("imports/brand-api.json", { SourceFormat.brandAPI.mapping }),
        ("imports/haravan-listing.json", { SourceFormat.haravan.mapping }),
        ("imports/haravan-inventory.json", { SourceFormat.haravan.mapping }),
        ("exports/pos-2026-11-21.csv", { try mapping("pos.yaml") }),
    ]

    static func mapping(_ name: String) throws -> ColumnMapping {
        try MappingFile.load(path: Workspace.packageRoot.appendingPathComponent("pipelines/mappings/\(name)").path)
    }

    @Test(arguments: tabular.indices)
    func mutantsOfAnImportFixtureReadOrFailLocated(_ index: Int) throws {
        let (file, makeMapping) = Self.tabular[index]
        let mapping = try makeMapping()
        let original = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(file)))
        var random = SplitMix64(seed: UInt64(index) &+ 0x5EED)
        for mutant in 0..<60 {
            let path = folder.file("mutant-\(mutant).\((file as NSString).pathExtension)", bytes: Self.mutate(original, &random))
            expectRowsOrALocatedError(file, mutant) { _ = try readRows(path, mapping) }
        }
    }

    @Test func mutantsOfTheWorkbooksReadOrFailLocated() throws {
        var random = SplitMix64(seed: 0xB00C)
        let stocktake = try Self.mapping("stocktake-xlsx.yaml")
        for file in ["exports/stocktake.xlsx", "counts/year-end-back-room.xlsx"] {
            let archive = try Archive(url: Self.fixtures.appendingPathComponent(file), accessMode: .read)
            var parts: [(name: String, data: Data)] = []
            for entry in archive {
                var data = Data()
                _ = try archive.extract(entry) { data.append($0) }
                parts.append((entry.path, data))
            }
            for mutant in 0..<150 {
                var damaged = parts
                let victim = Int(random.next() % UInt64(damaged.count))
                damaged[victim].data = Data(Self.mutate([UInt8](damaged[victim].data), &random))
                let path = folder.path("mutant-\(mutant).xlsx")
                try? FileManager.default.removeItem(atPath: path)
                try SheetWriter.writeArchive(damaged, to: URL(fileURLWithPath: path))
                expectRowsOrALocatedError(file, mutant) {
                    if file.hasPrefix("counts/") {
                        _ = try CountSheetReader.read(InputFile(path: path, displayName: "mutant.xlsx"))
                    } else {
                        _ = try readRows(path, stocktake)
                    }
                }
            }
        }
    }

    @Test(arguments: ["counts/year-end-aisle.csv", "counts/opening-stock.csv"])
    func mutantsOfACountSheetReadOrFailLocated(_ file: String) throws {
        let original = try [UInt8](Data(contentsOf: Self.fixtures.appendingPathComponent(file)))
        var random = SplitMix64(seed: UInt64(file.utf8.count))
        for mutant in 0..<60 {
            let path = folder.file("sheet-\(mutant).csv", bytes: Self.mutate(original, &random))
            expectRowsOrALocatedError(file, mutant) { _ = try CountSheetReader.read(InputFile(path: path, displayName: "sheet.csv")) }
        }
    }

    func expectRowsOrALocatedError(_ file: String, _ mutant: Int, _ read: () throws -> Void) {
        do {
            try read()
        } catch let error as FileReadError {
            #expect(!error.message.isEmpty, "\(file) mutant \(mutant): an error without a message")
        } catch let error as ConfigurationError {
            // A header that lacks a mapping's column is the mapping's mistake, at its line.
            #expect(error.problems.allSatisfy { $0.line != nil }, "\(file) mutant \(mutant): \(error)")
        } catch {
            Issue.record("\(file) mutant \(mutant): not a located file error: \(error)")
        }
    }

    /// One to four changes: a byte flipped, a token inserted or written over, bytes dropped,
    /// the rest cut off, or a run of the file repeated elsewhere.
    static func mutate(_ original: [UInt8], _ random: inout SplitMix64) -> [UInt8] {
        var bytes = original
        for _ in 0..<(1 + random.next() % 4) {
            let at = Int(random.next() % UInt64(bytes.count + 1))
            let token = Array(tokens[Int(random.next() % UInt64(tokens.count))].utf8)
            switch random.next() % 6 {
            case 0 where at < bytes.count: bytes[at] = UInt8(truncatingIfNeeded: random.next())
            case 1: bytes.insert(contentsOf: token, at: at)
            case 2: bytes.removeSubrange(at..<min(bytes.count, at + 1 + Int(random.next() % 8)))
            case 3: bytes.removeSubrange(at...)
            case 4:
                let from = Int(random.next() % UInt64(bytes.count + 1))
                bytes.insert(contentsOf: bytes[from..<min(bytes.count, from + 1 + Int(random.next() % 40))], at: at)
            default: bytes.replaceSubrange(at..<min(bytes.count, at + token.count), with: token)
            }
        }
        return bytes
    }
}

/// A small seeded generator (SplitMix64), so that each run makes the same mutants.
