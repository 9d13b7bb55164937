import StockReconCore
import StockReconStore

/// Rows for one table, `rowsPerInsert` a statement (less work a row than a statement a row).
final class SQLiteRowAppender: RowAppending {
    static let rowsPerInsert = 32
    private var single: FastStatement
    private var multiple: FastStatement
    private let width: Int
    /// Rows not yet inserted, `width` values each.
    private var held: [SQLValue] = []

    init(_ db: SQLiteConnection, table: String, columns: [String]) throws {
        width = columns.count
        let insert = "INSERT INTO \(table) (\(columns.joined(separator: ", "))) VALUES "
        let values = "(" + Array(repeating: "?", count: width).joined(separator: ", ") + ")"
        single = try FastStatement(db, sql: insert + values)
        multiple = try FastStatement(db, sql: insert + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "))
        held.reserveCapacity(width * Self.rowsPerInsert)
    }

    func append(values row: [SQLValue]) throws {
        held += row
        if held.count == width * Self.rowsPerInsert { try insertHeld() }
    }

    func finish() throws { try insertHeld() }

    /// Inserts the held rows: a full batch by one statement, fewer one a row.
    private func insertHeld() throws {
        defer { held.removeAll(keepingCapacity: true) }
        guard !held.isEmpty else { return }
        if held.count == width * Self.rowsPerInsert {
            multiple.reset()
            for (offset, value) in held.enumerated() { multiple.bind(value, at: Int32(offset + 1)) }
            try multiple.step()
            return
        }
        for start in stride(from: 0, to: held.count, by: width) {
            single.reset()
            for offset in 0..<width { single.bind(held[start + offset], at: Int32(offset + 1)) }
            try single.step()
        }
    }
}

/// A count sheet's lines, `rowsPerInsert` a statement, with the count, sheet and user bound
/// once (bindings outlive resets).
final class SQLiteCountLines: CountLineAppending {
    static let rowsPerInsert = 32
    private static let width = Int32(BulkSQL.countLineColumns.count)
    private var single: FastStatement
    private var multiple: FastStatement
    private var held: [CountedLine] = []

    init(_ db: SQLiteConnection, count: Int64, sheet: Int64, user: Int64) throws {
        let columns = BulkSQL.countLineColumns
        let values = "(" + Array(repeating: "?", count: columns.count).joined(separator: ", ") + ")"
        let insert = "INSERT INTO count_lines (\(columns.joined(separator: ", "))) VALUES "
        func prepared(_ sql: String, slots: Int) throws -> FastStatement {
            var statement = try FastStatement(db, sql: sql)
            statement.reset()
            for slot in 0..<Int32(slots) {
                statement.bind(count, at: slot * Self.width + 1)
                statement.bind(sheet, at: slot * Self.width + 2)
                statement.bind(user, at: slot * Self.width + 10)
            }
            return statement
        }
        single = try prepared(insert + values, slots: 1)
        multiple = try prepared(insert + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "), slots: Self.rowsPerInsert)
        held.reserveCapacity(Self.rowsPerInsert)
    }

    func append(_ line: CountedLine) throws {
        held.append(line)
        if held.count == Self.rowsPerInsert { try insertHeld() }
    }

    func finish() throws { try insertHeld() }

    private func insertHeld() throws {
        defer { held.removeAll(keepingCapacity: true) }
        if held.count == Self.rowsPerInsert {
            multiple.reset()
            for (slot, line) in held.enumerated() { multiple.bind(line, offset: Int32(slot) * Self.width) }
            try multiple.step()
            return
        }
        for line in held {
            single.reset()
            single.bind(line, offset: 0)
            try single.step()
        }
    }
}

extension FastStatement {
    /// Binds what is a line's own; the count, sheet and user stay bound.
    fileprivate mutating func bind(_ line: CountedLine, offset: Int32) {
        bind(Int64(line.line), at: offset + 3)
        bind(line.variant, at: offset + 4)
        bind(line.location, at: offset + 5)
        bind(text: line.batch, at: offset + 6)
        bind(line.counted, at: offset + 7)
        bind(text: line.reason, at: offset + 8)
        bind(text: line.notes, at: offset + 9)
    }
}

/// A file's held rows, `rowsPerInsert` a statement, with what the file's rows share bound
/// once and their texts bound where they lie in the batch's arena (no row of values built).
final class SQLiteApprovals: ApprovalAppending {
    static let rowsPerInsert = 32
    private static let width = Int32(BulkSQL.approvalColumns.count)
    private var single: FastStatement
    private var multiple: FastStatement
    private var held: [HeldRow] = []

    init(_ db: SQLiteConnection, file: HeldFile) throws {
        let values = "(" + Array(repeating: "?", count: Int(Self.width)).joined(separator: ", ") + ")"
        let insert = "INSERT INTO approval_requests (\(BulkSQL.approvalColumns.joined(separator: ", "))) VALUES "
        func prepared(_ sql: String, slots: Int) throws -> FastStatement {
            var statement = try FastStatement(db, sql: sql)
            statement.reset()
            for slot in 0..<Int32(slots) {
                for (offset, value) in file.values.enumerated() { statement.bind(value, at: slot * Self.width + Int32(offset) + 1) }
            }
            return statement
        }
        single = try prepared(insert + values, slots: 1)
        multiple = try prepared(insert + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "), slots: Self.rowsPerInsert)
        held.reserveCapacity(Self.rowsPerInsert)
    }

    func append(_ row: HeldRow, of batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        held.append(row)
        if held.count == Self.rowsPerInsert { try endBatch(batch, arena: arena) }
    }

    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        defer { held.removeAll(keepingCapacity: true) }
        if held.count == Self.rowsPerInsert {
            multiple.reset()
            for (slot, row) in held.enumerated() { multiple.bind(row, of: batch, arena: arena, offset: Int32(slot) * Self.width) }
            try multiple.step()
            return
        }
        for row in held {
            single.reset()
            single.bind(row, of: batch, arena: arena, offset: 0)
            try single.step()
        }
    }

    /// The batch's rows were written by its `endBatch`.
    func finish() throws {}
}

extension FastStatement {
    /// Binds what is a held row's own, after the file's columns; the file's stay bound.
    fileprivate mutating func bind(_ held: HeldRow, of batch: PostingBatch, arena: UnsafePointer<UInt8>?, offset: Int32) {
        let base = offset + Int32(BulkSQL.approvalFileColumns.count)
        let row = held.row
        bind(batch.variants[row], at: base + 1)
        bind(batch.locations[row], at: base + 2)
        bind(held.delta, at: base + 3)
        bind(held.costImpactMinor, at: base + 4)
        bind(batch.unitCosts[row], at: base + 5)
        bind(Int64(batch.lines[row]), at: base + 6)
        bind(Int64(batch.records[row]), at: base + 7)
        bind(held.setOnHand, at: base + 8)
        bindTexts(of: batch, row: row, arena: arena, from: base + Int32(BulkSQL.approvalRowColumns.count) + 1)
    }
}
