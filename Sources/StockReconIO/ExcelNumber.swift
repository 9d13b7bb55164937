import StockReconCore

/// Numbers as a workbook stores them (the shortest text of a binary double) and as Excel
/// shows them: at most 15 significant digits, no exponent, no trailing zeros. Done on the
/// decimal text, so no binary float rounds a quantity or a price.
enum ExcelNumber {
    static func shown(_ stored: String) -> String {
        var text = Substring(stored.trimmingCharacters(in: " "))
        var isNegative = false
        if text.first == "-" {
            isNegative = true
            text.removeFirst()
        }
        var exponent = 0
        if let e = text.firstIndex(where: { $0 == "E" || $0 == "e" }) {
            // A double's decimal exponent is within ±324: anything beyond is not a number a
            // workbook wrote, and would ask for that many zeros.
            guard let value = Int(text[text.index(after: e)...]), (-400...400).contains(value) else { return stored }
            exponent = value
            text = text[..<e]
        }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, parts.allSatisfy({ $0.allSatisfy(\.isASCIIDigit) }) else { return stored }
        var digits = Array(whole + (parts.count == 2 ? parts[1] : ""))
        guard !digits.isEmpty else { return stored }  // no digit, no number: an empty cell stays empty
        var point = whole.count + exponent  // digits before the decimal point
        // Leading zeros carry no significance.
        while digits.count > 1, digits.first == "0" {
            digits.removeFirst()
            point -= 1
        }
        if digits.count > 15 {
            let roundUp = (digits[15].wholeNumberValue ?? 0) >= 5
            digits = Array(digits.prefix(15))
            if roundUp {
                var index = 14
                while index >= 0 {
                    if digits[index] == "9" { digits[index] = "0"; index -= 1 } else {
                        digits[index] = Character(String((digits[index].wholeNumberValue ?? 0) + 1))
                        break
                    }
                }
                if index < 0 { digits.insert("1", at: 0); point += 1 }
            }
        }
        var integerPart: String
        var fractionPart: String
        if point <= 0 {
            integerPart = "0"
            fractionPart = String(repeating: "0", count: -point) + String(digits)
        } else if point >= digits.count {
            integerPart = String(digits) + String(repeating: "0", count: point - digits.count)
            fractionPart = ""
        } else {
            integerPart = String(digits[..<point])
            fractionPart = String(digits[point...])
        }
        while fractionPart.last == "0" { fractionPart.removeLast() }
        while integerPart.count > 1, integerPart.first == "0" { integerPart.removeFirst() }
        let body = fractionPart.isEmpty ? integerPart : integerPart + "." + fractionPart
        return isNegative && body != "0" ? "-" + body : body
    }

    /// An Excel date serial (days since 1899-12-30, or in the 1904 date system since
    /// 1904-01-01; a fraction for the time) as UTC ISO-8601.
    static func dateText(serial: Double, isDate1904: Bool = false) -> String? {
        guard serial.isFinite, serial >= 0, serial < 2_958_466 else { return nil }
        let seconds = Int((serial * 86_400).rounded())
        let epoch = (isDate1904 ? Timestamp.daysFromCivil(year: 1904, month: 1, day: 1) : Timestamp.daysFromCivil(year: 1899, month: 12, day: 30)) * 86_400
        return Timestamp.format(epochSeconds: epoch + seconds)
    }
}

extension Character {
    var isASCIIDigit: Bool { isASCII && isNumber }
}
