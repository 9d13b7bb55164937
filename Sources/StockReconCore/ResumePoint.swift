/// Where reading a file may skip to when it begins with the same bytes as a file read before
/// (a nightly re-export with rows appended). Reading the first record's bytes puts the reader
/// in the state it is in after the last one; the bytes between hold `rows - firstRows`
/// rows, which are the earlier file's and need not be parsed again. In a CSV file the first
/// record is the header, read however long it is: `firstEnd` and `firstRows` are 0.
public struct ResumePoint: Sendable, Equatable {
    /// The offset after the first record, and the rows it held.
    public var firstEnd: Int
    public var firstRows: Int
    /// The offset after the last record, and the rows up to it.
    public var end: Int
    public var rows: Int
    /// The line the bytes after `end` start on, for readers that count lines (CSV); JSON
    /// rows are numbered by their position.
    public var nextLine: Int

    public init(firstEnd: Int, firstRows: Int, end: Int, rows: Int, nextLine: Int) {
        self.firstEnd = firstEnd
        self.firstRows = firstRows
        self.end = end
        self.rows = rows
        self.nextLine = nextLine
    }

    /// The rows a reader resuming here does not read.
    public var skippedRows: Int { rows - firstRows }
}
