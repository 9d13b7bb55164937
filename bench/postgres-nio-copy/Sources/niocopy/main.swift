import Foundation
import Logging
import NIOCore
import PostgresNIO

// The other candidate client of issue 10, measured on the ledger's hot path: COPYs a file of
// COPY text (what stockrecon streams into `ledger`) into TABLE of SCHEMA through PostgresNIO,
// 4 MB of whole lines a write, and prints the seconds. bench/clients.sh runs it beside psql.
// Usage: niocopy URL SCHEMA TABLE FILE
let arguments = CommandLine.arguments
guard arguments.count == 5, let url = URLComponents(string: arguments[1]) else {
    FileHandle.standardError.write(Data("usage: niocopy URL SCHEMA TABLE FILE\n".utf8))
    exit(64)
}
let (schema, table) = (arguments[2], arguments[3])
let data = try Data(contentsOf: URL(fileURLWithPath: arguments[4]))
let logger = Logger(label: "niocopy")
let configuration = PostgresConnection.Configuration(
    host: url.host ?? "127.0.0.1", port: url.port ?? 5432, username: url.user ?? "postgres", password: url.password,
    database: url.path.isEmpty ? nil : String(url.path.dropFirst()), tls: .disable)
let connection = try await PostgresConnection.connect(configuration: configuration, id: 1, logger: logger)
try await connection.query("SET search_path TO \(unescaped: schema)", logger: logger)
let columns = [
    "posting", "variant", "location", "kind", "quantity_delta", "quantity_before", "unit_cost_minor", "source_line",
    "record", "reference_id", "notes", "reason_code", "reason_description", "adjustment_type", "occurred_at", "idempotency_key",
]
let started = Date()
try await connection.copyFrom(table: table, columns: columns, logger: logger) { writer in
    var offset = 0
    while offset < data.count {
        var end = min(offset + (4 << 20), data.count)
        while end < data.count, data[end - 1] != UInt8(ascii: "\n") { end += 1 }
        var buffer = ByteBuffer()
        buffer.writeBytes(data[offset..<end])
        try await writer.write(buffer)
        offset = end
    }
}
print(String(format: "%.2f", Date().timeIntervalSince(started)))
try await connection.closeGracefully()
