/// Whole units of stock. Parsing is strict: an optional sign and digits, nothing else.
public enum Quantity {
    /// The largest magnitude a quantity may have (SPEC section 3).
    public static let limit: Int64 = 1_000_000_000

    public enum ParseError: Error, Equatable {
        case notAnInteger
        case outOfRange
    }

    /// Parses UTF-8 text such as `12`, `-3`, ` +7 ` or `8.0` (a fraction of zeros after the
    /// decimal mark, as spreadsheets write whole numbers, is still whole; `8.5` is not).
    public static func parse(_ text: some StringProtocol, decimalMark: UInt8 = UInt8(ascii: ".")) -> Result<Int64, ParseError> {
        parse(utf8: text.utf8, decimalMark: decimalMark)
    }

    public static func parse(utf8 bytes: some Collection<UInt8>, decimalMark: UInt8 = UInt8(ascii: ".")) -> Result<Int64, ParseError> {
        var index = bytes.startIndex
        var end = bytes.endIndex
        while index < end, bytes[index] == 0x20 || bytes[index] == 0x09 { bytes.formIndex(after: &index) }
        while end > index {
            let before = bytes.index(end, offsetBy: -1)
            guard bytes[before] == 0x20 || bytes[before] == 0x09 else { break }
            end = before
        }
        guard index < end else { return .failure(.notAnInteger) }
        var isNegative = false
        if bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
            isNegative = bytes[index] == UInt8(ascii: "-")
            bytes.formIndex(after: &index)
        }
        guard index < end else { return .failure(.notAnInteger) }
        var value: Int64 = 0
        var isTooLarge = false
        var isInFraction = false
        var digits = 0
        while index < end {
            let byte = bytes[index]
            if byte == decimalMark, !isInFraction, digits > 0 {
                isInFraction = true
                bytes.formIndex(after: &index)
                guard index < end else { return .failure(.notAnInteger) }
                continue
            }
            if isInFraction {
                guard byte == 0x30 else { return .failure(.notAnInteger) }
                bytes.formIndex(after: &index)
                continue
            }
            guard byte >= 0x30, byte <= 0x39 else { return .failure(.notAnInteger) }
            digits += 1
            if !isTooLarge {
                value = value * 10 + Int64(byte - 0x30)
                if value > limit { isTooLarge = true }
            }
            bytes.formIndex(after: &index)
        }
        if isTooLarge { return .failure(.outOfRange) }
        return .success(isNegative ? -value : value)
    }
}
