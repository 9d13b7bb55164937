import CLibPQ
import Foundation

/// A failure reported by PostgreSQL or libpq: the server's message and SQLSTATE, and whether
/// the connection itself is gone (the server stopped, the network dropped).
public struct PostgresError: Error, CustomStringConvertible, Sendable {
    public var message: String
    public var sqlState: String?
    public var connectionLost: Bool

    public var description: String {
        var text = "PostgreSQL: \(message)"
        if let sqlState { text += " (SQLSTATE \(sqlState))" }
        return text
    }
}

/// Rows of a result, every value as PostgreSQL's text (nil for NULL).
public struct PostgresRows: Sendable {
    public var columns: [String]
    /// Each column's type OID (`pg_type.oid`: 20 is bigint, 25 text, 17 bytea, …).
    public var types: [UInt32]
    public var rows: [[String?]]
    /// Rows changed by INSERT, UPDATE, DELETE or COPY.
    public var affected: Int
}

/// One synchronous libpq connection, used by one thread at a time, like the pipeline's.
public final class PostgresConnection {
    private let handle: OpaquePointer

    /// Connects to a `postgresql://` or `postgres://` URL (libpq's own syntax and variables).
    public init(url: String) throws {
        guard let handle = PQconnectdb(url) else {
            throw PostgresError(message: "libpq could not allocate a connection", sqlState: nil, connectionLost: true)
        }
        guard PQstatus(handle) == CONNECTION_OK else {
            let message = Self.trimmed(PQerrorMessage(handle))
            PQfinish(handle)
            throw PostgresError(message: "cannot connect: \(message)", sqlState: nil, connectionLost: true)
        }
        self.handle = handle
        // Notices (for example "relation already exists, skipping") are not the user's business.
        PQsetNoticeProcessor(handle, { _, _ in }, nil)
    }

    deinit { PQfinish(handle) }

    /// Runs one statement with text parameters (`$1`, `$2`, …), returning its rows.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?] = []) throws -> PostgresRows {
        let result = try withParameters(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        return try rows(of: result)
    }

    /// Runs one query with text parameters and lends each of its rows to `body`, the values
    /// where libpq holds them (no string made for each); returns how many rows it gave.
    @discardableResult
    public func execute(_ sql: String, _ parameters: [String?], lendingEachRow body: (LentRow) throws -> Void) throws -> Int {
        let result = try withParameters(parameters) { values in
            PQexecParams(handle, sql, Int32(parameters.count), nil, values, nil, nil, 0)
        }
        defer { PQclear(result) }
        guard let result, PQresultStatus(result) == PGRES_TUPLES_OK else {
            _ = try rows(of: result)
            return 0
        }
        let count = PQntuples(result)
        for row in 0..<count { try body(LentRow(result: result, row: row)) }
        return Int(count)
    }

    /// A row of a result, valid while the call it is lent to lasts.
    public struct LentRow {
        fileprivate let result: OpaquePointer
        fileprivate let row: Int32

        /// The column's text (nil for NULL).
        public func text(_ column: Int32) -> UnsafeBufferPointer<UInt8>? {
            guard PQgetisnull(result, row, column) == 0, let value = PQgetvalue(result, row, column) else { return nil }
            let count = Int(PQgetlength(result, row, column))
            return UnsafeBufferPointer(start: UnsafeRawPointer(value).assumingMemoryBound(to: UInt8.self), count: count)
        }

        /// The column as an integer: nil for NULL or text that is not one.
        public func integer(_ column: Int32) -> Int64? {
            guard let digits = text(column), let first = digits.first else { return nil }
            let negative = first == UInt8(ascii: "-")
            guard digits.count > (negative ? 1 : 0) else { return nil }
            var value: Int64 = 0
            for digit in digits.dropFirst(negative ? 1 : 0) {
                guard digit >= 0x30, digit <= 0x39 else { return nil }
                let (times, overflowTimes) = value.multipliedReportingOverflow(by: 10)
                let (next, overflowAdd) = negative ? times.subtractingReportingOverflow(Int64(digit - 0x30))
                                                   : times.addingReportingOverflow(Int64(digit - 0x30))
                guard !overflowTimes, !overflowAdd else { return nil }
                value = next
            }
            return value
        }
    }

    /// Runs several statements without parameters (a migration's text) in one round trip.
    public func executeScript(_ sql: String) throws {
        let result = PQexec(handle, sql)
        defer { PQclear(result) }
        _ = try rows(of: result)
    }

