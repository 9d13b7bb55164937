import GRDB
import GRDBSQLite
import StockReconCore
import StockReconStore

/// A GRDB prepared statement driven through SQLite's C API, for the measured hot paths of
/// an import (appending movements, loading and writing balances), where GRDB's boxed
/// `StatementArguments` cost a third of the time.
struct FastStatement {
    private let statement: Statement
    private let db: Database
    /// Parameters bound to NULL now, a bit each: SQLite keeps bindings across resets, so a
    /// NULL that stays NULL row after row is not bound again.
    private var nullParameters: [UInt64]
    private static let transient = unsafeBitCast(-1, to: sqlite3_destructor_type.self)

    /// The statement's C handle, kept alive by `statement`.
    private let handle: OpaquePointer
    /// The first bind SQLite refused since the last step (a text over its size limit, say):
    /// the step throws it rather than store the parameter as NULL.
    private var refusedBind: (code: Int32, index: Int32)?

    /// Prepares `sql` on an SQLite connection (the only kind this hot path serves).
    init(_ connection: SQLiteConnection, sql: String) throws {
        let db = connection.db
        self.db = db
        statement = try db.cachedStatement(sql: sql)
        handle = statement.sqliteStatement
        nullParameters = Array(repeating: 0, count: Int(sqlite3_bind_parameter_count(handle)) / 64 + 1)
    }

    private mutating func markBound(_ index: Int32) {
        nullParameters[Int(index) >> 6] &= ~(1 << UInt64(index & 63))
    }

    mutating func reset() {
        sqlite3_reset(handle)
        refusedBind = nil
    }

    /// Keeps the first refused bind for `step` to throw.
    private mutating func checked(_ code: Int32, at index: Int32) {
        if code != SQLITE_OK, refusedBind == nil { refusedBind = (code, index) }
    }

    /// Binds an integer and clears the parameter's NULL bit.
    mutating func bind(_ value: Int64, at index: Int32) {
        markBound(index)
        checked(sqlite3_bind_int64(handle, index, value), at: index)
    }

    mutating func bind(_ value: Int64?, at index: Int32) {
        guard let value else { return bindNull(at: index) }
        markBound(index)
        checked(sqlite3_bind_int64(handle, index, value), at: index)
    }

    /// Binds text that stays valid until the statement steps (SQLite does not copy it).
    mutating func bindStatic(_ bytes: UnsafePointer<UInt8>?, count: Int32, at index: Int32) {
        bindText(bytes, count: Int(count), destructor: nil, at: index)
    }

    mutating func bindStatic(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        bindText(bytes.baseAddress, count: bytes.count, destructor: nil, at: index)
    }

    /// Binds text that SQLite copies at once.
    mutating func bindTransient(_ bytes: UnsafeBufferPointer<UInt8>, at index: Int32) {
        bindText(bytes.baseAddress, count: bytes.count, destructor: FastStatement.transient, at: index)
    }

    /// Binds `count` bytes of text at `bytes`, copied by SQLite or not as `destructor` says.
    private mutating func bindText(_ bytes: UnsafePointer<UInt8>?, count: Int, destructor: sqlite3_destructor_type?, at index: Int32) {
        markBound(index)
        guard count > 0, let bytes else {
            checked(sqlite3_bind_text(handle, index, "", 0, FastStatement.transient), at: index)
            return
        }
        // Past Int32, SQLite's length would wrap: refuse it as SQLite refuses a text too big.
        guard let length = Int32(exactly: count) else { return checked(SQLITE_TOOBIG, at: index) }
        checked(sqlite3_bind_text(handle, index, UnsafeRawPointer(bytes).assumingMemoryBound(to: CChar.self), length, destructor), at: index)
    }

    /// Binds text that SQLite copies at once, or NULL.
    mutating func bind(text: String?, at index: Int32) {
        guard var text else { return bindNull(at: index) }
        text.withUTF8 { bindTransient($0, at: index) }
    }

    /// Binds any value, text and blobs copied by SQLite.
    mutating func bind(_ value: SQLValue, at index: Int32) {
        switch value {
        case .null: bindNull(at: index)
        case .integer(let integer): bind(integer, at: index)
        case .text(let text): bind(text: text, at: index)
        case .blob(let bytes):
            markBound(index)
            guard let count = Int32(exactly: bytes.count) else { return checked(SQLITE_TOOBIG, at: index) }
            checked(bytes.withUnsafeBytes { sqlite3_bind_blob(handle, index, $0.baseAddress ?? UnsafeRawPointer(bitPattern: 1), count, FastStatement.transient) }, at: index)
        }
    }

    /// The rowid of the connection's last insert.
    var lastInsertedRowID: Int64 { sqlite3_last_insert_rowid(db.sqliteConnection) }

    mutating func bindNull(at index: Int32) {
        let word = Int(index) >> 6
        let bit: UInt64 = 1 << UInt64(index & 63)
        if nullParameters[word] & bit == 0 {
            nullParameters[word] |= bit
            checked(sqlite3_bind_null(handle, index), at: index)
        }
    }

    /// Steps once: true when a row is available, false when done.
    @discardableResult
    func step() throws -> Bool {
        if let refused = refusedBind {
            sqlite3_reset(handle)
            throw DatabaseError(
                resultCode: ResultCode(rawValue: refused.code),
                message: "parameter \(refused.index) could not be bound: \(String(cString: sqlite3_errstr(refused.code)))", sql: statement.sql)
        }
        let code = sqlite3_step(handle)
        switch code {
        case SQLITE_ROW: return true
        case SQLITE_DONE: return false
        default:
            let message = String(cString: sqlite3_errmsg(db.sqliteConnection))
            sqlite3_reset(handle)
            throw DatabaseError(resultCode: ResultCode(rawValue: code), message: message, sql: statement.sql)
        }
    }

    func int64(column: Int32) -> Int64 { sqlite3_column_int64(handle, column) }

    func isNull(column: Int32) -> Bool { sqlite3_column_type(handle, column) == SQLITE_NULL }


    /// A text column's bytes (empty for NULL), valid until the next step or reset.
    func borrowedText(column: Int32) -> BorrowedText {
        let count = Int(sqlite3_column_bytes(handle, column))
        let bytes = sqlite3_column_text(handle, column)
        return BorrowedText(UnsafeBufferPointer(start: count > 0 ? bytes : nil, count: count))
    }

    /// Lends a text column's bytes (empty for NULL), valid until the next step.
    func withText<Result>(column: Int32, _ body: (BorrowedText) throws -> Result) rethrows -> Result {
        try body(borrowedText(column: column))
    }
}
