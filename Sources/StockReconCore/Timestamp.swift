/// ISO-8601 timestamps, normalized to UTC text (`2026-11-23T10:15:00Z`).
public enum Timestamp {
    /// Accepts `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]]` with `Z`, `±hh:mm`, `±hhmm` or no
    /// zone (taken as UTC), and a space in place of `T`. Returns nil for anything else.
    public static func normalize(_ text: String) -> String? {
        let bytes = Array(text.utf8)
        var reader = DigitReader(bytes: bytes)
        guard let year = reader.number(4), reader.skip("-"),
              let month = reader.number(2), reader.skip("-"),
              let day = reader.number(2),
              (1...12).contains(month), (1...daysIn(month: month, year: year)).contains(day)
        else { return nil }
        var hour = 0, minute = 0, second = 0, offsetMinutes = 0
        if !reader.isAtEnd {
            guard reader.skip("T") || reader.skip("t") || reader.skip(" "),
                  let h = reader.number(2), reader.skip(":"), let m = reader.number(2),
                  h < 24, m < 60
            else { return nil }
            hour = h
            minute = m
            if reader.skip(":") {
                guard let s = reader.number(2), s < 61 else { return nil }
                second = min(s, 59)
                if reader.skip(".") || reader.skip(",") {
                    guard reader.skipDigits() > 0 else { return nil }
                }
            }
            if reader.skip("Z") || reader.skip("z") {
            } else if let sign = reader.sign() {
                guard let oh = reader.number(2), oh < 24 else { return nil }
                _ = reader.skip(":")
                guard let om = reader.number(2), om < 60 else { return nil }
                offsetMinutes = sign * (oh * 60 + om)
            }
            guard reader.isAtEnd else { return nil }
        }
        var seconds = daysFromCivil(year: year, month: month, day: day) * 86_400
        seconds += hour * 3600 + minute * 60 + second - offsetMinutes * 60
        return format(epochSeconds: seconds)
    }

    /// A moment a person gives (a count's time, a balance's), as `normalize` does; a day alone
    /// means its last second with `dayMeansItsEnd` (the stock that night), else its start.
    public static func moment(_ text: String, dayMeansItsEnd: Bool) -> String? {
        guard let normalized = normalize(text) else { return nil }
        return dayMeansItsEnd && isDay(text) ? String(normalized.prefix(10)) + "T23:59:59Z" : normalized
    }

    /// UTC ISO-8601 text for seconds since 1970-01-01.
    public static func format(epochSeconds: Int) -> String {
        let days = Int((Double(epochSeconds) / 86_400).rounded(.down))
        let secondsOfDay = epochSeconds - days * 86_400
        let (year, month, day) = civilFromDays(days)
        func two(_ value: Int) -> String { value < 10 ? "0\(value)" : "\(value)" }
        let yearText = String(repeating: "0", count: max(0, 4 - String(year).count)) + String(year)
        return "\(yearText)-\(two(month))-\(two(day))T\(two(secondsOfDay / 3600)):"
            + "\(two(secondsOfDay % 3600 / 60)):\(two(secondsOfDay % 60))Z"
    }

    static func isLeap(_ year: Int) -> Bool { (year % 4 == 0 && year % 100 != 0) || year % 400 == 0 }

    /// A real calendar day written YYYY-MM-DD (a report's period).
    public static func isDay(_ text: String) -> Bool {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard text.utf8.count == 10, parts.count == 3, let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
              (1...12).contains(month)
        else { return false }
        return (1...daysIn(month: month, year: year)).contains(day)
    }

    public static func daysIn(month: Int, year: Int) -> Int {
        switch month {
        case 2: return isLeap(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    // Howard Hinnant's days-from-civil algorithms, proleptic Gregorian calendar.
    public static func daysFromCivil(year: Int, month: Int, day: Int) -> Int {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let dayOfYear = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    static func civilFromDays(_ days: Int) -> (Int, Int, Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        return (yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day)
    }
}

private struct DigitReader {
    let bytes: [UInt8]
    var index = 0

    var isAtEnd: Bool { index == bytes.count }

    mutating func number(_ width: Int) -> Int? {
        guard index + width <= bytes.count else { return nil }
        var value = 0
        for offset in 0..<width {
            let byte = bytes[index + offset]
            guard byte >= 0x30, byte <= 0x39 else { return nil }
            value = value * 10 + Int(byte - 0x30)
        }
        index += width
        return value
    }

    mutating func skip(_ character: Unicode.Scalar) -> Bool {
        guard index < bytes.count, bytes[index] == UInt8(character.value) else { return false }
        index += 1
        return true
    }

    mutating func skipDigits() -> Int {
        let start = index
        while index < bytes.count, bytes[index] >= 0x30, bytes[index] <= 0x39 { index += 1 }
        return index - start
    }

    mutating func sign() -> Int? {
        if skip("+") { return 1 }
        if skip("-") { return -1 }
        return nil
    }
}
