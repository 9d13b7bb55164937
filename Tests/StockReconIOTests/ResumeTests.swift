import Foundation
import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

/// A file that begins with an earlier file's bytes is read from after that file's last
/// record, with the same rows as reading it whole but the earlier file's.
@Suite struct ResumeTests {
    let directory = TemporaryDirectory()

    /// A JSON layout of records numbered `range`, read with `format`.
    struct Layout: CustomTestStringConvertible, Sendable {
        var name: String
        var format: SourceFormat
        var document: @Sendable (ClosedRange<Int>) -> String
        var testDescription: String { name }
    }

    static func adjustment(_ number: Int) -> String {
        #"{"id": \#(number), "location_id": "WH", "line_items": [{"id": "li-\#(number)-1", "product_variant_id": "1001", "quantity": \#(number)}, "#
            + #"{"id": "li-\#(number)-2", "product_variant_id": "1002", "quantity": -1}]}"#
    }

    static func flatRow(_ number: Int) -> String {
        #"{"variant_id": "\#(number)", "quantity_delta": 1, "idempotency_key": "k-\#(number)"}"#
    }

    static let layouts: [Layout] = [
        Layout(name: "haravan listing", format: .haravan) { "{\"adjustments\": [\n" + $0.map(adjustment).joined(separator: ",\n") + "\n], \"count\": 1}\n" },
        Layout(name: "haravan array", format: .haravan) { "[" + $0.map(adjustment).joined(separator: ", ") + "]" },
        Layout(name: "haravan lines", format: .haravan) { $0.map(adjustment).joined(separator: "\n") + "\n" },
        Layout(name: "flat array", format: .canonical) { "\u{FEFF}[\n" + $0.map(flatRow).joined(separator: ",\n") + "\n]\n" },
        Layout(name: "flat wrapper", format: .canonical) { "{\"meta\": {\"n\": 1}, \"rows\": [" + $0.map(flatRow).joined(separator: ",") + "]}" },
        Layout(name: "flat lines", format: .canonical) { $0.map(flatRow).joined(separator: "\n") },
    ]

    @Test(arguments: layouts)
    func resumingReadsTheSameRowsButTheEarlierFiles(layout: Layout) throws {
        let earlier = directory.file("earlier.json", layout.document(1...5))
        let later = directory.file("later.json", layout.document(1...8))
        let (earlierRows, point) = try readRowsAndResumePoint(earlier, layout.format.mapping)
        let resumePoint = try #require(point)
        #expect(resumePoint.rows == earlierRows.count)
        #expect(resumePoint.firstRows == (layout.format == .haravan ? 2 : 1), "the first adjustment's line items, or the first row")
        let bytes = try #require(FileManager.default.contents(atPath: earlier))
        #expect(bytes[resumePoint.firstEnd - 1] == UInt8(ascii: "}"))
        #expect(bytes[resumePoint.end - 1] == UInt8(ascii: "}"))
        #expect(!bytes[resumePoint.end...].contains(UInt8(ascii: "{")), "nothing after the last record is a record")

        let (whole, wholePoint) = try readRowsAndResumePoint(later, layout.format.mapping)
        let (resumed, resumedPoint) = try readRowsAndResumePoint(later, layout.format.mapping, resumingAt: resumePoint)
        let expected = whole.filter { $0.record <= resumePoint.firstRows || $0.record > resumePoint.rows }
        #expect(resumed.map(\.record) == expected.map(\.record))
        #expect(resumed.map(\.line) == expected.map(\.line))
        #expect(resumed.map(\.input.naturalKey) == expected.map(\.input.naturalKey))
        #expect(resumed.map(\.input.quantity) == expected.map(\.input.quantity))
        #expect(resumed.count == whole.count - resumePoint.skippedRows)
        #expect(resumedPoint == wholePoint, "a resumed file can be resumed after in turn")
    }

