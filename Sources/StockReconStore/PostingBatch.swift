#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import StockReconCore

/// Checked rows packed for the posting thread: numbers in arrays and every text in one
/// byte arena, so that posting binds pointers (no reference counting, no copies by SQLite)
/// and the checking thread, which built the texts, is also the one that frees them.
public struct PostingBatch: Sendable {
    public enum Entry: Sendable {
        /// A valid row: its index among the batch's valid rows.
        case valid(Int)
        case invalid(record: Int, [Diagnostic])
        /// Already ended in an earlier run of this very file.
        case settled
        /// Says there is no quantity to take (`Verdict.noChange`).
        case noChange(record: Int)
    }

    /// Where a text lies in the arena; `count` is -1 for nil.
    package struct TextRange {
        package var start: Int32
        package var count: Int32
    }

    package enum TextColumn: Int, CaseIterable {
        case reference, notes, reasonCode, reasonDescription, adjustmentType, occurredAt, naturalKey
        package static let count = 7

        /// The `ledger` column it is stored in.
        package var ledgerName: String {
            switch self {
            case .reference: return "reference_id"
            case .notes: return "notes"
            case .reasonCode: return "reason_code"
            case .reasonDescription: return "reason_description"
            case .adjustmentType: return "adjustment_type"
            case .occurredAt: return "occurred_at"
            case .naturalKey: return "idempotency_key"
            }
        }
    }

    public private(set) var entries: [Entry] = []
    package private(set) var records: [Int] = []
    package private(set) var lines: [Int] = []
    package private(set) var variants: [Int64] = []
    package private(set) var locations: [Int64] = []
    private(set) var changes: [StockChange] = []
    package private(set) var unitCosts: [Int64?] = []
    private(set) var digests: [Int64] = []
    /// The `TextIndex` hash of each row's natural key (0 for none), computed on the checking
    /// thread, which has time to spare, for the posting thread's key lookups.
    private(set) var keyHashes: [UInt64] = []
    /// The rules' adjustment type of each row: 0 for none, else its position in `AdjustmentType.allCases` plus one.
    private(set) var types: [UInt8] = []
    private(set) var texts: [TextRange] = []
    private(set) var arena: [UInt8] = []
    /// The first text of a row that holds a NUL byte, by valid row (rare: a damaged export).
    private(set) var textsWithNUL: [Int: TextColumn] = [:]

    public init(capacity: Int = 0) {
        entries.reserveCapacity(capacity)
        records.reserveCapacity(capacity)
        lines.reserveCapacity(capacity)
        variants.reserveCapacity(capacity)
        locations.reserveCapacity(capacity)
        changes.reserveCapacity(capacity)
        unitCosts.reserveCapacity(capacity)
        digests.reserveCapacity(capacity)
        keyHashes.reserveCapacity(capacity)
        types.reserveCapacity(capacity)
        texts.reserveCapacity(capacity * TextColumn.count)
        arena.reserveCapacity(capacity * 48)
    }

    public var count: Int { entries.count }

    /// Valid row `row`'s line in the file, the column its quantity came from, and its natural
    /// key: where a rejection of it is located (built only then: the key is a new string).
    public func location(of row: Int) -> (line: Int, quantityColumn: String, key: String?) {
        (lines[row], quantityColumn(of: row), string(.naturalKey, of: row))
    }

    /// How many valid rows the batch holds.
    public var validRows: Int { records.count }

    /// The columns a file's quantities come from (a change, a new on-hand), to name in diagnostics.
    public var quantityColumns = (delta: "quantity_delta", set: "quantity_after")

    func quantityColumn(of row: Int) -> String {
        if case .set = changes[row] { return quantityColumns.set }
        return quantityColumns.delta
    }

