/// Whole units of stock. Parsing is strict: an optional sign and digits, nothing else.
public enum Quantity {
    /// The largest magnitude a quantity may have (SPEC section 3).
    public static let limit: Int64 = 1_000_000_000

    public enum ParseError: Error, Equatable {
        case notAnInteger
        case outOfRange
    }

    /// Parses UTF-8 text such as `12`, `-3` or ` +7 `.
    public static func parse(_ text: some StringProtocol) -> Result<Int64, ParseError> {
        parse(utf8: text.utf8)
    }

    public static func parse(utf8 bytes: some Collection<UInt8>) -> Result<Int64, ParseError> {
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
        while index < end {
            let byte = bytes[index]
            guard byte >= 0x30, byte <= 0x39 else { return .failure(.notAnInteger) }
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
