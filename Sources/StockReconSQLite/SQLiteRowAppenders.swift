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
        single = try FastStatement(db, sql: insert + valuesList(columns: width, rows: 1))
        multiple = try FastStatement(db, sql: insert + valuesList(columns: width, rows: Self.rowsPerInsert))
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

/// `VALUES` for `rows` rows of `columns` parameters each: `(?, ?), (?, ?)`.
func valuesList(columns: Int, rows: Int) -> String {
    Array(repeating: "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")", count: rows).joined(separator: ", ")
}

/// Rows held and inserted `rowsPerInsert` a statement (less work a row than a statement a
/// row), fewer a statement each. What every row shares is bound once in each of a statement's
/// row slots (bindings outlive resets); `bind` binds what is a row's own, at a slot's offset.
struct GroupedInsert<Row> {
    private let rowsPerInsert: Int
    typealias Bind = (inout FastStatement, Row, _ offset: Int32) -> Void
    private var single: FastStatement
    private var multiple: FastStatement
    private let width: Int32
    private var held: [Row] = []

    /// `insert` up to `VALUES`; `shared` binds what every row shares at a slot's offset.
    init(
        _ db: SQLiteConnection, _ insert: String, columns: Int, rowsPerInsert: Int = 32,
        shared: (inout FastStatement, _ offset: Int32) -> Void
    ) throws {
        self.rowsPerInsert = rowsPerInsert
        width = Int32(columns)
        func prepared(rows: Int) throws -> FastStatement {
            var statement = try FastStatement(db, sql: insert + " VALUES " + valuesList(columns: columns, rows: rows))
            statement.reset()
            for slot in 0..<Int32(rows) { shared(&statement, slot * Int32(columns)) }
            return statement
        }
        single = try prepared(rows: 1)
        multiple = try prepared(rows: rowsPerInsert)
        held.reserveCapacity(rowsPerInsert)
    }

    /// Holds `row`, inserting the held rows once they fill a statement.
    mutating func append(_ row: Row, _ bind: Bind) throws {
        if hold(row) { try insertHeld(bind) }
    }

    /// Holds `row`; true once the rows held fill a statement, for `insertHeld`.
    mutating func hold(_ row: Row) -> Bool {
        held.append(row)
        return held.count == rowsPerInsert
    }

    /// Inserts the rows held: a full statement's by one, fewer one a row.
    mutating func insertHeld(_ bind: Bind) throws {
        defer { held.removeAll(keepingCapacity: true) }
        if held.count == rowsPerInsert {
            multiple.reset()
            for (slot, row) in held.enumerated() { bind(&multiple, row, Int32(slot) * width) }
            try multiple.step()
            return
        }
        for row in held {
            single.reset()
            bind(&single, row, 0)
            try single.step()
        }
    }
}

/// A count sheet's lines, with the count, sheet and user bound once.
final class SQLiteCountLines: CountLineAppending {
    private var lines: GroupedInsert<CountedLine>

    init(_ db: SQLiteConnection, count: Int64, sheet: Int64, user: Int64) throws {
        let columns = BulkSQL.countLineColumns
        lines = try GroupedInsert(db, "INSERT INTO count_lines (\(columns.joined(separator: ", ")))", columns: columns.count) { statement, offset in
            statement.bind(count, at: offset + 1)
            statement.bind(sheet, at: offset + 2)
            statement.bind(user, at: offset + 10)
        }
    }

    func append(_ line: CountedLine) throws { try lines.append(line) { $0.bind($1, offset: $2) } }

    func finish() throws { try lines.insertHeld { $0.bind($1, offset: $2) } }
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

/// A file's held rows, with what the file's rows share bound once and their texts bound where
/// they lie in the batch's arena (no row of values built).
final class SQLiteApprovals: ApprovalAppending {
    private var rows: GroupedInsert<HeldRow>

    init(_ db: SQLiteConnection, file: HeldFile) throws {
        let columns = BulkSQL.approvalColumns
        let shared = file.values
        // OR FAIL, and no foreign key since v27: SQLite keeps no statement journal for a
        // statement of many rows that cannot stop half-way.
        rows = try GroupedInsert(
            db, "INSERT OR FAIL INTO approval_requests (\(columns.joined(separator: ", ")))", columns: columns.count, rowsPerInsert: 128
        ) {
            statement, offset in
            for (column, value) in shared.enumerated() { statement.bind(value, at: offset + Int32(column) + 1) }
        }
    }

    /// The binding closure is made for a full statement only: made a row, it copied the batch
    /// (a retain and a release of each of its arrays) a row.
    func append(_ row: HeldRow, of batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        if rows.hold(row) { try endBatch(batch, arena: arena) }
    }

    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        try rows.insertHeld { $0.bind($1, of: batch, arena: arena, offset: $2) }
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
