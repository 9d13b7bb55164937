import StockReconCore

/// The ledger ids and stock dates of one posting's movements (`posting_spans`, v20). A
/// movement's stock date is its `occurred_at`, else when its run was recorded: a balance as
/// of a moment reads only the postings on the smaller side of it.
public struct PostingSpan: Sendable, Hashable {
    public var posting: Int64
    public var firstID: Int64
    public var lastID: Int64
    public var earliest: String
    public var latest: String
    /// The stock date of its movements that have no `occurred_at`.
    public var recordedAt: String

    /// At most this many movements (ids of other postings may lie between).
    var width: Int64 { lastID - firstID + 1 }
}

/// A balance's key.
public struct StockKey: Hashable, Sendable {
    public var variant: Int64
    public var location: Int64

    public init(variant: Int64, location: Int64) {
        self.variant = variant
        self.location = location
    }

    static let locationBits = 20, variantBits = 41

    /// The key in one word, location in its low bits, so that words sort as keys do; nil when
    /// it does not fit (ids are assigned in order: only a database of a trillion variants or a
    /// million locations has one). Three high bits stay clear, for a holder's flags.
    var packed: UInt64? {
        guard variant >= 0, variant < 1 << Self.variantBits, location >= 0, location < 1 << Self.locationBits else { return nil }
        return UInt64(variant) << UInt64(Self.locationBits) | UInt64(location)
    }

    init(packed: UInt64) {
        self.init(variant: Int64(packed >> UInt64(Self.locationBits)), location: Int64(packed & (1 << UInt64(Self.locationBits) - 1)))
    }
}

/// The stock dates a sum takes: after `after` and at or before `through`, nil for no bound.
public struct StockDateRange: Sendable {
    public var after: String?
    public var through: String?

    public init(after: String?, through: String?) {
        self.after = after
        self.through = through
    }

    /// The SQL test of a ledger row's stock date (`occurred_at`, else `?`: its span's recorded
    /// time) against the bounds given, and its arguments: an unbounded side is not tested (a
    /// second test cost PostgreSQL 0.8 s over 10,000,000 rows).
    public var filter: (sql: String, arguments: (_ recordedAt: String) -> [String]) {
        let tests = [after.map { ("COALESCE(occurred_at, ?) > ?", $0) }, through.map { ("COALESCE(occurred_at, ?) <= ?", $0) }].compactMap { $0 }
        return (tests.isEmpty ? "TRUE" : tests.map(\.0).joined(separator: " AND "), { recordedAt in tests.flatMap { [recordedAt, $0.1] } })
    }

    /// Some of the span's movements may lie in the range.
    func overlaps(_ span: PostingSpan) -> Bool {
        (after.map { span.latest > $0 } ?? true) && (through.map { span.earliest <= $0 } ?? true)
    }

    /// Every movement of the span lies in the range: it is read without its dates.
    public func holdsWhole(_ span: PostingSpan) -> Bool {
        (after.map { span.earliest > $0 } ?? true) && (through.map { span.latest <= $0 } ?? true)
    }
}

/// The stock dates some movements span, kept as they are appended (the arrays are reused: a
/// row's date is copied only when it widens the span).
public struct SpanTracker {
    private var earliest: [UInt8] = []
    private var latest: [UInt8] = []
    private var hasDated = false
    /// Some movement has no `occurred_at` of its own: its stock date is when it was recorded.
    private var hasUndated = false

    package init() {}

    /// Notes one movement's stock date, as UTC text; nil for none of its own.
    package mutating func note(_ date: UnsafeBufferPointer<UInt8>?) {
        guard let date else {
            hasUndated = true
            return
        }
        if !hasDated || date.lexicographicallyPrecedes(earliest) {
            earliest.removeAll(keepingCapacity: true)
            earliest.append(contentsOf: date)
        }
        if !hasDated || latest.lexicographicallyPrecedes(date) {
            latest.removeAll(keepingCapacity: true)
            latest.append(contentsOf: date)
        }
        hasDated = true
    }

    package mutating func note(_ date: String?) {
        guard var text = date else { return note(nil as UnsafeBufferPointer<UInt8>?) }
        text.withUTF8 { note($0) }
    }

