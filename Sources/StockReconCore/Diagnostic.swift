/// A value in a diagnostic's context: the limit, the expected values...
public enum ContextValue: Sendable, Hashable {
    case text(String)
    case integer(Int64)
    case list([String])
}

/// One problem with one input row (or a whole file), with the five parts of a 422
/// validation error: `loc`, `msg`, `type`, `input` and `ctx`.
public struct Diagnostic: Sendable, Hashable, CustomStringConvertible {
    public var location: SourceLocation
    public var type: RejectionType
    public var message: String
    public var input: String?
    public var context: [String: ContextValue]

    public init(
        _ type: RejectionType, at location: SourceLocation, _ message: String,
        input: String? = nil, context: [String: ContextValue] = [:]
    ) {
        self.type = type
        self.location = location
        self.message = message
        self.input = input
        self.context = context
    }

    /// `file:line: error: message [type] (input: "x")`, like a compiler.
    public var description: String {
        var text = "\(location.file)"
        if let line = location.line { text += ":\(line)" }
        text += ": error: "
        if let field = location.field { text += "\(field): " }
        text += "\(message) [\(type.rawValue)]"
        if let input { text += " (input: \(JSONText.quote(input)))" }
        return text
    }

    /// The context as a JSON object with sorted keys, as stored in `rejections.ctx`.
    public var contextJSON: String {
        let members = context.keys.sorted().map { key -> String in
            let value: String
            switch context[key] {
            case .text(let text): value = JSONText.quote(text)
            case .integer(let number): value = String(number)
            case .list(let items): value = "[" + items.map(JSONText.quote).joined(separator: ",") + "]"
            case nil: value = "null"
            }
            return JSONText.quote(key) + ":" + value
        }
        return "{" + members.joined(separator: ",") + "}"
    }
}

/// Minimal JSON string escaping, for output that must not depend on Foundation's encoder.
public enum JSONText {
    public static func quote(_ text: String) -> String {
        // Most text needs no escaping: one pass over the bytes decides.
        if !text.utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") }) {
            return "\"" + text + "\""
        }
        var out = "\""
        out.reserveCapacity(text.utf8.count + 2)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let s where s.value < 0x20:
                let hex = String(s.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}

extension Diagnostic {
    /// A NUL byte in a text that would be stored: PostgreSQL's text cannot hold one, and
    /// SQLite's reads of text end at it (`a\0b` reads back as `a`), so on both backends a row
    /// with one is refused, at each such field.
    public static func nulBytes(in fields: [(column: String, text: String?)], at: (String) -> SourceLocation) -> [Diagnostic] {
        fields.compactMap { column, text in
            guard let text, text.holdsNulByte else { return nil }
            return Diagnostic(.invalidText, at: at(column), nulByteMessage)
        }
    }

    /// A field longer than `limit` bytes, at its column: its first bytes are the input shown.
    public static func oversized(column: String, text: some InputText, limit: Int, at location: SourceLocation) -> Diagnostic {
        tooLong(text, limit: limit, at: location) {
            "the field is \($0) bytes, longer than the limit of \(limit): shorten it, or raise `max_field_bytes:` in a mapping file"
        }
    }

    /// `text` longer than `limit` bytes: `message` given its length, its first 64 bytes shown.
    private static func tooLong(_ text: some InputText, limit: Int, at location: SourceLocation, _ message: (Int) -> String) -> Diagnostic {
        let count = text.byteCount
        let shown = text.withBytes { String(decoding: UnsafeBufferPointer(rebasing: $0.prefix(64)), as: UTF8.self) }
        return Diagnostic(.invalidText, at: location, message(count), input: shown + "… (\(count) bytes)", context: ["le": .integer(Int64(limit))])
    }

    /// The longest identifier (a natural key, a catalog id, sku or barcode, a purchase order's
    /// number), in bytes: PostgreSQL's indexes hold an entry of at most 2,704 bytes, and the
    /// same file must end alike on either backend.
    public static let identifierLimit = 1024

    /// What a tenant id longer than `identifierLimit` is told, nil for one within it.
    public static func tenantTooLong(_ tenantID: String) -> String? {
        let count = tenantID.utf8.count
        guard count > identifierLimit else { return nil }
        return "the tenant is \(count) bytes, longer than the \(identifierLimit) an id may be: give a shorter tenant id"
    }

    /// An identifier longer than `identifierLimit`, at its column.
    public static func oversizedIdentifier(column: String, text: some InputText, at location: SourceLocation) -> Diagnostic {
        tooLong(text, limit: identifierLimit, at: location) {
            "\(column) is \($0) bytes, longer than the \(identifierLimit) an id may be: give a shorter id (an id names a row, a variant or an order; it need not describe it)"
        }
    }

    /// What a number cell holding a formula without its saved value (`=B3+1`) is told, nil
    /// for any other text: a script wrote the workbook, and no spreadsheet computed it.
    public static func unsavedFormula(_ text: String) -> String? {
        guard text.hasPrefix("="), text.count > 1 else { return nil }
        return "the cell holds the formula \(text) without its value (no spreadsheet program computed it): "
            + "open the workbook in one, save it, and use it again"
    }

    public static let nulByteMessage = "the text holds a NUL byte (0x00), which is not stored: remove it from the file"
}
