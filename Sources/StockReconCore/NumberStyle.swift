/// How a file writes its numbers besides digits, a sign and a decimal mark: a separator
/// between thousands (`1.200`, `1,234.50`, `1 200`) and currency signs around money
/// (`$25.00`, `25,00 €`). Values stay exact: the text is made plain, then parsed as before.
public struct NumberStyle: Sendable, Hashable {
    public var decimalMark: Character = "."
    /// Between groups of three digits of the whole part; nil when a file has none.
    public var thousandsSeparator: Character?
    /// Signs or codes that may stand before or after an amount of money (`$`, `€`, `EUR`).
    public var currencySigns: [String] = []

    public init(decimalMark: Character = ".", thousandsSeparator: Character? = nil, currencySigns: [String] = []) {
        self.decimalMark = decimalMark
        self.thousandsSeparator = thousandsSeparator
        self.currencySigns = currencySigns
    }

    /// Nothing to make plain: the fast path parses the bytes as they are.
    public var isPlain: Bool { thousandsSeparator == nil && currencySigns.isEmpty }

    /// The text with its currency sign (money only) and thousands separators taken out. A
    /// separator that does not stand between groups of three digits is left in, so that the
    /// parse refuses the value (`1.20` with `.` between thousands is not 120).
    public func plain(_ text: String, isMoney: Bool) -> String {
        var rest = Substring(text).trimmingSpaces()
        var sign = ""
        if isMoney, !currencySigns.isEmpty {
            if rest.first == "-" || rest.first == "+" { sign = String(rest.removeFirst()) }
            for currency in currencySigns.sorted(by: { $0.count > $1.count }) {
                if rest.hasPrefix(currency) { rest = rest.dropFirst(currency.count).trimmingSpaces(); break }
                if rest.hasSuffix(currency) { rest = rest.dropLast(currency.count).trimmingSpaces(); break }
            }
            if sign.isEmpty, rest.first == "-" || rest.first == "+" { sign = String(rest.removeFirst()) }
        }
        guard let separator = thousandsSeparator, rest.contains(separator) else { return sign + rest }
        let whole = rest.firstIndex(of: decimalMark).map { rest[..<$0] } ?? rest[...]
        let groups = whole.split(separator: separator, omittingEmptySubsequences: false)
        let digitsOnly = { (group: Substring) in group.allSatisfy { $0.isASCII && $0.isNumber } }
        guard let first = groups.first, (1...3).contains(first.count), digitsOnly(first),
              groups.dropFirst().allSatisfy({ $0.count == 3 && digitsOnly($0) })
        else { return sign + rest }
        return sign + groups.joined() + rest[whole.endIndex...]
    }
}

extension Substring {
    /// Without spaces, tabs and no-break spaces at either end (`25,00 €` puts one before the sign).
    func trimmingSpaces() -> Substring {
        let isSpace = { (c: Character) in c == " " || c == "\t" || c == "\u{00A0}" || c == "\u{202F}" }
        var text = self
        while let first = text.first, isSpace(first) { text.removeFirst() }
        while let last = text.last, isSpace(last) { text.removeLast() }
        return text
    }
}
