import StockReconCore

/// Writes a count sheet's lines as they are read, in the caller's transaction: a sheet of a
/// million lines is never held. On SQLite `rowsPerInsert` lines a statement with the count,
/// sheet and user bound once; on PostgreSQL one COPY. `finish` records the sheet's rows.
public struct CountLineWriter {
    public let sheet: Int64
    private let db: any SQLConnection
    private let count: Int64
    private let user: Int64
    private var copy: RowInserter?
    private var single: FastStatement?
    private var multiple: FastStatement?
    private var held: [CountedLine] = []
    static let rowsPerInsert = 32
    private static let columns = ["count", "sheet", "source_line", "variant", "location", "batch", "counted", "reason", "notes", #""user""#]
    private static let width = Int32(columns.count)

    init(_ db: any SQLConnection, count: Int64, sheet: Int64, user: Int64) throws {
        self.db = db
        self.count = count
        self.sheet = sheet
        self.user = user
        guard db.dialect == .sqlite else {
            copy = try RowInserter(db, table: "count_lines", columns: Self.columns)
            return
        }
        let values = "(" + Array(repeating: "?", count: Self.columns.count).joined(separator: ", ") + ")"
        let insert = "INSERT INTO count_lines (\(Self.columns.joined(separator: ", "))) VALUES "
        single = try Self.prepared(db, sql: insert + values, slots: 1, count: count, sheet: sheet, user: user)
        multiple = try Self.prepared(
            db, sql: insert + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "), slots: Self.rowsPerInsert,
            count: count, sheet: sheet, user: user)
        held.reserveCapacity(Self.rowsPerInsert)
    }

    /// A statement with what every line shares bound once: bindings outlive resets.
    private static func prepared(_ db: any SQLConnection, sql: String, slots: Int, count: Int64, sheet: Int64, user: Int64) throws -> FastStatement {
        var statement = try FastStatement(db, sql: sql)
        statement.reset()
        for slot in 0..<Int32(slots) {
            statement.bind(count, at: slot * width + 1)
            statement.bind(sheet, at: slot * width + 2)
            statement.bind(user, at: slot * width + 10)
        }
        return statement
    }

    public mutating func append(_ line: CountedLine) throws {
        if copy != nil {
            try copy?.append(values: [
                .integer(count), .integer(sheet), .integer(Int64(line.line)), .integer(line.variant), .integer(line.location),
                .text(line.batch), .integer(line.counted), line.reason.map(SQLValue.text) ?? .null,
                line.notes.map(SQLValue.text) ?? .null, .integer(user),
            ])
            return
        }
        held.append(line)
        if held.count == Self.rowsPerInsert { try insertHeld() }
    }

    public mutating func finish(rows: Int) throws {
        try insertHeld()
        try copy?.finish()
        try db.execute(sql: "UPDATE count_sheets SET rows = ? WHERE id = ?", arguments: [rows, sheet])
        try db.refreshStatistics(of: "count_lines")
    }

    private mutating func insertHeld() throws {
        defer { held.removeAll(keepingCapacity: true) }
        if held.count == Self.rowsPerInsert {
            multiple?.reset()
            for (slot, line) in held.enumerated() { multiple?.bind(line, offset: Int32(slot) * Self.width) }
            try multiple?.step()
            return
        }
        for line in held {
            single?.reset()
            single?.bind(line, offset: 0)
            try single?.step()
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
