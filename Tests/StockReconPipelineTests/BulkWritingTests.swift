import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
@testable import StockReconStore

/// Rows written many at a time (`RowInserter`: COPY on PostgreSQL) read back as they went in,
/// and a count's lines are counted by the planner as they are added.
@Suite struct BulkWritingTests {
    @Test(arguments: Backend.available) func rowsReadBackAsTheyWentIn(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let awkward: [(Int64?, String?, [UInt8]?)] = [
            (.min, "tab\there, line\nnext\r\\end \u{00fc}ber", [0, 1, 0x5C, 0xFF]),
            (nil, nil, nil),
            (.max, "", []),
            (0, "\\N", [0x5C, 0x4E]),
        ]
        // Enough rows of text to be sent in several pieces (`bytesPerSend`).
        let many = (0..<30_000).map { (Int64($0), "row \($0)\t\(String(repeating: "x", count: $0 % 50))", [UInt8(truncatingIfNeeded: $0)]) }
        let rows = awkward + many.map { (Optional($0.0), Optional($0.1), Optional($0.2)) }
        let stored = try fixture.store.write("bulk") { db -> [SQLRow] in
            let (integer, blob) = Store.isServerURL(fixture.store.path) ? ("BIGINT", "BYTEA") : ("INTEGER", "BLOB")
            try db.execute(sql: "CREATE TABLE bulk (position \(integer) NOT NULL, number \(integer), words TEXT, bytes \(blob))")
            let inserter = try RowInserter(db, table: "bulk", columns: ["position", "number", "words", "bytes"])
            for (position, row) in rows.enumerated() { try inserter.append([position, row.0, row.1, row.2]) }
            try inserter.finish()
            return try db.fetchAll(sql: "SELECT number, words, bytes FROM bulk ORDER BY position")
        }
        #expect(stored.count == rows.count)
        for (row, expected) in zip(stored, rows) {
            let number: Int64? = try row[0]
            let words: String? = try row[1]
            let bytes: [UInt8]? = try row[2]
            #expect(number == expected.0 && words == expected.1 && bytes == expected.2, "\(expected)")
        }
    }

    /// On PostgreSQL, statistics from before a sheet's lines made completing a 100,000-line
    /// count a nested loop that ran for minutes.
    @Test(arguments: Backend.available.filter { $0 == .postgres }) func addingASheetLeavesThePlannerItsLines(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let id = try Counting(store: fixture.store).start(CountRequest(
            tenantID: "t1", orgID: "acme", type: .cycle, name: "Aisle", locationID: nil, notes: nil, userID: "alice"))
        let lines = (1...500).map { "1001,WH,\($0),batch-\($0)" }.joined(separator: "\n")
        let sheet = fixture.file("sheet.csv", "variant_id,location_id,counted_quantity,batch\n" + lines + "\n")
        _ = try Counting(store: fixture.store).add(countID: id, tenantID: "t1", userID: "bob", files: [sheet])
        let planned = try fixture.store.read { db in
            try db.fetchValue(Int64.self, sql: "SELECT CAST(reltuples AS BIGINT) FROM pg_class WHERE oid = CAST('count_lines' AS regclass)")
        }
        #expect(planned == 500)
    }
}
