/// Writing CSV that people open in spreadsheets (SPEC section 9).
public enum CSVText {
    /// A field as RFC 4180 writes it: quoted when it holds a separator, a quote or a line break.
    public static func field(_ text: String) -> String {
        // By bytes, not characters: "\r\n" is one Character, equal to neither "\r" nor "\n".
        let needsQuotes = text.utf8.contains { byte in
            switch byte {
            case UInt8(ascii: ","), UInt8(ascii: "\""), 0x0A, 0x0D, UInt8(ascii: ";"): true
            default: false
            }
        }
        guard needsQuotes else { return text }
        var quoted = "\""
        for scalar in text.unicodeScalars {
            if scalar == "\"" { quoted.unicodeScalars.append(scalar) }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }

    /// A text cell that a spreadsheet would run as a formula (it starts with `=`, `+`, `-`,
    /// `@`, a tab or a carriage return) gets a leading `'`; text that is a plain number
    /// (`-5`, `+1.25`) is left as it is, so numbers stay numbers.
    public static func neutralised(_ text: String) -> String {
        guard let first = text.unicodeScalars.first, formulaStarts.contains(first), !isPlainNumber(text) else { return guardedForReadBack(text) }
        return "'" + text
    }

    /// A text that `unguarded` would change (it starts with `'` and a formula's first
    /// character) gets one more `'`, so that it reads back as it was.
    public static func guardedForReadBack(_ text: String) -> String {
        unguarded(text) == text ? text : "'" + text
    }

    /// An optional sign, digits, and at most one decimal point among them.
    static func isPlainNumber(_ text: String) -> Bool {
        var digits = 0
        var points = 0
        for (index, byte) in text.utf8.enumerated() {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digits += 1
            case UInt8(ascii: "."): points += 1
            case UInt8(ascii: "-") where index == 0, UInt8(ascii: "+") where index == 0: continue
            default: return false
            }
        }
        return digits > 0 && points <= 1
    }

    /// A text cell neutralised and quoted.
    public static func safeField(_ text: String) -> String { field(neutralised(text)) }

    /// Undoes `neutralised` on a value read back (a blind sheet's sku `'=A1` is `=A1`).
    public static func unguarded(_ text: String) -> String {
        guard text.hasPrefix("'"), let second = text.unicodeScalars.dropFirst().first, formulaStarts.contains(second) else { return text }
        return String(text.dropFirst())
    }

    static let formulaStarts: Set<Unicode.Scalar> = ["=", "+", "-", "@", "\t", "\r"]
}

/// Text inside HTML elements and attribute values.
public enum HTMLText {
    public static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out
    }
}