    /// Runs `sql` (a `COPY … FROM STDIN`) and streams it the chunks `next` returns, until it
    /// returns nil; returns the rows copied.
    public func copy(_ sql: String, _ next: () throws -> [UInt8]?) throws -> Int {
        try beginCopy(sql)
        do {
            while let chunk = try next() { try putCopyData(chunk) }
        } catch {
            _ = try? endCopy(failure: "\(error)")
            throw error
        }
        return try endCopy()
    }

    /// Starts `sql` (a `COPY … FROM STDIN`); `putCopyData` streams its rows while the caller
    /// goes on preparing more, and `endCopy` ends it.
    public func beginCopy(_ sql: String) throws {
        let start = PQexec(handle, sql)
        defer { PQclear(start) }
        if PQresultStatus(start) != PGRES_COPY_IN {
            _ = try rows(of: start)
            throw PostgresError(message: "\(sql) did not start a COPY", sqlState: nil, connectionLost: false)
        }
    }

    public func putCopyData(_ bytes: [UInt8]) throws {
        let sent = bytes.withUnsafeBufferPointer { buffer in
            buffer.baseAddress.map { PQputCopyData(handle, UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self), Int32(buffer.count)) } ?? 1
        }
        if sent != 1 { throw error(nil) }
    }

    /// Ends the COPY and returns the rows copied; with a `failure`, ends it with that error,
    /// which rolls it back.
    @discardableResult
    public func endCopy(failure: String? = nil) throws -> Int {
        let ended = failure.map { $0.withCString { PQputCopyEnd(handle, $0) } } ?? PQputCopyEnd(handle, nil)
        guard ended == 1 else { throw error(nil) }
        var copied = 0
        var serverError: Error?
        while let result = PQgetResult(handle) {
            defer { PQclear(result) }
            do { copied += try rows(of: result).affected } catch { serverError = serverError ?? error }
        }
        if let serverError { throw serverError }
        return copied
    }

    /// Lends C copies of the parameters (NULL for nil) to `body`.
    private func withParameters<T>(_ parameters: [String?], _ body: ([UnsafePointer<CChar>?]) -> T) throws -> T {
        // A C string ends at NUL: such a value would be cut short, silently. PostgreSQL's text
        // cannot hold one anyway.
        if let cut = parameters.firstIndex(where: { $0?.holdsNulByte == true }) {
            throw PostgresError(
                message: "parameter \(cut + 1) holds a NUL byte (0x00), which PostgreSQL's text cannot store", sqlState: nil,
                connectionLost: false)
        }
        let copies = parameters.map { $0.flatMap { strdup($0) } }
        defer { copies.forEach { free($0) } }
        if let lost = parameters.indices.first(where: { parameters[$0] != nil && copies[$0] == nil }) {
            throw PostgresError(message: "out of memory copying parameter \(lost + 1)", sqlState: nil, connectionLost: false)
        }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }

    private func rows(of result: OpaquePointer?) throws -> PostgresRows {
        guard let result else { throw error(nil) }
        switch PQresultStatus(result) {
        case PGRES_COMMAND_OK, PGRES_TUPLES_OK, PGRES_EMPTY_QUERY:
            let columns = (0..<PQnfields(result)).map { String(cString: PQfname(result, $0)) }
            let rows = (0..<PQntuples(result)).map { row in
                (0..<PQnfields(result)).map { column -> String? in
                    PQgetisnull(result, row, column) == 1 ? nil : String(cString: PQgetvalue(result, row, column))
                }
            }
            let types = (0..<PQnfields(result)).map { UInt32(PQftype(result, $0)) }
            return PostgresRows(columns: columns, types: types, rows: rows, affected: Int(String(cString: PQcmdTuples(result))) ?? 0)
        default:
            throw error(result)
        }
    }

    private func error(_ result: OpaquePointer?) -> PostgresError {
        let message = result.map { Self.trimmed(PQresultErrorMessage($0)) } ?? ""
        let state = result.flatMap { PQresultErrorField($0, Int32(UInt8(ascii: "C"))) }.map { String(cString: $0) }
        return PostgresError(
            message: message.isEmpty ? Self.trimmed(PQerrorMessage(handle)) : message, sqlState: state,
            connectionLost: PQstatus(handle) != CONNECTION_OK)
    }

    private static func trimmed(_ text: UnsafePointer<CChar>?) -> String {
        text.map { String(cString: $0) }?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }
}
