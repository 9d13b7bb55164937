/// A strptime-style date format from a mapping file (`%d.%m.%Y %H:%M`), read into UTC
/// ISO-8601 text. Directives: %Y %y %m %d %e %H %M %S %b (month name, English) %z (±hhmm,
/// ±hh:mm or Z) %T (%H:%M:%S) %F (%Y-%m-%d) %%; other characters must match as written.
/// Times without a zone are UTC.
public struct DateFormat: Sendable, Hashable {
    public let pattern: String
    private let parts: [Part]

    private enum Part: Hashable {
        case literal(UInt8)
        case year4, year2, month, day, hour, minute, second, monthName, zone
    }

    public struct PatternError: Error, Sendable, CustomStringConvertible {
        public var directive: String
        public var description: String {
            "unknown directive \(directive) in the date format: use %Y %y %m %d %e %H %M %S %b %z %T %F %%"
        }
    }

    public init(_ pattern: String) throws {
        self.pattern = pattern
        var parts: [Part] = []
        var bytes = Array(pattern.utf8)[...]
        while let byte = bytes.popFirst() {
            guard byte == UInt8(ascii: "%") else {
                parts.append(.literal(byte))
                continue
            }
            guard let directive = bytes.popFirst() else { throw PatternError(directive: "%") }
            switch directive {
            case UInt8(ascii: "Y"): parts.append(.year4)
            case UInt8(ascii: "y"): parts.append(.year2)
            case UInt8(ascii: "m"): parts.append(.month)
            case UInt8(ascii: "d"), UInt8(ascii: "e"): parts.append(.day)
            case UInt8(ascii: "H"): parts.append(.hour)
            case UInt8(ascii: "M"): parts.append(.minute)
            case UInt8(ascii: "S"): parts.append(.second)
            case UInt8(ascii: "b"), UInt8(ascii: "B"): parts.append(.monthName)
            case UInt8(ascii: "z"): parts.append(.zone)
            case UInt8(ascii: "T"): parts += [.hour, .literal(UInt8(ascii: ":")), .minute, .literal(UInt8(ascii: ":")), .second]
            case UInt8(ascii: "F"): parts += [.year4, .literal(UInt8(ascii: "-")), .month, .literal(UInt8(ascii: "-")), .day]
            case UInt8(ascii: "%"): parts.append(.literal(UInt8(ascii: "%")))
            default: throw PatternError(directive: "%" + String(decoding: [directive], as: UTF8.self))
            }
        }
        self.parts = parts
    }

    private static let monthNames = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    /// The time as UTC ISO-8601 text, or nil when `text` does not fit the format.
    public func normalize(_ text: String) -> String? {
        var bytes = Array(text.utf8)[...]
        var year = 1970, month = 1, day = 1, hour = 0, minute = 0, second = 0, offset = 0
        func number(_ maxDigits: Int) -> Int? {
            var value = 0
            var count = 0
            while count < maxDigits, let byte = bytes.first, byte >= 0x30, byte <= 0x39 {
                value = value * 10 + Int(byte - 0x30)
                bytes.removeFirst()
                count += 1
            }
            return count > 0 ? value : nil
        }
        for part in parts {
            switch part {
            case .literal(let byte):
                guard bytes.popFirst() == byte else { return nil }
            case .year4: guard let value = number(4) else { return nil }; year = value
            case .year2: guard let value = number(2) else { return nil }; year = value < 69 ? 2000 + value : 1900 + value
            case .month: guard let value = number(2), (1...12).contains(value) else { return nil }; month = value
            case .day: guard let value = number(2) else { return nil }; day = value
            case .hour: guard let value = number(2), value < 24 else { return nil }; hour = value
            case .minute: guard let value = number(2), value < 60 else { return nil }; minute = value
            case .second: guard let value = number(2), value < 61 else { return nil }; second = min(value, 59)
            case .monthName:
                let prefix = String(decoding: bytes.prefix(3), as: UTF8.self).lowercased()
                guard let index = Self.monthNames.firstIndex(of: prefix) else { return nil }
                month = index + 1
                bytes.removeFirst(3)
                while let byte = bytes.first, (byte | 0x20) >= UInt8(ascii: "a"), (byte | 0x20) <= UInt8(ascii: "z") { bytes.removeFirst() }
            case .zone:
                if bytes.first == UInt8(ascii: "Z") || bytes.first == UInt8(ascii: "z") {
                    bytes.removeFirst()
                } else {
                    guard let sign = bytes.popFirst(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-"),
                          let hours = number(2) else { return nil }
                    if bytes.first == UInt8(ascii: ":") { bytes.removeFirst() }
                    guard let minutes = number(2), hours < 24, minutes < 60 else { return nil }
                    offset = (sign == UInt8(ascii: "-") ? -1 : 1) * (hours * 60 + minutes)
                }
            }
        }
        guard bytes.isEmpty, (1...Timestamp.daysIn(month: month, year: year)).contains(day) else { return nil }
        let seconds = Timestamp.daysFromCivil(year: year, month: month, day: day) * 86_400
            + hour * 3600 + minute * 60 + second - offset * 60
        return Timestamp.format(epochSeconds: seconds)
    }
}