    /// The earliest and latest stock date noted; nil when nothing was.
    func range(recordedAt: String) -> (earliest: String, latest: String)? {
        var span = self
        if hasUndated { span.note(recordedAt) }
        guard span.hasDated else { return nil }
        return (String(decoding: span.earliest, as: UTF8.self), String(decoding: span.latest, as: UTF8.self))
    }
}

/// The spans of one posting's movements, in ledger order: the dates of the movements noted,
/// then their ids, a span closed every `rowsPerSpan` movements or when the appender says, so
/// that a large file's movements are not one span that every moment falls in. A posting of
/// more than `Store.checkpointEvery` movements is also cut into segments of about as many, at
/// span ends, and the movements after its first cut are summed by segment: a checkpoint after
/// each cut is today's balances less the segments after it, with no second read of the ledger.
/// A segment of more keys than `segmentKeysHeld` is not held: its movements are read back
/// only if a checkpoint falls due, which few such postings have (one over more balances than a
/// quarter of its movements has none).
public struct SpanBook {
    package static let rowsPerSpan = 1 << 16
    /// At most this many sums are held for the cuts (24 bytes each): past it, every other cut
    /// is dropped (its segment joins the one before) and cuts come half as often.
    package static let sumsHeld = 300_000
    /// Past this many keys a segment's sums are dropped (its cut's `after` is nil). Task-local:
    /// tests take smaller ones.
    @TaskLocal package static var segmentKeysHeld = sumsHeld
    private let segmentKeysHeld = SpanBook.segmentKeysHeld
    private(set) var spans: [(ids: ClosedRange<Int64>, dates: SpanTracker)] = []
    private var current = SpanTracker()
    private var ids: ClosedRange<Int64>?
    private var rows = 0
    private var segmentRows = Int(Store.checkpointEvery)
    private var rowsInSegment = 0
    /// The last id before each cut, and the movements from it to the next summed, by key (nil:
    /// too many keys to hold).
    private(set) var cuts: [(lastID: Int64, after: [StockDelta]?)] = []
    /// Movements are summed once the posting was first cut, in one book throughout; nil while
    /// a segment's sums are dropped.
    private var segment: StockSums?

    package init() {}

    /// The stock date of the next movement (nil: none of its own), and what it moves.
    package mutating func note(date: UnsafeBufferPointer<UInt8>?, variant: Int64, location: Int64, delta: Int64) {
        current.note(date)
        sum(variant: variant, location: location, delta)
    }

    package mutating func note(date: String?, variant: Int64, location: Int64, delta: Int64) {
        current.note(date)
        sum(variant: variant, location: location, delta)
    }

    private mutating func sum(variant: Int64, location: Int64, _ delta: Int64) {
        guard segment != nil else { return }
        segment?.add(variant: variant, location: location, delta)
        if let keys = segment?.count, keys > segmentKeysHeld, let last = cuts.indices.last {
            segment = nil
            cuts[last].after = nil
        }
    }

    /// The ids the movements noted took, ascending; closes the span when it is long enough.
    package mutating func noteIDs(_ taken: ClosedRange<Int64>) {
        ids = ids.map { $0.lowerBound...taken.upperBound } ?? taken
        rows += taken.count
        if rows >= Self.rowsPerSpan { close() }
    }

    /// Ends the span at the movements noted so far.
    package mutating func close() {
        guard let ids else { return }
        spans.append((ids, current))
        current = SpanTracker()
        self.ids = nil
        rowsInSegment += rows
        rows = 0
        if rowsInSegment >= segmentRows {
            endSegment()
            cuts.append((ids.upperBound, []))
            if segment == nil { segment = StockSums() }
            rowsInSegment = 0
            if cuts.reduce(0, { $0 + ($1.after?.count ?? 0) }) > Self.sumsHeld { dropEveryOtherCut() }
        }
    }

    /// The sums of the segment since the last cut, added to its own (which, when the cut after
    /// it was dropped, hold that one's segment).
    private mutating func endSegment() {
        guard segment != nil, let last = cuts.indices.last, let sums = segment?.takeSorted() else { return }
        cuts[last].after = cuts[last].after.map { StockDelta.merged($0, sums) }
    }

    /// Joins each odd cut's segment to the one before it (not held if either was not); the
    /// first cut stays, having no sums before it.
    private mutating func dropEveryOtherCut() {
        var kept: [(lastID: Int64, after: [StockDelta]?)] = []
        for (index, cut) in cuts.enumerated() {
            if index % 2 == 0 { kept.append(cut); continue }
            let before = kept[kept.count - 1].after
            kept[kept.count - 1].after = before.flatMap { before in cut.after.map { StockDelta.merged(before, $0) } }
        }
        cuts = kept
        segmentRows *= 2
    }

