import Foundation
@testable import StockReconPipeline
import StockReconBackends
import StockReconIO
@testable import StockReconStore
import TestSupport
import Testing

/// A temporary database with a catalog for tenant `t1`: orgs acme (default WH) and other,
/// locations WH and SHOP, variants 1001 (acme), 1002 (acme, location-aware), 2001 (other).
final class Fixture {
    let directory: URL
    let databasePath: String
    let store: Store

    /// On PostgreSQL, a schema of its own, dropped with the fixture.
    private var schema: String?
    /// On PostgreSQL with a collation: a database of its own, and the server's URL to drop it.
    private var database: (name: String, server: String)?

    /// `collation`: on PostgreSQL, an ICU locale (`en-US`) for a database of the fixture's own,
    /// whose texts sort by it rather than the test server's C; SQLite's sort by bytes whatever.
    init(_ backend: Backend = .sqlite, tenants: [String] = ["t1"], collation: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("pipeline-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        let name = "pipeline_" + UUID().uuidString.replacingOccurrences(of: "-", with: "").prefix(16).lowercased()
        switch backend {
        case .sqlite:
            databasePath = directory.appendingPathComponent("db.sqlite").path
        case .postgres:
            let server = try #require(TestPostgres.url, "STOCKRECON_REQUIRE_POSTGRES=1 but STOCKRECON_TEST_POSTGRES is not set")
            if let collation {
                try Store(path: server).withConnection("creating a database") {
                    try $0.execute(sql: "CREATE DATABASE \(name) TEMPLATE template0 LOCALE_PROVIDER icu ICU_LOCALE '\(collation)' LOCALE 'C'")
                }
                var url = try #require(URLComponents(string: server))
                url.path = "/" + name
                databasePath = try #require(url.string)
                database = (name, server)
            } else {
                try Store(path: server).withConnection("creating a schema") { try $0.execute(sql: "CREATE SCHEMA \(name)") }
                databasePath = server + (server.contains("?") ? "&" : "?") + "options=-csearch_path%3D\(name)"
                self.schema = name
            }
        }
        store = try Store(path: databasePath)
        let catalog = [
            file("orgs.csv", "org_id,name,default_location_id\nacme,Acme,WH\nother,Other,WH\n"),
            file("locations.csv", "location_id,site_id,name\nWH,s1,Warehouse\nSHOP,s1,Shop\n"),
            file("variants.csv", """
                variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
                1001,P1,acme,TENT,400,10.00,false
                1002,P2,acme,LAMP,401,2.50,true
                2001,P3,other,CANDLE,402,1.00,false

                """),
            file("users.csv", "user_id,role\nalice,manager\nbob,staff\n"),
        ]
        for tenant in tenants {
            let report = try CatalogImport(store: store).run(tenantID: tenant, files: catalog)
            precondition(report.counts.rejected == 0)
        }
    }

    deinit {
        try? FileManager.default.removeItem(at: directory)
        if let schema { _ = try? store.withConnection("dropping a schema") { try $0.execute(sql: "DROP SCHEMA \(schema) CASCADE") } }
        if let database {
            _ = try? Store(path: database.server).withConnection("dropping a database") { try $0.execute(sql: "DROP DATABASE \(database.name) WITH (FORCE)") }
        }
    }

    func file(_ name: String, _ contents: String) -> InputFile {
        let path = directory.appendingPathComponent(name).path
        if !FileManager.default.createFile(atPath: path, contents: Data(contents.utf8)) { Issue.record("could not write \(path)") }
        return InputFile(path: path, displayName: name)
    }

    func importing(
        _ files: [InputFile], format: SourceFormat = .synq, tenant: String = "t1", org: String = "acme",
        user: String? = nil, dryRun: Bool = false
    ) throws -> RunReport {
        try ImportPipeline(store: store).run(ImportRequest(
            tenantID: tenant, orgID: org, format: format, userID: user, files: files, isDryRun: dryRun))
    }

    func balance(_ variant: String, _ location: String = "WH", tenant: String = "t1") throws -> Int64? {
        try store.read { db in
            try db.fetchValue(Int64.self, sql: "SELECT on_hand FROM balances WHERE tenant_id = ? AND variant_id = ? AND location_id = ?",
                               arguments: [tenant, variant, location])
        }
    }

    func count(_ sql: String, _ arguments: SQLArguments = []) throws -> Int {
        try store.read { db in try db.fetchValue(Int.self, sql: sql, arguments: arguments) ?? 0 }
    }

    func rejections(_ run: Int64?) throws -> [(line: Int?, field: String?, type: String)] {
        try store.read { db in
            try db.fetchAll(sql: "SELECT source_line, field, type FROM rejections WHERE run_id = ? ORDER BY id", arguments: [run])
                .map { (try $0[0], try $0[1], try $0[2]) }
        }
    }

    /// Whether `variant_movements` holds every ledger id once, under its variant's group and
    /// low bits, in ascending runs that end at their `last_id`: what `movements --variant` reads.
    func variantRunsMatchLedger() throws -> Bool {
        try store.read { db in
            let ledger = try db.fetchAll(sql: "SELECT variant, id FROM ledger ORDER BY id").map {
                [VariantMovements.group(of: try $0[0]), try $0[1], VariantMovements.entry(variant: try $0[0], id: 0)]
            }
            var runs: [[Int64]] = []
            for row in try db.fetchAll(sql: "SELECT variant_group, last_id, entries FROM variant_movements") {
                let entries = try VariantMovements.decode(row[2])
                let lastID: Int64 = try row[1]
                guard entries.map(\.id) == entries.map(\.id).sorted(), entries.last?.id == lastID else { return false }
                runs += try entries.map { [try row[0], $0.id, $0.low] }
            }
            return !ledger.isEmpty && ledger == runs.sorted { $0[1] < $1[1] }
        }
    }
}
