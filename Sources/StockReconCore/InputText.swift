/// The text of one input value: a `String`, or bytes the reader lends for the time of one
/// row (`BorrowedText`), so that a million-row file is checked without building a string
/// per field. Checks read the bytes; strings are made only for messages and rare paths.
public protocol InputText {
    /// The text as a string (for diagnostics and the rare paths).
    var string: String { get }
    func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result
    /// A literal as this kind of text (a default value).
    static func literal(_ text: StaticString) -> Self
}

extension InputText {
    /// The text's length in bytes.
    public var byteCount: Int { withBytes { $0.count } }
}

extension String: InputText {
    public var string: String { self }

    public static func literal(_ text: StaticString) -> String { text.description }

    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        var copy = self
        return try copy.withUTF8(body)
    }
}

/// UTF-8 bytes lent by a reader: valid only while the row that holds them is being handled.
public struct BorrowedText: InputText {
    public let bytes: UnsafeBufferPointer<UInt8>

    public init(_ bytes: UnsafeBufferPointer<UInt8>) { self.bytes = bytes }

    /// Text that lives as long as the program (a literal).
    public init(_ literal: StaticString) {
        bytes = UnsafeBufferPointer(start: literal.utf8Start, count: literal.utf8CodeUnitCount)
    }

    public var string: String { String(decoding: bytes, as: UTF8.self) }

    public static func literal(_ text: StaticString) -> BorrowedText { BorrowedText(text) }

    public func withBytes<Result>(_ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try body(bytes)
    }
}

