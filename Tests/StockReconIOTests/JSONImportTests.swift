import Foundation
import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

@Suite struct FlatJSONTests {
    let directory = TemporaryDirectory()

    func rows(_ json: String, _ format: SourceFormat = .canonical) throws -> [AdjustmentInput<String>] {
        try readRows(directory.file("x.json", json), format.mapping).map(\.input)
    }

    @Test func readsOneObjectAnArrayAWrapperAndJSONLines() throws {
        #expect(try rows(#"{"variant_id": "1", "quantity_delta": 5}"#).map(\.quantity) == ["5"])
        #expect(try rows(#"[{"variant_id": "1", "quantity_delta": 1}, {"variant_id": "2", "quantity_delta": 2, "b": true}]"#).map(\.variant) == ["1", "2"])
        #expect(try rows(#"{"meta": {"n": 2}, "adjustments": [{"variant_id": 1, "quantity_delta": 1}, {"variant_id": 2, "quantity_delta": 2}], "count": 2}"#).count == 2)
        #expect(try rows("{\"variant_id\": 1, \"quantity_delta\": 1}\n\n{\"variant_id\": 2, \"quantity_delta\": 2}\n").map(\.variant) == ["1", "2"])
    }

    @Test func numbersKeepTheirExactTextAndLinesArePositions() throws {
        let json = #"[{"variant_id": 963414, "quantity_delta": -3, "unit_cost": 12.30, "notes": " x\ty ", "nested": {"notes": "no"}}, {"variant_id": "2", "quantity_delta": 1}]"#
        let read = try readRows(directory.file("n.json", json), SourceFormat.canonical.mapping)
        #expect(read[0].input.variant == "963414")
        #expect(read[0].input.unitCost == "12.30")
        #expect(read[0].input.notes == " x\ty ")
        #expect(read.map(\.line) == [1, 2])
    }

    @Test(arguments: [
        ("{\"variant_id\": ", "malformed JSON"),
        ("[1, 2]", "expected an object for each row"),
        ("\"text\"", "expected an object or an array"),
        ("{\"adjustments\": 5}", "expected an array of rows"),
        ("[{\"variant_id\": 1, \"quantity_delta\": 1}] [{}]", "more than one JSON value"),
        ("{\"variant_id\": 1, \"quantity_delta\": 1}\n{\"variant_id\": }\n", "malformed JSON on this line"),
        // Which of the two holds is not clear: the last was read, silently.
        ("[{\"variant_id\": 1, \"quantity_delta\": 1, \"Quantity Delta\": 100}]", "quantity_delta is given twice in one object"),
        // Read as empty, these were told "the quantity is empty".
        ("[{\"variant_id\": 1, \"quantity_delta\": {\"units\": 1}}]", "quantity_delta holds an object, where the format reads a value"),
        ("[{\"variant_id\": 1, \"quantity_delta\": [1]}]", "quantity_delta holds an array, where the format reads a value"),
    ])
    func refusesWrongShapesClearly(json: String, message: String) {
        #expect {
            _ = try rows(json)
        } throws: { error in
            (error as? FileReadError)?.message.contains(message) == true
        }
    }

    @Test(arguments: [
        (#"{"inventory": {"location_id": "WH", "line_items": [{"product_variant_id": 1001, "quantity": 2, "quantity": 200}]}}"#,
         "a line item has quantity twice: keep one"),
        (#"{"inventory": {"location_id": "WH", "location_id": "SHOP", "line_items": [{"product_variant_id": 1001, "quantity": 2}]}}"#,
         "an adjustment has location_id twice: keep one"),
        (#"{"inventory": {"line_items": [{"product_variant_id": 1001, "quantity": {"value": 2}}]}}"#,
         "a line item's quantity holds an object, where haravan has a value"),
        (#"{"inventory": {"reason": ["damaged"], "line_items": [{"product_variant_id": 1001, "quantity": 2}]}}"#,
         "an adjustment's reason holds an array, where haravan has a value"),
    ])
    func haravanRefusesAmbiguousAndNestedFields(json: String, message: String) {
        #expect {
            _ = try rows(json, .haravan)
        } throws: { error in
            (error as? FileReadError)?.message == message
        }
    }

    @Test func nestedMembersTheFormatDoesNotReadAreSkipped() throws {
        let haravan = #"{"inventory": {"tags": ["a", "b"], "meta": {"x": 1}, "line_items": [{"product_variant_id": 1001, "quantity": 2, "extra": [{}]}]}}"#
        #expect(try rows(haravan, .haravan).map(\.quantity) == ["2"])
        let read = try rows("[{\"variant_id\": 1, \"quantity_delta\": 2, \"meta\": {\"tags\": [1, {\"a\": null}]}, \"more\": [[]]}]")
        #expect(read.map(\.quantity) == ["2"])
    }

    @Test func malformedInTheMiddleIsLocated() {
        var json = "[\n"
        for index in 1...500 { json += "{\"variant_id\": \"\(index)\", \"quantity_delta\": 1},\n" }
        json += "{\"variant_id\": \"x\" \"quantity_delta\": 1}\n]"
        #expect {
            _ = try rows(json)
        } throws: { error in
            (error as? FileReadError)?.location.line == 502
        }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: FileReadError.self) { _ = try rows(deep) }
        let deepObject = String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        #expect(throws: FileReadError.self) { _ = try rows(deepObject) }
    }

    @Test func refusesInvalidUTF8() {
        let path = directory.file("bad.json", bytes: Array("{\"variant_id\": \"caf".utf8) + [0xE9, 0x22, 0x7D])
        #expect(throws: FileReadError.self) { _ = try readRows(path, SourceFormat.canonical.mapping) }
    }

    @Test func aFirstRowWithoutTheRequiredKeysSuggestsAFormat() {
        #expect {
            _ = try rows(#"[{"variant_id": "1", "quantity_change": 2, "reason": "x"}]"#, .synq)
        } throws: { error in
            (error as? FileReadError)?.message.contains("--format dayzero") == true
        }
    }
}

/// JSONTestSuite: every `y_` document is accepted, every `n_` refused, and no `i_` crashes.
@Suite(.enabled(if: Workspace.hasCorpus("JSONTestSuite/test_parsing"), "../shared/corpora/JSONTestSuite is absent: a user's clone has no ../shared"))
struct JSONConformanceTests {
    static let folder = Workspace.corpora.appendingPathComponent("JSONTestSuite/test_parsing")
    static var names: [String] { ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).sorted() }

    func accepts(_ name: String) -> Bool {
        let path = Self.folder.appendingPathComponent(name).path
        do {
            try JSONEventReader(path: path, displayName: name).read(into: JSONDocumentChecker(file: name))
            return true
        } catch {
            return false
        }
    }

    @Test func acceptsEveryValidDocument() {
        let rejected = Self.names.filter { $0.hasPrefix("y_") && !accepts($0) }
        #expect(rejected.isEmpty, "refused: \(rejected)")
    }

    @Test func refusesEveryInvalidDocument() {
        let accepted = Self.names.filter { $0.hasPrefix("n_") && accepts($0) }
        #expect(accepted.isEmpty, "accepted: \(accepted)")
    }

    @Test func survivesTheImplementationDefinedOnes() {
        let results = Self.names.filter { $0.hasPrefix("i_") }.map(accepts)
        #expect(results.count > 20)
    }

    @Test func theCorpusIsThere() {
        #expect(Self.names.count > 300)
    }
}
