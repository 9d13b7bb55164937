import StockReconCore
import StockReconPostgres

/// Appends movements of one posting to a PostgreSQL ledger. Rows are written as COPY text
/// into a buffer; at `bytesPerCopy`, and at `finish`, the buffered rows take a block of
/// consecutive ids from the ledger's sequence and are streamed into
/// an open `COPY ledger … FROM STDIN`, which the next statement of the file's transaction
/// ends. Their ids go to `variant_movements`, as on SQLite.
struct LedgerCopier {
    static let bytesPerCopy = 4 << 20
    /// The columns of SQLite's appender, in its order, after the id taken here.
    private static let sql = "COPY ledger (id, \(LedgerAppender.columns)) FROM STDIN"
    private let connection: PostgresStoreConnection
    private let posting: [UInt8]
    /// Rows held, each from its posting column on, ending in a newline.
    private var rows: [UInt8] = []
    private var ends: [Int] = []
    private var variants: [Int64] = []
    private var runs: VariantMovements.Runs

    init(_ db: any SQLConnection, posting: Int64) throws {
        connection = try db.server()
        self.posting = Array(String(posting).utf8)
        rows.reserveCapacity(Self.bytesPerCopy + 4096)
        runs = VariantMovements.Runs(db)
    }

    mutating func append(
        _ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64
    ) throws {
        rows += posting
        for value in [batch.variants[row], batch.locations[row], kind.code, delta, before] {
            rows.append(UInt8(ascii: "\t"))
            CopyText.append(value, to: &rows)
        }
        rows.append(UInt8(ascii: "\t"))
        if let cost = batch.unitCosts[row] { CopyText.append(cost, to: &rows) } else { CopyText.appendNull(to: &rows) }
        rows.append(UInt8(ascii: "\t"))
        CopyText.append(Int64(batch.lines[row]), to: &rows)
        rows.append(UInt8(ascii: "\t"))
        CopyText.append(Int64(batch.records[row]), to: &rows)
        for column in 0..<PostingBatch.TextColumn.count {
            rows.append(UInt8(ascii: "\t"))
            let range = batch.text(at: column, of: row)
            if range.count < 0 {
                CopyText.appendNull(to: &rows)
            } else {
                CopyText.appendEscaped(UnsafeBufferPointer(start: arena.map { $0 + Int(range.start) }, count: Int(range.count)), to: &rows)
            }
        }
        rows.append(UInt8(ascii: "\n"))
        ends.append(rows.count)
        variants.append(batch.variants[row])
        if rows.count >= Self.bytesPerCopy { try flush() }
    }

    /// Gives the held rows their ids and streams them into the open COPY (opening it if
    /// another statement ended it).
    mutating func flush() throws {
        guard !variants.isEmpty else { return }
        let first = try Store.takeLedgerIDs(variants.count, in: connection) ?? 0
        let ids = first..<first + Int64(variants.count)
        var text: [UInt8] = []
        text.reserveCapacity(rows.count + ids.count * 12)
        var start = 0
        for (index, id) in ids.enumerated() {
            CopyText.append(id, to: &text)
            text.append(UInt8(ascii: "\t"))
            text += rows[start..<ends[index]]
            start = ends[index]
            try runs.add(variant: variants[index], id: id)
        }
        try connection.streamCopy(Self.sql, text)
        rows.removeAll(keepingCapacity: true)
        ends.removeAll(keepingCapacity: true)
        variants.removeAll(keepingCapacity: true)
    }

    /// Sends the rest, ends the COPY and writes the variants' runs; before the file's
    /// transaction commits.
    mutating func finish() throws {
        try flush()
        try connection.endCopy()
        try runs.flush()
    }
}

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
enum CopyText {
    /// Decimal digits, written backwards in place and turned around.
    static func append(_ value: Int64, to buffer: inout [UInt8]) {
        if value < 0 { buffer.append(UInt8(ascii: "-")) }
        let start = buffer.count
        var magnitude = value.magnitude
        repeat {
            buffer.append(UInt8(ascii: "0") + UInt8(magnitude % 10))
            magnitude /= 10
        } while magnitude > 0
        buffer[start...].reverse()
    }

    static func appendNull(to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(UInt8(ascii: "N"))
    }

    /// The bytes as COPY text: a backslash, tab, newline or carriage return escaped.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        for byte in bytes {
            switch byte {
            case UInt8(ascii: "\\"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "\\"))
            case UInt8(ascii: "\t"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "t"))
            case UInt8(ascii: "\n"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "n"))
            case UInt8(ascii: "\r"): buffer.append(UInt8(ascii: "\\")); buffer.append(UInt8(ascii: "r"))
            default: buffer.append(byte)
            }
        }
    }
}
