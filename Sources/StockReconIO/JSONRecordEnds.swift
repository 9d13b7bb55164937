import StockReconCore

/// A JSON reader's state between two records, as far as it decides what follows: two
/// record ends with equal states read the bytes after them alike.
struct JSONResumeState: Equatable {
    /// The open containers, one bit a level (set: an object).
    var depth: Int
    var objectLevels: UInt64
    /// What the sink adds: where its rows lie (a vector only to be cheap to compare).
    var sinkState: SIMD4<Int>
}

/// Finds a file's first and last record ends as a reader emits rows, for its `ResumePoint`.
struct RecordEnds {
    private var first: (offset: Int, rows: Int, state: JSONResumeState?)?
    private var last: (offset: Int, rows: Int, state: JSONResumeState?)?
    private(set) var rows = 0

    /// A record ending at `offset` emitted rows up to `rows` (more than `self.rows`).
    mutating func recordEnded(at offset: Int, rows: Int, state: JSONResumeState?) {
        self.rows = rows
        let end = (offset, rows, state)
        if first == nil { first = end }
        last = end
    }

    /// Where the last record so far ended.
    var lastEnd: Int? { last?.offset }

    /// Rows a resumed reader skipped: they count as read.
    mutating func skipped(_ count: Int) { rows += count }

    /// Where a later file with this one's bytes up to its last record may resume, if the
    /// first and last record ends leave the reader in one state.
    var resumePoint: ResumePoint? {
        guard let first, let last, let state = first.state, state == last.state else { return nil }
        return ResumePoint(firstEnd: first.offset, firstRows: first.rows, end: last.offset, rows: last.rows, nextLine: last.rows + 1)
    }
}
