/// Text in a workbook's cells as OOXML writes it (ECMA-376 `ST_Xstring`): a character XML 1.0
/// cannot hold (a control character such as U+000B), or a carriage return (which an XML parser
/// reads as a line feed), is written `_xHHHH_`, and an `_x` that would read as such an escape
/// has its `_` written `_x005F_`. Excel writes a cell's carriage returns this way (`_x000D_`).
enum SheetText {
    static func escaped(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: needsEscape) || text.contains("_x") else { return text }
        var result = ""
        let scalars = Array(text.unicodeScalars)
        for (index, scalar) in scalars.enumerated() {
            if needsEscape(scalar) {
                result += "_x" + hex(scalar.value) + "_"
            } else if scalar == "_", isEscape(scalars, at: index, closedByEscaped: true) {
                result += "_x005F_"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    static func unescaped(_ text: String) -> String {
        guard text.contains("_x") else { return text }
        let scalars = Array(text.unicodeScalars)
        var result = String.UnicodeScalarView()
        var index = 0
        while index < scalars.count {
            if isEscape(scalars, at: index), let value = UInt32(String(String.UnicodeScalarView(scalars[index + 2 ..< index + 6])), radix: 16),
               let scalar = Unicode.Scalar(value) {
                result.append(scalar)
                index += 7
            } else {
                result.append(scalars[index])
                index += 1
            }
        }
        return String(result)
    }

    /// Whether `_xHHHH_` starts at `index`; with `closedByEscaped`, also `_xHHHH` before a
    /// character written escaped, whose `_x` would close it (`_x5555` and U+0015 read back as
    /// U+5555 and `x0015_`, found by fuzzing).
    private static func isEscape(_ scalars: [Unicode.Scalar], at index: Int, closedByEscaped: Bool = false) -> Bool {
        guard index + 6 < scalars.count, scalars[index] == "_", scalars[index + 1] == "x",
              scalars[index + 6] == "_" || (closedByEscaped && needsEscape(scalars[index + 6]))
        else { return false }
        return scalars[index + 2 ..< index + 6].allSatisfy { $0.properties.isASCIIHexDigit }
    }

    /// A character written `_xHHHH_`: one XML 1.0 cannot hold, or a carriage return.
    private static func needsEscape(_ scalar: Unicode.Scalar) -> Bool { !isXMLCharacter(scalar) || scalar == "\r" }

    private static func isXMLCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x9, 0xA, 0xD, 0x20...0xD7FF, 0xE000...0xFFFD, 0x10000...0x10FFFF: true
        default: false
        }
    }

    private static func hex(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
