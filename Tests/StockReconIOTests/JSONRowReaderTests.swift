import Foundation
import Testing
@testable import StockReconIO

@Suite struct JSONRowReaderTests {
    let directory = TemporaryDirectory()

    func rows(_ json: String, keys: [String] = ["adjustments"]) throws -> [[String: String]] {
        let (header, rows) = try JSONRowReader(path: directory.file("x.json", json)).rows(rowKeys: keys)
        return rows.map { row in
            var values: [String: String] = [:]
            for (column, name) in header.enumerated() { values[name] = row.text(column) }
            return values
        }
    }

    @Test func readsOneObjectAnArrayAWrapperAndJSONLines() throws {
        #expect(try rows(#"{"variant_id": "1", "quantity_delta": 5}"#) == [["variant_id": "1", "quantity_delta": "5"]])
        #expect(try rows(#"[{"a": "1"}, {"a": "2", "b": true}]"#) == [["a": "1"], ["a": "2", "b": "true"]])
        #expect(try rows(#"{"adjustments": [{"a": 1}, {"a": 2}]}"#).count == 2)
        #expect(try rows("{\"a\": 1}\n\n{\"a\": 2}\n").map { $0["a"] } == ["1", "2"])
    }

    @Test func keepsNumbersExact() throws {
        let row = try rows(#"{"cost": 12.30, "big": 123456789012345678, "q": -3, "tiny": 0.1}"#)[0]
        #expect(row["cost"] == "12.3")
        #expect(row["big"] == "123456789012345678")
        #expect(row["q"] == "-3")
        #expect(row["tiny"] == "0.1")
    }

    @Test(arguments: [
        ("{\"a\": ", "malformed JSON"),
        ("[1, 2]", "expected an object"),
        ("\"text\"", "expected an object or an array"),
        ("{\"adjustments\": 5}", "expected an array of rows"),
        ("{\"a\": 1}\n{\"a\": }\n", "malformed JSON on this line"),
    ])
    func refusesWrongShapesClearly(json: String, message: String) {
        #expect {
            _ = try rows(json)
        } throws: { error in
            (error as? FileReadError)?.message.contains(message) == true
        }
    }

    @Test func refusesDeepNestingWithoutCrashing() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(throws: FileReadError.self) { _ = try rows(deep) }
        let deepObject = String(repeating: "{\"a\":", count: 50_000) + "1" + String(repeating: "}", count: 50_000)
        #expect(throws: FileReadError.self) { _ = try rows(deepObject) }
    }

    @Test func refusesInvalidUTF8() {
        let path = directory.file("bad.json", bytes: Array("{\"a\": \"caf".utf8) + [0xE9, 0x22, 0x7D])
        #expect(throws: FileReadError.self) { _ = try JSONRowReader(path: path).rows() }
    }
}
