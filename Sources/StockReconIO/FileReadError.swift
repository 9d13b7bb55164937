import StockReconCore

/// A file that cannot be read at all: not CSV or JSON, invalid UTF-8, cut off inside a
/// quoted field, ragged rows, a header without the required columns. Nothing from such a
/// file is posted.
public struct FileReadError: Error, Sendable, CustomStringConvertible {
    public var location: SourceLocation
    public var message: String
    public var input: String?
    public var context: [String: ContextValue]
    /// `unreadable_file`, or `read_differently` for bytes imported before read another way.
    public var type: RejectionType

    public init(
        _ location: SourceLocation, _ message: String, input: String? = nil, type: RejectionType = .unreadableFile,
        context: [String: ContextValue] = [:]
    ) {
        self.location = location
        self.message = message
        self.input = input
        self.type = type
        self.context = context
    }

    public var diagnostic: Diagnostic {
        Diagnostic(type, at: location, message, input: input, context: context)
    }

    public var description: String { diagnostic.description }
}

/// One data row of a CSV or JSON file, its values addressed by column index.
public protocol RowReading {
    /// How the row lends its values: `BorrowedText` for CSV (bytes of the reader's buffer,
    /// valid during the row's callback), `String` for JSON.
    associatedtype Text: InputText
    /// A column's value as written (trimmed), nil when empty or absent.
    func value(_ column: Int) -> Text?
    /// The line the record starts on (CSV), or its position among the file's rows (JSON).
    var line: Int { get }
    /// The data record's number, from 1.
    var record: Int { get }
    /// The trimmed text of a column, or nil when it is empty or absent.
    func text(_ column: Int) -> String?
}
