import Foundation
import Testing
import StockReconBackends
@testable import StockReconPostgres
@testable import StockReconSQLite
import StockReconStore
import TestSupport

/// A database made by an earlier stockrecon opens with today's, migrates, and shows every
/// public row as it did: `Tests/Fixtures/schema-v18.sqlite` was made by the v18 build from the
/// bundled pipelines and a morning's decisions (`scripts/make-schema-fixture.sh`), and
/// `schema-v18.views` holds its public views' rows as that build's SQLite quoted them; the
/// same history on PostgreSQL is `schema-v18.postgres.sql` (pg_dump) and `.postgres.views`.
@Suite struct LegacyDatabaseTests {
    let folder = TemporaryDirectory()

    /// The fixture's views: each name with its columns then, and its rows.
    static func expected(_ name: String) throws -> [(view: String, columns: [String], rows: [String])] {
        let path = Workspace.packageRoot.appendingPathComponent("Tests/Fixtures/\(name)").path
        var views: [(view: String, columns: [String], rows: [String])] = []
        for line in try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n", omittingEmptySubsequences: true) {
            if line.hasPrefix("#") {
                let fields = line.dropFirst().split(separator: "|").map(String.init)
                views.append((fields[0], Array(fields.dropFirst()), []))
            } else {
                views[views.count - 1].rows.append(String(line))
            }
        }
        return views
    }

    @Test func aDatabaseOfSchemaV18OpensAndShowsEveryPublicRowAsItDid() throws {
        let copy = folder.path("legacy.sqlite")
        try FileManager.default.copyItem(atPath: Workspace.packageRoot.appendingPathComponent("Tests/Fixtures/schema-v18.sqlite").path, toPath: copy)
        let store = try Store(path: copy)  // migrates what today's stockrecon adds
        try store.read { db in
            #expect(try db.fetchValues(String.self, sql: "SELECT identifier FROM grdb_migrations") == SQLiteSchema.migrations.map(\.name))
            try Self.expectRows(of: "schema-v18.views", in: db) { "replace(replace(quote(\"\($0)\"), char(13), '\\r'), char(10), '\\n')" }
            try Self.expectBarcodeDigits(in: db)
            // v27 rebuilt the held rows' table without the tenant's foreign key, every row kept (the
            // `approvals` view's rows above).
            #expect(try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM pragma_foreign_key_list('approval_requests')") == 0)
            #expect(try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM approval_requests") ?? 0 > 0)
        }
        // v28 rebuilt the held rows' and receipt lines' tables with their status checks as
        // comparisons: a status outside the list is still refused, one in it taken.
        try store.withConnection("checking statuses") { db in
            for (table, refused, taken) in [("approval_requests", "MAYBE", "REJECTED"), ("receipt_lines", "lost", "refused")] {
                let columns = try db.fetchValues(String.self, sql: "SELECT name FROM pragma_table_info('\(table)') WHERE name NOT IN ('id', 'status')")
                let insert = { (status: String) in
                    "INSERT INTO \(table) (\(columns.joined(separator: ", ")), status) SELECT \(columns.joined(separator: ", ")), '\(status)' FROM \(table) LIMIT 1"
                }
                #expect(throws: (any Error).self, "\(table): \(refused)") { try db.execute(sql: insert(refused)) }
                try db.execute(sql: insert(taken))
                let sql = try db.fetchValue(String.self, sql: "SELECT sql FROM sqlite_master WHERE name = ?", arguments: [table])
                #expect(sql?.contains("status IN (") == false, "SQLite builds a table of an IN list for each row it checks")
            }
        }
    }

    /// Every view of the fixture `name` shows its rows now, each column as `quoted` writes it
    /// in SQL (the text its backend's dump wrote).
    static func expectRows(of name: String, in db: any SQLConnection, quoted: (String) -> String) throws {
        let views = try expected(name)
        #expect(views.count >= 15 && views.contains { $0.view == "movements" && $0.rows.count > 20 })
        for (view, columns, rows) in views {
            let now = try db.fetchValues(String.self, sql: "SELECT '\(view)|' || \(columns.map(quoted).joined(separator: " || '|' || ")) FROM \"\(view)\"")
            #expect(now.sorted() == rows.sorted(), "\(view)")
        }
    }

    /// v26 stored each barcode's digits after its leading zeros, which lookups read.
    static func expectBarcodeDigits(in db: any SQLConnection) throws {
        let barcodes = try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM catalog_variants WHERE barcode IS NOT NULL") ?? 0
        #expect(barcodes > 0)
        #expect(try db.fetchValue(Int64.self, sql: """
            SELECT count(*) FROM catalog_variants WHERE barcode IS NOT NULL AND barcode_digits = ltrim(barcode, '0')
            """) == barcodes)
        #expect(try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM catalog_variants WHERE barcode_digits IS NOT NULL") == barcodes)
    }

    @Test func aPostgreSQLDatabaseOfSchemaV18OpensAndShowsEveryPublicRowAsItDid() throws {
        guard let server = TestPostgres.url else {
            print("note: the PostgreSQL half of LegacyDatabaseTests needs STOCKRECON_TEST_POSTGRES")
            return
        }
        let schema = "legacy_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        let dump = try String(contentsOf: Workspace.packageRoot.appendingPathComponent("Tests/Fixtures/schema-v18.postgres.sql"), encoding: .utf8)
        try Store(path: server).withConnection("restoring a dump") { db in
            let server = try #require(db as? PostgresStoreConnection)
            try server.connection.executeScript(dump.replacingOccurrences(of: "stockrecon_legacy", with: schema))
        }
        defer { _ = try? Store(path: server).withConnection("dropping a schema") { try $0.execute(sql: "DROP SCHEMA \(schema) CASCADE") } }
        let store = try Store(path: server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(schema)")
        try store.read { db in
            #expect(try db.fetchValues(String.self, sql: "SELECT name FROM stockrecon_migrations ORDER BY name").sorted() == PostgresMigrations.all.map(\.name).sorted())
            try Self.expectRows(of: "schema-v18.postgres.views", in: db) {
                "replace(replace(quote_nullable(CAST(\"\($0)\" AS TEXT)), chr(13), '\\r'), chr(10), '\\n')"
            }
            try Self.expectBarcodeDigits(in: db)
        }
    }
}