    @Test func recordEndsDoNotDependOnWhereChunksBreak() throws {
        let path = directory.file("h.json", Self.layouts[0].document(1...6))
        func point(chunkSize: Int) throws -> ResumePoint? {
            var reader = JSONEventReader(path: path, displayName: "h.json")
            reader.chunkSize = chunkSize
            return try reader.read(into: HaravanRows(file: "h.json", row: { _ in }))
        }
        let whole = try point(chunkSize: 1 << 20)
        #expect(whole != nil)
        for size in [1, 2, 3, 7, 64, 333] { #expect(try point(chunkSize: size) == whole, "chunks of \(size) bytes") }
    }

    @Test func noResumePointWhereTheFirstAndLastRecordsLieDifferently() throws {
        let row = Self.flatRow(1)
        let mixed = directory.file("mixed.json", "\(row)\n{\"rows\": [\(row), \(row)]}\n")
        #expect(try readRowsAndResumePoint(mixed, SourceFormat.canonical.mapping).resumePoint == nil)
        // A listing that is itself an adjustment (it has a location) might add rows of its own at its end.
        let listing = directory.file("own.json", "{\"location_id\": \"WH\", \"adjustments\": [\(Self.adjustment(1)), \(Self.adjustment(2))]}")
        #expect(try readRowsAndResumePoint(listing, SourceFormat.haravan.mapping).resumePoint == nil)
    }

    @Test(arguments: ["\n", "\r\n"])
    func csvResumesAfterTheHeaderWithLinesCounted(newline: String) throws {
        func csv(_ range: ClosedRange<Int>) -> String {
            "\u{FEFF}variant_id,quantity_delta,idempotency_key,notes" + newline
                + range.map { "\($0),1,k-\($0),\($0 == 2 ? "\"two\(newline)lines\"" : "n")" + newline }.joined()
        }
        let earlier = directory.file("earlier.csv", csv(1...5))
        let later = directory.file("later.csv", csv(1...8))
        let (_, point) = try readRowsAndResumePoint(earlier, SourceFormat.canonical.mapping)
        let size = try #require(FileManager.default.attributesOfItem(atPath: earlier)[.size] as? Int)
        #expect(point == ResumePoint(firstEnd: 0, firstRows: 0, end: size, rows: 5, nextLine: 8), "a header, five rows, one of two lines")
        let (whole, wholePoint) = try readRowsAndResumePoint(later, SourceFormat.canonical.mapping)
        let (resumed, resumedPoint) = try readRowsAndResumePoint(later, SourceFormat.canonical.mapping, resumingAt: point)
        #expect(resumed.map(\.line) == [8, 9, 10])
        #expect(resumed.map(\.line) == whole.suffix(3).map(\.line))
        #expect(resumed.map(\.record) == whole.suffix(3).map(\.record))
        #expect(resumed.map(\.input.naturalKey) == ["k-6", "k-7", "k-8"])
        #expect(resumedPoint == wholePoint)
    }

    @Test func csvWithoutAFinalNewlineOrWithoutRowsHasNoResumePoint() throws {
        let unterminated = directory.file("c.csv", "variant_id,quantity_delta,idempotency_key\n1,1,a\n2,1,b")
        #expect(try readRowsAndResumePoint(unterminated, SourceFormat.canonical.mapping).resumePoint == nil)
        let headerOnly = directory.file("h.csv", "variant_id,quantity_delta,idempotency_key\n")
        #expect(try readRowsAndResumePoint(headerOnly, SourceFormat.canonical.mapping).resumePoint == nil)
    }

    @Test func aPrefixDigestIsTheDigestOfThoseBytes() throws {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0 ..< 10_000).map { _ in UInt8.random(in: 0...255, using: &generator) }
        let path = directory.file("r.bin", bytes: bytes)
        let hash = try FileHash(path: path, displayName: "r.bin", chunkSize: 1000)
        #expect(hash.sha256 == (try FileDigest.sha256Hex(path: path, displayName: "r.bin")))
        for length in [0, 1, 999, 1000, 1001, 5500, 9999, 10_000] {
            let prefix = directory.file("p\(length).bin", bytes: Array(bytes.prefix(length)))
            #expect(try hash.sha256(ofFirst: length) == FileDigest.sha256Hex(path: prefix, displayName: "p"), "first \(length) bytes")
        }
        #expect(try hash.sha256(ofFirst: 10_001) == nil)
    }
}
