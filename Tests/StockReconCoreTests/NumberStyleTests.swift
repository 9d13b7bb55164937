import Testing
@testable import StockReconCore

/// Numbers as shop systems write them, made plain and then parsed exactly (issue 25).
@Suite struct NumberStyleTests {
    let european = NumberStyle(decimalMark: ",", thousandsSeparator: ".", currencySigns: ["€", "EUR"])
    let american = NumberStyle(decimalMark: ".", thousandsSeparator: ",", currencySigns: ["$", "USD"])

    @Test func thousandsSeparatorsComeOutOnlyBetweenGroupsOfThree() {
        #expect(european.plain("1.200", isMoney: false) == "1200")
        #expect(european.plain("-3,000", isMoney: false) == "-3,000")
        #expect(european.plain("1.234.567,50", isMoney: true) == "1234567,50")
        #expect(american.plain("1,234.50", isMoney: true) == "1234.50")
        // Not between groups of three: left for the parse to refuse.
        #expect(european.plain("1.20", isMoney: false) == "1.20")
        #expect(european.plain("12.3456", isMoney: false) == "12.3456")
        #expect(european.plain(".200", isMoney: false) == ".200")
        #expect(NumberStyle(thousandsSeparator: " ").plain("1 200 300", isMoney: false) == "1200300")
        #expect(NumberStyle(thousandsSeparator: "'").plain("1'200", isMoney: false) == "1200")
    }

    @Test func currencySignsComeOffMoneyOnEitherSide() {
        #expect(american.plain("$25.00", isMoney: true) == "25.00")
        #expect(american.plain("-$3.00", isMoney: true) == "-3.00")
        #expect(american.plain("$-3.00", isMoney: true) == "-3.00")
        #expect(american.plain("USD 1,200.00", isMoney: true) == "1200.00")
        #expect(european.plain("25,00 €", isMoney: true) == "25,00")
        #expect(european.plain("3.300,00\u{00A0}€", isMoney: true) == "3300,00")
        // Quantities carry no currency.
        #expect(american.plain("$3", isMoney: false) == "$3")
    }

    @Test func valuesStayExact() {
        let plain = { (text: String) in european.plain(text, isMoney: true) }
        #expect(Money.parse(plain("3.300,00 €"), decimalMark: UInt8(ascii: ",")) == .success(Money(minorUnits: 330_000)))
        #expect(Quantity.parse(european.plain("1.200", isMoney: false), decimalMark: UInt8(ascii: ",")) == .success(1200))
        #expect(Quantity.parse(european.plain("-3,000", isMoney: false), decimalMark: UInt8(ascii: ",")) == .success(-3))
        #expect(Quantity.parse(european.plain("2,5", isMoney: false), decimalMark: UInt8(ascii: ",")) == .failure(.notAnInteger))
    }
}
