import Testing
@testable import StockReconPostgres

/// The COPY text the PostgreSQL ledger is streamed as (`LedgerCopier`).
@Suite struct CopyTextTests {
    func text(_ body: (inout [UInt8]) -> Void) -> String {
        var buffer: [UInt8] = []
        body(&buffer)
        return String(decoding: buffer, as: UTF8.self)
    }

    @Test func numbersAreFieldsOfDigits() {
        for value: Int64 in [0, 7, -1, 10, 1_000_000, -987_654_321, .max, .min] {
            #expect(text { CopyText.appendField(value, to: &$0) } == "\t\(value)")
        }
        #expect(text { CopyText.appendField(nil, to: &$0) } == "\t\\N")
    }

    /// bytea's hex form, its backslash doubled as COPY reads it; the bytes the escapes need are
    /// digits here.
    @Test func bytesAreHexWithTheBackslashEscaped() {
        #expect(text { CopyText.appendBytea([], to: &$0) } == "\\\\x")
        #expect(text { CopyText.appendBytea([0, 0x09, 0x0A, 0x5C, 0xAB, 0xFF], to: &$0) } == "\\\\x00090a5cabff")
    }

    @Test func idsFillTheirBlankZeroPadded() {
        var buffer = Array("x0000000000000000000y".utf8)
        buffer.withUnsafeMutableBufferPointer { CopyText.write(42, width: 19, into: $0, at: 1) }
        #expect(String(decoding: buffer, as: UTF8.self) == "x0000000000000000042y")
        buffer.withUnsafeMutableBufferPointer { CopyText.write(.max, width: 19, into: $0, at: 1) }
        #expect(String(decoding: buffer, as: UTF8.self) == "x\(Int64.max)y")
    }

    @Test(arguments: [
        ("", ""), ("plain text", "plain text"), ("\\", "\\\\"), ("a\tb", "a\\tb"), ("\n", "\\n"),
        ("line\r\nnext\\end\t", "line\\r\\nnext\\\\end\\t"), (" \u{00fc}ber ", " \u{00fc}ber "),
    ])
    func textEscapesOnlyWhatCopyReads(_ input: String, _ expected: String) {
        let escaped = text { buffer in
            Array(input.utf8).withUnsafeBufferPointer { CopyText.appendEscaped($0, to: &buffer) }
        }
        #expect(escaped == expected)
    }
}
