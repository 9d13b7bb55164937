/// The store's edge: what the store's logic, the pipeline and the commands need of a
/// database, met by `StockReconSQLite` (GRDB) and `StockReconPostgres` (libpq). No GRDB or
/// libpq type crosses it.
///
/// Statements are written once, in the SQL both speak: `?` placeholders (PostgreSQL's
/// driver numbers them), `RETURNING`, `ON CONFLICT`, quoted `"user"`. Where the two differ,
/// each backend's way is a `BackendOperations` or `BulkOperations` method.
public protocol SQLConnection: AnyObject, BackendOperations, BulkOperations {
    func execute(sql: String, arguments: SQLArguments) throws
    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow]
    /// The rows of a query handed to `body` one at a time, never all held at once.
    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws
    /// Runs `body` in a transaction that takes the write lock at once (SQLite's IMMEDIATE),
    /// committed when `body` returns and rolled back when it throws.
    func inTransaction<T>(_ body: () throws -> T) throws -> T
    /// Runs `body` in a savepoint, released when `body` returns and rolled back when it throws.
    func inSavepoint<T>(_ body: () throws -> T) throws -> T
    /// Runs `body` in a transaction that is always rolled back: a dry run writes nothing.
    func rollingBack<T>(_ body: () throws -> T) throws -> T
    /// Serializes the tenant's writers until the transaction ends, so that balances and
    /// `quantity_before` stay exact when several processes post at once. (SQLite's write
    /// lock already does; PostgreSQL takes an advisory lock.)
    func lockLedger(tenant: Int64) throws
}

extension Array where Element: BinaryInteger {
    /// The numbers as a PostgreSQL array literal (`{1,2,3}`), a parameter that
    /// `CAST(? AS BIGINT[])` reads: many keys in one statement instead of one each.
    package var postgresArray: String { "{" + map { String($0) }.joined(separator: ",") + "}" }
}

extension Array where Element == Int64? {
    /// Optional numbers as a PostgreSQL array literal, nil as `NULL`.
    package var postgresArray: String { "{" + map { $0.map { String($0) } ?? "NULL" }.joined(separator: ",") + "}" }
}

extension Array where Element == String {
    /// Texts as a PostgreSQL array literal for `CAST(? AS TEXT[])`: each element quoted, its
    /// quotes and backslashes escaped.
    package var postgresArray: String { map(Optional.some).postgresArray }
}

extension Array where Element == String? {
    /// Optional texts as a PostgreSQL array literal, nil as `NULL` (unquoted; the text "NULL"
    /// is quoted).
    package var postgresArray: String {
        // Bytes, not Foundation's replacingOccurrences: a catalog of a million variants sends ten
        // million texts this way, which that way took 20 s.
        var literal: [UInt8] = [UInt8(ascii: "{")]
        literal.reserveCapacity(count * 16)
        for (index, text) in enumerated() {
            if index > 0 { literal.append(UInt8(ascii: ",")) }
            guard let text else {
                literal += "NULL".utf8
                continue
            }
            literal.append(UInt8(ascii: "\""))
            for byte in text.utf8 {
                if byte == UInt8(ascii: "\\") || byte == UInt8(ascii: "\"") { literal.append(UInt8(ascii: "\\")) }
                literal.append(byte)
            }
            literal.append(UInt8(ascii: "\""))
        }
        literal.append(UInt8(ascii: "}"))
        return String(decoding: literal, as: UTF8.self)
    }
}

/// A value bound to or read from a statement.
public enum SQLValue: Sendable, Hashable {
    case null
    case integer(Int64)
    case text(String)
    case blob([UInt8])
}

extension SQLValue {
    /// NULL for nil: rows built as values, not boxed (`RowInserter.append(values:)`).
    public static func integer(_ value: Int64?) -> SQLValue { value.map(SQLValue.integer) ?? .null }
    public static func text(_ value: String?) -> SQLValue { value.map(SQLValue.text) ?? .null }
}

extension SQLConnection {
    public func execute(sql: String) throws {
        try execute(sql: sql, arguments: [])
    }

    public func fetchAll(sql: String) throws -> [SQLRow] {
        try fetchAll(sql: sql, arguments: [])
    }

    public func fetchOne(sql: String, arguments: SQLArguments = []) throws -> SQLRow? {
        try fetchAll(sql: sql, arguments: arguments).first
    }

    /// The first column of the first row; nil when there is no row or the value is NULL.
    public func fetchValue<T: SQLColumnValue>(_ type: T.Type = T.self, sql: String, arguments: SQLArguments = []) throws -> T? {
        guard let row = try fetchOne(sql: sql, arguments: arguments) else { return nil }
        let value: T? = try row[0]
        return value
    }

    /// The first column of every row.
    public func fetchValues<T: SQLColumnValue>(_ type: T.Type = T.self, sql: String, arguments: SQLArguments = []) throws -> [T] {
        try fetchAll(sql: sql, arguments: arguments).map { try $0[0] }
    }

