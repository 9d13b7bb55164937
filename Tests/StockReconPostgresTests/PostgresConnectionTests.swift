import Foundation
import Testing
import StockReconPostgres
import TestSupport

/// A connection in a schema of its own, dropped when the value goes.
final class Scratch {
    let connection: PostgresConnection
    let schema = "test_\(UUID().uuidString.prefix(8).lowercased())"

    init() throws {
        connection = try PostgresConnection(url: try #require(TestPostgres.url, "STOCKRECON_REQUIRE_POSTGRES=1 but STOCKRECON_TEST_POSTGRES is not set"))
        try connection.executeScript("CREATE SCHEMA \(schema); SET search_path TO \(schema)")
    }

    deinit { _ = try? connection.executeScript("DROP SCHEMA \(schema) CASCADE") }
}

@Suite(.enabled(if: TestPostgres.url != nil || TestPostgres.isRequired, Comment(rawValue: TestPostgres.skipNote)))
struct PostgresConnectionTests {
    @Test func parametersAndValuesRoundTripByteExact() throws {
        let scratch = try Scratch()
        let texts: [String?] = [" ", "\tedge tabs\t", "quote ' and \" and \\", "ünïcode ✓", "", nil, "line\nbreak"]
        try scratch.connection.executeScript("CREATE TABLE t (id bigint, note text)")
        for (id, text) in texts.enumerated() {
            let inserted = try scratch.connection.execute("INSERT INTO t VALUES ($1, $2)", [String(id), text])
            #expect(inserted.affected == 1)
        }
        let read = try scratch.connection.execute("SELECT id, note FROM t WHERE id >= $1 ORDER BY id", ["0"])
        #expect(read.columns == ["id", "note"])
        #expect(read.rows.map { $0[1] } == texts)
        #expect(read.rows.map { $0[0] } == texts.indices.map { String($0) })
    }

    /// Rows lent where libpq holds them read as the rows it copies out: texts byte-exact, NULL
    /// as nil, integers at both ends of bigint; text that is not an integer is none.
    @Test func rowsLentReadAsRowsCopied() throws {
        let scratch = try Scratch()
        try scratch.connection.executeScript("""
            CREATE TABLE t (id bigint, note text, amount text);
            INSERT INTO t VALUES (1, 'ünïcode ✓', '-9223372036854775808'), (2, NULL, '9223372036854775807'),
              (3, '', '9223372036854775808'), (4, 'tab\there', '-'), (5, 'x', '12a'), (6, 'y', NULL), (7, 'z', '-0042')
            """)
        var lent: [[String?]] = []
        var amounts: [Int64?] = []
        let count = try scratch.connection.execute("SELECT id, note, amount FROM t WHERE id > $1 ORDER BY id", ["0"]) { row in
            lent.append((0..<3).map { column in row.text(column).map { String(decoding: $0, as: UTF8.self) } })
            amounts.append(row.integer(2))
        }
        let copied = try scratch.connection.execute("SELECT id, note, amount FROM t WHERE id > $1 ORDER BY id", ["0"])
        #expect(count == 7)
        #expect(lent == copied.rows)
        #expect(amounts == [.min, .max, nil, nil, nil, nil, -42])
        #expect(throws: PostgresError.self) {
            try scratch.connection.execute("SELECT nope FROM t", []) { _ in }
        }
    }

    @Test func copyStreamsChunksAndABadRowCopiesNothing() throws {
        let scratch = try Scratch()
        try scratch.connection.executeScript("CREATE TABLE raw (variant text, quantity bigint NOT NULL)")
        var chunks = (0..<100).map { chunk in
            Array((0..<1_000).map { "V\(chunk),\($0 + 1)\n" }.joined().utf8)
        }.makeIterator()
        let copied = try scratch.connection.copy("COPY raw (variant, quantity) FROM STDIN (FORMAT csv)") { chunks.next() }
        #expect(copied == 100_000)
        let sum = try scratch.connection.execute("SELECT count(*), sum(quantity) FROM raw")
        #expect(sum.rows == [["100000", String(100 * 500_500)]])

        var bad = [Array("V1,1\nV2,two\n".utf8)].makeIterator()
        #expect {
            _ = try scratch.connection.copy("COPY raw (variant, quantity) FROM STDIN (FORMAT csv)") { bad.next() }
        } throws: { error in
            let failure = error as? PostgresError
            return failure?.sqlState == "22P02" && failure?.message.contains("two") == true && failure?.connectionLost == false
        }
        struct Stop: Error {}
        var calls = 0
        #expect(throws: Stop.self) {
            _ = try scratch.connection.copy("COPY raw (variant, quantity) FROM STDIN (FORMAT csv)") {
                calls += 1
                if calls == 2 { throw Stop() }
                return Array("V3,3\n".utf8)
            }
        }
        #expect(try scratch.connection.execute("SELECT count(*) FROM raw").rows == [["100000"]], "neither failed COPY left a row")
    }

    @Test func errorsCarryTheirStateAndALostConnectionSaysSo() throws {
        let scratch = try Scratch()
        #expect {
            try scratch.connection.execute("SELECT * FROM missing_table")
        } throws: { error in
            (error as? PostgresError)?.sqlState == "42P01" && (error as? PostgresError)?.connectionLost == false
        }
        let victim = try PostgresConnection(url: try #require(TestPostgres.url))
        let pid = try #require(try victim.execute("SELECT pg_backend_pid()").rows.first?.first ?? nil)
        #expect(try scratch.connection.execute("SELECT pg_terminate_backend($1::int)", [pid]).rows == [["t"]])
        #expect {
            try victim.execute("SELECT 1")
        } throws: { error in
            (error as? PostgresError)?.connectionLost == true
        }
        #expect {
            _ = try PostgresConnection(url: "postgresql://nobody@127.0.0.1:1/none?connect_timeout=2")
        } throws: { error in
            (error as? PostgresError)?.connectionLost == true && "\(error)".contains("cannot connect")
        }
    }
}
