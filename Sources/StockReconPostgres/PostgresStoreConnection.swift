import StockReconCore
import StockReconStore

/// The PostgreSQL side of the store's edge: one libpq connection, held for the store's life.
final class PostgresStoreConnection: SQLConnection {
    let connection: PostgresConnection
    private var savepoints = 0
    /// Statements already numbered for PostgreSQL, by their text.
    private var numbered: [String: String] = [:]
    /// The COPY left open by `streamCopy`, ended before any other statement runs.
    private var openCopy: String?

    /// While the catalog's variants are loaded with their keys' indexes built after the rows
    /// (`loadingVariantsIndexedAfter`): their COPY, left open from chunk to chunk.
    var firstLoadVariants: PostgresRowCopier?

    init(_ connection: PostgresConnection) { self.connection = connection }

    /// Streams rows into `sql` (a `COPY … FROM STDIN`), leaving it open: the server takes them
    /// in while the caller prepares more, and no round trip waits until another statement
    /// needs the connection (or `endCopy`).
    /// `header` goes first when the COPY begins (binary COPY's).
    func streamCopy(_ sql: String, _ bytes: [UInt8], header: [UInt8] = []) throws {
        if openCopy != sql {
            try endCopy()
            try connection.beginCopy(sql)
            openCopy = sql
            if !header.isEmpty { try connection.putCopyData(header) }
        }
        try connection.putCopyData(bytes)
    }

    func endCopy() throws {
        guard openCopy != nil else { return }
        openCopy = nil
        try connection.endCopy()
    }

    func execute(sql: String, arguments: SQLArguments) throws {
        try endCopy()
        try connection.execute(numberedPlaceholders(sql), Self.parameters(arguments))
    }

    func fetchAll(sql: String, arguments: SQLArguments) throws -> [SQLRow] {
        try endCopy()
        let result = try connection.execute(numberedPlaceholders(sql), Self.parameters(arguments))
        return result.rows.map { row in
            SQLRow(zip(row, result.types).map { text, type in Self.value(text, type: type) }, columns: result.columns)
        }
    }

    /// A cursor held past its statement (inside a transaction or not), 10,000 rows a fetch.
    func forEachRow(sql: String, arguments: SQLArguments, _ body: (SQLRow) throws -> Void) throws {
        try execute(sql: "DECLARE stockrecon_rows NO SCROLL CURSOR WITH HOLD FOR " + sql, arguments: arguments)
        defer { _ = try? execute(sql: "CLOSE stockrecon_rows", arguments: []) }
        while true {
            let rows = try fetchAll(sql: "FETCH 10000 FROM stockrecon_rows", arguments: [])
            if rows.isEmpty { break }
            for row in rows { try body(row) }
        }
    }

    func inTransaction<T>(_ body: () throws -> T) throws -> T {
        try bracketed(begin: "BEGIN", end: "COMMIT", undo: ["ROLLBACK"], body)
    }

    func inSavepoint<T>(_ body: () throws -> T) throws -> T {
        savepoints += 1
        let name = "s\(savepoints)"
        defer { savepoints -= 1 }
        return try bracketed(
            begin: "SAVEPOINT \(name)", end: "RELEASE SAVEPOINT \(name)",
            undo: ["ROLLBACK TO SAVEPOINT \(name)", "RELEASE SAVEPOINT \(name)"], body)
    }

    /// Runs `body` between `begin` and `end` (each after any open COPY is ended); when it
    /// throws, abandons an open COPY and runs `undo`.
    private func bracketed<T>(begin: String, end: String, undo: [String], _ body: () throws -> T) throws -> T {
        try endCopy()
        try connection.execute(begin)
        do {
            let result = try body()
            try endCopy()
            try connection.execute(end)
            return result
        } catch {
            abandonCopy(error)
            for statement in undo { _ = try? connection.execute(statement) }
            throw error
        }
    }

    /// Ends an open COPY with an error: none of its rows stay.
    private func abandonCopy(_ error: Error) {
        guard openCopy != nil else { return }
        openCopy = nil
        _ = try? connection.endCopy(failure: "\(error)")
    }

    func rollingBack<T>(_ body: () throws -> T) throws -> T {
        try endCopy()
        try connection.execute("BEGIN")
        defer {
            abandonCopy(SQLDecodingError(message: "a dry run writes nothing"))
            _ = try? connection.execute("ROLLBACK")
        }
        return try body()
    }

    /// A transaction-scoped advisory lock on the tenant: its writers on every machine take
    /// turns, other tenants' do not wait. The tenant is the transaction's too: rows that name
    /// it by a parent take it as their `tenant` column's default (migration v19), so a
    /// transaction that took another tenant's lock before is refused, not given this one's.
    func lockLedger(tenant: Int64) throws {
        try endCopy()
        let result = try connection.execute("""
            SELECT current_setting('stockrecon.tenant', true), pg_advisory_xact_lock(CAST($1 AS BIGINT)),
                set_config('stockrecon.tenant', CAST($1 AS TEXT), true)
            """, [String(tenant)])
        if let held = result.rows.first?.first ?? nil, !held.isEmpty, held != String(tenant) {
            throw SQLDecodingError(message: "a transaction that writes for tenant \(held) asked for tenant \(tenant)'s lock: one transaction, one tenant")
        }
    }

    /// `?` placeholders as PostgreSQL's `$1`, `$2`, …; a `?` inside quotes or a comment stays.
    func numberedPlaceholders(_ sql: String) -> String {
        if let done = numbered[sql] { return done }
        var result = ""
        result.reserveCapacity(sql.utf8.count + 16)
        var number = 0
        var quote: Character?
        var inComment = false
        for character in sql {
            if inComment {
                if character == "\n" { inComment = false }
            } else if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "-", result.last == "-" {
                inComment = true
            } else if character == "?" {
                number += 1
                result += "$\(number)"
                continue
            }
            result.append(character)
        }
        numbered[sql] = result
        return result
    }

    static func parameters(_ arguments: SQLArguments) -> [String?] {
        arguments.values.map { value in
            switch value {
            case .null: return nil
            case .integer(let integer): return String(integer)
            case .text(let text): return text
            case .blob(let bytes): return "\\x" + Hex.encode(bytes)
            }
        }
    }

    /// PostgreSQL's text form as a value: integers and booleans as integers, bytea as bytes.
    static func value(_ text: String?, type: UInt32) -> SQLValue {
        guard let text else { return .null }
        switch type {
        case 20, 21, 23:  // bigint, smallint, integer
            return Int64(text).map(SQLValue.integer) ?? .text(text)
        case 16:  // boolean
            return .integer(text == "t" ? 1 : 0)
        case 17:  // bytea, as \x followed by hex digits
            return Hex.decode(text.utf8.dropFirst(2)).map(SQLValue.blob) ?? .text(text)
        default:
            return .text(text)
        }
    }
}