    /// Ends the last span and segment; a cut with nothing after it is no cut.
    /// Movements noted after (an absorption's) are still summed, in a book of their size.
    package mutating func closeAll() {
        close()
        endSegment()
        if segment != nil { segment = StockSums(capacity: 64) }
        if cuts.last?.after?.isEmpty == true { cuts.removeLast() }
    }
}

/// A sum of movements of one balance.
struct StockDelta {
    var key: StockKey
    var delta: Int64

    /// Two lists sorted by key as one, the sums of a key in both added.
    static func merged(_ first: [StockDelta], _ second: [StockDelta]) -> [StockDelta] {
        // A first segment's sums, or a cut's, taken whole: a copy held both.
        if first.isEmpty { return second }
        if second.isEmpty { return first }
        var result: [StockDelta] = []
        result.reserveCapacity(max(first.count, second.count))
        var (i, j) = (0, 0)
        while i < first.count || j < second.count {
            if j == second.count || (i < first.count && first[i].key < second[j].key) {
                result.append(first[i])
                i += 1
            } else if i == first.count || second[j].key < first[i].key {
                result.append(second[j])
                j += 1
            } else {
                result.append(StockDelta(key: first[i].key, delta: first[i].delta + second[j].delta))
                (i, j) = (i + 1, j + 1)
            }
        }
        return result
    }
}

extension StockKey: Comparable {
    public static func < (lhs: StockKey, rhs: StockKey) -> Bool { (lhs.variant, lhs.location) < (rhs.variant, rhs.location) }
}

extension Store {
    /// Records the spans of a posting's movements (none for a posting that moved no stock).
    static func recordSpans(_ book: SpanBook, posting: Int64, tenant: Int64, recordedAt: String, in db: any SQLConnection) throws {
        var book = book
        book.closeAll()
        guard !book.spans.isEmpty else { return }
        let rows = try RowInserter(db, table: "posting_spans", columns: ["posting", "tenant", "first_id", "last_id", "earliest", "latest", "recorded_at"])
        for (ids, dates) in book.spans {
            guard let (earliest, latest) = dates.range(recordedAt: recordedAt) else { continue }
            try rows.append([posting, tenant, ids.lowerBound, ids.upperBound, earliest, latest, recordedAt])
        }
        try rows.finish()
    }

    /// The tenant's latest stock check and latest stock date, nil where it has none.
    static func latestDates(tenant: Int64, in db: any SQLConnection) throws -> (check: String?, stockDate: String?) {
        let check = try db.fetchValue(String.self, sql: "SELECT max(checked_at) FROM stock_checks WHERE tenant = ?", arguments: [tenant])
        let stockDate = try db.fetchValue(String.self, sql: "SELECT max(latest) FROM posting_spans WHERE tenant = ?", arguments: [tenant])
        return (check, stockDate)
    }

    /// When run `run` was recorded: the stock date of its movements without one of their own.
    static func recordedAt(run: Int64, in db: any SQLConnection) throws -> String {
        guard let started = try db.fetchValue(String.self, sql: "SELECT started_at FROM run_log WHERE id = ?", arguments: [run]) else {
            throw SQLDecodingError(message: "run \(run) is missing from run_log")
        }
        return started
    }

    /// The largest ledger id so far (0 for none): every movement appended after it has a larger one.
    static func lastLedgerID(in db: any SQLConnection) throws -> Int64 {
        try db.fetchValue(Int64.self, sql: "SELECT coalesce(max(id), 0) FROM ledger") ?? 0
    }

    /// A tenant's posting spans, in posting order.
    static func spans(tenant: Int64, in db: any SQLConnection) throws -> [PostingSpan] {
        try db.fetchAll(sql: """
            SELECT posting, first_id, last_id, earliest, latest, recorded_at FROM posting_spans WHERE tenant = ? ORDER BY posting
            """, arguments: [tenant]).map {
            PostingSpan(
                posting: try $0["posting"], firstID: try $0["first_id"], lastID: try $0["last_id"], earliest: try $0["earliest"],
                latest: try $0["latest"], recordedAt: try $0["recorded_at"])
        }
    }
}
