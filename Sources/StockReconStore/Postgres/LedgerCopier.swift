import StockReconCore
import StockReconPostgres

/// Appends movements of one posting to a PostgreSQL ledger: rows are written as COPY text
/// into a buffer and sent by `COPY ledger … FROM STDIN` whenever it holds `bytesPerCopy`,
/// and at `finish`, all in the file's transaction. The ids come from the ledger's identity
/// column; nothing of a file needs them while it posts.
struct LedgerCopier {
    static let bytesPerCopy = 4 << 20
    private static let sql = """
        COPY ledger (posting, variant, location, kind, quantity_delta, quantity_before, unit_cost_minor, source_line,
            record, reference_id, notes, reason_code, reason_description, adjustment_type, occurred_at, idempotency_key)
        FROM STDIN
        """
    private let connection: PostgresConnection
    private let posting: [UInt8]
    private var buffer: [UInt8] = []

    init(_ db: any SQLConnection, posting: Int64) throws {
        guard let server = db as? PostgresStoreConnection else {
            throw SQLDecodingError(message: "a PostgreSQL-only path was given a \(db.dialect) connection")
        }
        connection = server.connection
        self.posting = Array(String(posting).utf8)
        buffer.reserveCapacity(Self.bytesPerCopy + 4096)
    }

    mutating func append(
        _ batch: PostingBatch, row: Int, arena: UnsafePointer<UInt8>?, kind: MovementKind, delta: Int64, before: Int64
    ) throws {
        buffer += posting
        for value in [batch.variants[row], batch.locations[row], kind.code, delta, before] {
            buffer.append(UInt8(ascii: "\t"))
            CopyText.append(value, to: &buffer)
        }
        buffer.append(UInt8(ascii: "\t"))
        if let cost = batch.unitCosts[row] { CopyText.append(cost, to: &buffer) } else { CopyText.appendNull(to: &buffer) }
        buffer.append(UInt8(ascii: "\t"))
        CopyText.append(Int64(batch.lines[row]), to: &buffer)
        buffer.append(UInt8(ascii: "\t"))
        CopyText.append(Int64(batch.records[row]), to: &buffer)
        for column in 0..<PostingBatch.TextColumn.count {
            buffer.append(UInt8(ascii: "\t"))
            let range = batch.text(at: column, of: row)
            if range.count < 0 {
                CopyText.appendNull(to: &buffer)
            } else {
                CopyText.appendEscaped(UnsafeBufferPointer(start: arena.map { $0 + Int(range.start) }, count: Int(range.count)), to: &buffer)
            }
        }
        buffer.append(UInt8(ascii: "\n"))
        if buffer.count >= Self.bytesPerCopy { try flush() }
    }

    /// Sends what is buffered; before the file's transaction commits.
    mutating func flush() throws {
        guard !buffer.isEmpty else { return }
        var chunk: [UInt8]? = buffer
        _ = try connection.copy(Self.sql) {
            defer { chunk = nil }
            return chunk
        }
        buffer.removeAll(keepingCapacity: true)
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
