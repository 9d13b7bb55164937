import Testing
@testable import StockReconCore

@Suite struct QuantityTests {
    @Test(arguments: [("12", 12), ("-3", -3), ("+7", 7), (" 42 ", 42), ("1000000000", 1_000_000_000), ("-1000000000", -1_000_000_000)])
    func parsesIntegers(text: String, expected: Int64) throws {
        #expect(try Quantity.parse(text).get() == expected)
    }

    @Test(arguments: ["", "1.5", "abc", "1e3", "--1", "+", "12a", "1,000"])
    func refusesNonIntegers(text: String) {
        #expect(Quantity.parse(text) == .failure(.notAnInteger))
    }

    @Test(arguments: ["1000000001", "-1000000001", "99999999999999999999999"])
    func refusesOutOfRange(text: String) {
        #expect(Quantity.parse(text) == .failure(.outOfRange))
    }
}

@Suite struct MoneyTests {
    @Test(arguments: [("12.50", 1250), ("12.5", 1250), ("0.01", 1), ("7", 700), ("-0.25", -25), ("1234.00", 123_400), ("3.100", 310)])
    func parsesExactly(text: String, minor: Int64) throws {
        #expect(try Money.parse(text).get().minorUnits == minor)
    }

    @Test func refusesMoreDecimalsThanTheCurrencyHas() {
        #expect(Money.parse("12.345") == .failure(.tooManyDecimals(allowed: 2)))
    }

    @Test(arguments: ["", "abc", "$12", "1.2.3", ".", "12,50"])
    func refusesNonDecimals(text: String) {
        #expect(Money.parse(text) == .failure(.notADecimal))
    }

    @Test func formatsWithTheScale() {
        #expect(Money(minorUnits: 1250).description == "12.50")
        #expect(Money(minorUnits: -5).description == "-0.05")
        #expect(Money(minorUnits: 700, scale: 0).description == "700")
    }

    @Test func parsesForOtherScales() throws {
        #expect(try Money.parse("1.234", scale: 3).get().minorUnits == 1234)
        #expect(try Money.parse("15", scale: 0).get().minorUnits == 15)
    }
}

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2026-11-23T09:30:00Z", "2026-11-23T09:30:00Z"),
        ("2026-11-23T10:30:00+01:00", "2026-11-23T09:30:00Z"),
        ("2026-11-23 09:30", "2026-11-23T09:30:00Z"),
        ("2026-11-23", "2026-11-23T00:00:00Z"),
        ("2026-01-01T00:30:00+0100", "2025-12-31T23:30:00Z"),
        ("2024-02-29T12:00:00.123Z", "2024-02-29T12:00:00Z"),
    ])
    func normalizesToUTC(text: String, expected: String) {
        #expect(Timestamp.normalize(text) == expected)
    }

    @Test(arguments: ["yesterday", "2026-13-01", "2025-02-29", "2026-11-23T25:00:00Z", "23/11/2026", "2026-11-23T09:30:00 junk", ""])
    func refusesOthers(text: String) {
        #expect(Timestamp.normalize(text) == nil)
    }

    @Test func formatsEpochSeconds() {
        #expect(Timestamp.format(epochSeconds: 0) == "1970-01-01T00:00:00Z")
        #expect(Timestamp.format(epochSeconds: 1_795_000_000) == "2026-11-18T11:06:40Z")
    }
}

@Suite struct DiagnosticTests {
    @Test func printsLikeACompiler() {
        let diagnostic = Diagnostic(
            .zeroDelta, at: SourceLocation(file: "nightly.csv", line: 14, field: "quantity_delta"),
            "an adjustment cannot be zero", input: "0")
        #expect(diagnostic.description == "nightly.csv:14: error: quantity_delta: an adjustment cannot be zero [zero_delta] (input: \"0\")")
    }

    @Test func encodesContextAsSortedJSON() {
        let diagnostic = Diagnostic(
            .invalidChoice, at: SourceLocation(file: "f"), "m",
            context: ["expected": .list(["a", "b\""]), "limit": .integer(5), "name": .text("x\ny")])
        #expect(diagnostic.contextJSON == #"{"expected":["a","b\""],"limit":5,"name":"x\ny"}"#)
    }
}
