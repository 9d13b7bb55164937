/// An exact amount of money in integer minor units (cents for a currency with two
/// decimals). Never a binary float.
public struct Money: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var minorUnits: Int64
    /// Decimal places of the currency's minor unit.
    public var scale: Int

    public init(minorUnits: Int64, scale: Int = 2) {
        self.minorUnits = minorUnits
        self.scale = scale
    }

    public static func < (lhs: Money, rhs: Money) -> Bool { lhs.minorUnits < rhs.minorUnits }

    public enum ParseError: Error, Equatable {
        case notADecimal
        case tooManyDecimals(allowed: Int)
        case outOfRange
    }

    /// Parses `12`, `12.5`, `-0.25`, `1234.50`. More decimals than the scale are refused,
    /// not rounded: a cost must be exact.
    public static func parse(_ text: some StringProtocol, scale: Int = 2, decimalMark: UInt8 = UInt8(ascii: ".")) -> Result<Money, ParseError> {
        let bytes = Array(text.utf8)
        var index = 0
        var end = bytes.count
        while index < end, bytes[index] == 0x20 { index += 1 }
        while end > index, bytes[end - 1] == 0x20 { end -= 1 }
        guard index < end else { return .failure(.notADecimal) }
        var isNegative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            isNegative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        var whole: Int64 = 0
        var fraction: Int64 = 0
        var fractionDigits = 0
        var digitCount = 0
        var isInFraction = false
        while index < end {
            let byte = bytes[index]
            index += 1
            if byte == decimalMark {
                if isInFraction { return .failure(.notADecimal) }
                isInFraction = true
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return .failure(.notADecimal) }
            digitCount += 1
            let digit = Int64(byte - 0x30)
            if isInFraction {
                fractionDigits += 1
                if fractionDigits > scale {
                    if digit != 0 { return .failure(.tooManyDecimals(allowed: scale)) }
                    continue
                }
                fraction = fraction * 10 + digit
            } else {
                let (product, overflow) = whole.multipliedReportingOverflow(by: 10)
                guard !overflow, product <= Int64.max / 1_000_000 else { return .failure(.outOfRange) }
                whole = product + digit
            }
        }
        guard digitCount > 0 else { return .failure(.notADecimal) }
        var multiplier: Int64 = 1
        for _ in 0..<scale { multiplier *= 10 }
        for _ in 0..<max(0, scale - fractionDigits) { fraction *= 10 }
        let minor = whole * multiplier + fraction
        return .success(Money(minorUnits: isNegative ? -minor : minor, scale: scale))
    }

    /// `12.50`, `-0.25`: the decimal form, with exactly `scale` decimals.
    public var description: String { Money.format(minorUnits: minorUnits, scale: scale) }

    public static func format(minorUnits: Int64, scale: Int = 2) -> String {
        guard scale > 0 else { return String(minorUnits) }
        let magnitude = minorUnits.magnitude
        var divisor: UInt64 = 1
        for _ in 0..<scale { divisor *= 10 }
        let fraction = String(magnitude % divisor)
        let padded = String(repeating: "0", count: scale - fraction.count) + fraction
        return (minorUnits < 0 ? "-" : "") + String(magnitude / divisor) + "." + padded
    }
}