    /// Runs an INSERT with `RETURNING id` appended and returns the new row's id.
    public func insert(sql: String, arguments: SQLArguments = []) throws -> Int64 {
        guard let id = try fetchValue(Int64.self, sql: sql + " RETURNING id", arguments: arguments) else {
            throw SQLDecodingError(message: "an INSERT returned no id: \(sql)")
        }
        return id
    }
}

/// A statement's arguments, written as an array literal of values of mixed types.
public struct SQLArguments: ExpressibleByArrayLiteral, Sendable {
    public var values: [SQLValue]

    public init(_ values: [SQLValue]) { self.values = values }

    public init(_ values: [(any SQLBindable)?]) {
        self.values = values.map { $0?.sqlValue ?? .null }
    }

    public init(arrayLiteral elements: (any SQLBindable)?...) {
        self.init(elements)
    }

    public static func + (lhs: SQLArguments, rhs: SQLArguments) -> SQLArguments {
        SQLArguments(lhs.values + rhs.values)
    }

    public static func += (lhs: inout SQLArguments, rhs: SQLArguments) {
        lhs.values += rhs.values
    }
}

/// A Swift value that binds to a statement parameter.
public protocol SQLBindable {
    var sqlValue: SQLValue { get }
}

extension Int64: SQLBindable { public var sqlValue: SQLValue { .integer(self) } }
extension Int: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Int32: SQLBindable { public var sqlValue: SQLValue { .integer(Int64(self)) } }
extension Bool: SQLBindable { public var sqlValue: SQLValue { .integer(self ? 1 : 0) } }
extension String: SQLBindable { public var sqlValue: SQLValue { .text(self) } }
extension Substring: SQLBindable { public var sqlValue: SQLValue { .text(String(self)) } }
extension SQLValue: SQLBindable { public var sqlValue: SQLValue { self } }
extension Array: SQLBindable where Element == UInt8 { public var sqlValue: SQLValue { .blob(self) } }
extension Optional: SQLBindable where Wrapped: SQLBindable {
    public var sqlValue: SQLValue { self?.sqlValue ?? .null }
}

/// One row of a result.
public struct SQLRow: Sendable {
    public var values: [SQLValue]
    /// The result's column names, shared by its rows.
    public var columns: [String]

    public init(_ values: [SQLValue], columns: [String]) {
        self.values = values
        self.columns = columns
    }

    /// The value of the column named `name`.
    public subscript<T: SQLColumnValue>(_ name: String) -> T {
        get throws {
            guard let index = columns.firstIndex(of: name) else {
                throw SQLDecodingError(message: "a row has no column \(name)")
            }
            return try self[index]
        }
    }

    /// The value of column `index` as `T`; throws when it holds something else (or NULL
    /// where `T` is not optional), rather than guessing.
    public subscript<T: SQLColumnValue>(_ index: Int) -> T {
        get throws {
            guard values.indices.contains(index) else {
                throw SQLDecodingError(message: "a row of \(values.count) columns has no column \(index)")
            }
            guard let value = T(sqlValue: values[index]) else {
                throw SQLDecodingError(message: "column \(index) holds \(values[index]), not \(T.self)")
            }
            return value
        }
    }
}

/// A value read from a database row that did not have the type the store expected.
public struct SQLDecodingError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// A Swift value a column converts to.
public protocol SQLColumnValue {
    init?(sqlValue: SQLValue)
}

extension Int64: SQLColumnValue {
    /// PostgreSQL reports `sum` of integers as `numeric`, which arrives as text.
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .integer(let value): self = value
        case .text(let text): guard let value = Int64(text) else { return nil }; self = value
        default: return nil
        }
    }
}

extension Int: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = Int(value)
    }
}

extension Bool: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        guard let value = Int64(sqlValue: sqlValue) else { return nil }
        self = value != 0
    }
}

extension String: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .text(let text): self = text
        case .integer(let value): self = String(value)
        default: return nil
        }
    }
}

extension Array: SQLColumnValue where Element == UInt8 {
    public init?(sqlValue: SQLValue) {
        switch sqlValue {
        case .blob(let bytes): self = bytes
        case .text(let text): self = Array(text.utf8)
        default: return nil
        }
    }
}

extension SQLValue: SQLColumnValue {
    public init?(sqlValue: SQLValue) { self = sqlValue }
}

extension Optional: SQLColumnValue where Wrapped: SQLColumnValue {
    public init?(sqlValue: SQLValue) {
        if case .null = sqlValue {
            self = .none
        } else if let value = Wrapped(sqlValue: sqlValue) {
            self = .some(value)
        } else {
            return nil
        }
    }
}

/// A closed set's stored code; one no case has is a damaged row, never read as some default.
package func stored<Code: RawRepresentable<String>>(_ type: Code.Type, _ text: String, in table: String) throws -> Code {
    guard let code = Code(rawValue: text) else {
        throw SQLDecodingError(message: "a row of \(table) is damaged: it holds \(text), which stockrecon does not know")
    }
    return code
}