    /// Appends a valid row, copying its texts into the arena (so that borrowed texts may go).
    /// `keyHash` is its natural key's `TextIndex` hash where the caller has it already.
    @_specialize(exported: true, where Text == BorrowedText)
    @_specialize(exported: true, where Text == String)
    public mutating func append<Text: InputText>(_ adjustment: ValidAdjustment<Text>, keyHash: UInt64? = nil) {
        entries.append(.valid(records.count))
        records.append(adjustment.record)
        lines.append(adjustment.line)
        variants.append(adjustment.variantKey)
        locations.append(adjustment.locationID)
        changes.append(adjustment.change)
        unitCosts.append(adjustment.unitCostMinor)
        digests.append(adjustment.contentDigest)
        keyHashes.append(keyHash ?? adjustment.naturalKey.map { key in key.withBytes(TextIndex.hash) } ?? 0)
        types.append(adjustment.type.flatMap { type in Self.adjustmentTypes.firstIndex(of: type).map { UInt8($0 + 1) } } ?? 0)
        // In TextColumn order.
        appendText(adjustment.reference)
        appendText(adjustment.notes)
        appendText(adjustment.reasonCode)
        appendText(adjustment.reasonDescription)
        appendText(adjustment.adjustmentType)
        appendText(adjustment.occurredAt)
        appendText(adjustment.naturalKey)
    }

    private mutating func appendText(_ text: (some InputText)?) {
        guard let text else {
            texts.append(TextRange(start: 0, count: -1))
            return
        }
        let start = Int32(truncatingIfNeeded: arena.count)
        let hasNUL = text.withBytes { bytes in
            arena.append(contentsOf: bytes)
            return bytes.baseAddress.map { memchr($0, 0, bytes.count) != nil } ?? false
        }
        if hasNUL, let column = TextColumn(rawValue: texts.count % TextColumn.count) {
            let row = texts.count / TextColumn.count
            if textsWithNUL[row] == nil { textsWithNUL[row] = column }
        }
        texts.append(TextRange(start: start, count: Int32(truncatingIfNeeded: arena.count) - start))
    }

    /// The column of the last valid row's first text holding a NUL byte (found as it was
    /// copied), by its ledger name; nil when its texts hold none.
    public var lastRowNULField: String? { textsWithNUL.isEmpty ? nil : textsWithNUL[records.count - 1]?.ledgerName }

    /// Turns the last valid row into an invalid one: it is rejected, never posted.
    public mutating func refuseLastRow(_ diagnostics: [Diagnostic]) {
        guard let last = entries.indices.last, case .valid(let row) = entries[last] else { return }
        entries[last] = .invalid(record: records[row], diagnostics)
    }

    public mutating func appendInvalid(record: Int, _ diagnostics: [Diagnostic]) {
        entries.append(.invalid(record: record, diagnostics))
    }

    public mutating func appendSettled() { entries.append(.settled) }

    public mutating func appendNoChange(record: Int) { entries.append(.noChange(record: record)) }

    func type(of row: Int) -> AdjustmentType? {
        let code = Int(types[row])
        return code == 0 ? nil : Self.adjustmentTypes[code - 1]
    }

    /// `allCases` once: a synthesized `allCases` builds a new array on every call.
    private static let adjustmentTypes = AdjustmentType.allCases

    /// A text of a row as bytes of the arena, nil when the row has none.
    package func borrowed(_ column: TextColumn, of row: Int, arena: UnsafePointer<UInt8>?) -> BorrowedText? {
        let range = text(column, of: row)
        guard range.count >= 0 else { return nil }
        return BorrowedText(UnsafeBufferPointer(start: arena.map { $0 + Int(range.start) }, count: Int(range.count)))
    }

    func text(_ column: TextColumn, of row: Int) -> TextRange {
        texts[row * TextColumn.count + column.rawValue]
    }

    /// A text as a String, for the rare paths (natural keys).
    package func text(at column: Int, of row: Int) -> TextRange {
        texts[row * TextColumn.count + column]
    }

    /// Whether a row's text sorts before `bound`, compared in the arena (false for none).
    func text(_ column: TextColumn, of row: Int, precedes bound: [UInt8]) -> Bool {
        let range = text(column, of: row)
        return range.count >= 0 && arena[Int(range.start)..<Int(range.start + range.count)].lexicographicallyPrecedes(bound)
    }

    func string(_ column: TextColumn, of row: Int) -> String? {
        let range = text(column, of: row)
        guard range.count >= 0 else { return nil }
        return String(decoding: arena[Int(range.start)..<Int(range.start + range.count)], as: UTF8.self)
    }
}
