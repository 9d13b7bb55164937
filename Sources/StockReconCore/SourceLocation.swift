/// Where a value came from: a file, the line its record starts on, and the field.
public struct SourceLocation: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    /// The physical line the record starts on (a CSV header is line 1); for JSON, the
    /// record's position among the file's rows, from 1. Nil for the file as a whole.
    public var line: Int?
    public var field: String?
    /// The column within the line, for configuration files.
    public var column: Int?

    public init(file: String, line: Int? = nil, field: String? = nil, column: Int? = nil) {
        self.file = file
        self.line = line
        self.field = field
        self.column = column
    }

    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let field { text += " [\(field)]" }
        return text
    }
}
