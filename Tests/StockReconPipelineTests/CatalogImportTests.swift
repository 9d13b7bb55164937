import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
import StockReconStore

@Suite struct CatalogImportTests {
    @Test(arguments: Backend.available) func readsJSONAndRejectsBadRowsWithTheirField(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let variants = fixture.file("v.json", """
            {"variants": [
              {"variant_id": "3001", "org_id": "acme", "sku": "NEW-1", "unit_cost": 7.25, "location_aware": true},
              {"variant_id": "3002", "org_id": "acme", "unit_cost": "7.255"},
              {"org_id": "acme", "sku": "NO-ID"},
              {"variant_id": "3004", "org_id": "acme", "location_aware": "maybe"}
            ]}
            """)
        let users = fixture.file("u.csv", "user_id,role\ncarol,manager\ndave,owner\n")
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants, users])
        #expect(report.counts == OutcomeCounts(rows: 6, posted: 2, rejected: 4))
        #expect(report.exitStatus == 1)
        #expect(try fixture.rejections(report.runID).map(\.type) == ["invalid_cost", "missing_field", "invalid_choice", "invalid_choice"])
        #expect(try fixture.rejections(report.runID).map(\.field) == ["unit_cost", "variant_id", "location_aware", "role"])
        #expect(try fixture.count("SELECT count(*) FROM variants WHERE variant_id = '3001' AND unit_cost_minor = 725 AND location_aware = 1") == 1)
        #expect(try fixture.count("SELECT count(*) FROM users WHERE user_id = 'carol' AND role = 'manager'") == 1)
    }

    /// An id, sku or barcode longer than an id may be refuses its row at the field, on both
    /// backends (PostgreSQL's indexes hold at most 2,704 bytes: it failed the whole load); a
    /// name may be longer, and an id as long as one may be loads.
    @Test(arguments: Backend.available) func anIdLongerThanAnIdMayBeRefusesItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        func text(_ length: Int) -> String { String((0 ..< length).map { _ in "abcdefghijklmnopqrstuvwxyz".randomElement() ?? "a" }) }
        let (long, longest) = (text(5000), text(Diagnostic.identifierLimit))
        let variants = fixture.file("v.csv", """
            variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware,product_name
            3001,P9,acme,\(long),990,1.00,false,
            \(long),P9,acme,S-2,991,1.00,false,
            3003,P9,acme,S-3,\(long),1.00,false,
            \(longest),\(longest),acme,\(longest),\(longest),1.00,false,\(long)

            """)
        let locations = fixture.file("l.csv", "location_id,site_id,name\n\(long),s1,Far\nNEAR,\(long),Near\n")
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants, locations])
        #expect(report.counts == OutcomeCounts(rows: 6, posted: 1, rejected: 5))
        #expect(try fixture.rejections(report.runID).map { "\($0.line ?? 0) \($0.field ?? "") \($0.type)" } == [
            "2 sku invalid_text", "3 variant_id invalid_text", "4 barcode invalid_text", "2 location_id invalid_text", "3 site_id invalid_text",
        ])
        #expect(try fixture.count("SELECT count(*) FROM variants WHERE variant_id = ? AND sku = ?", [longest, longest]) == 1)
    }

    /// A NUL byte in a catalog value refuses the row: stored, `1001\0x` read back as 1001 and
    /// overwrote that variant's sku, barcode and cost.
    @Test(arguments: Backend.available) func aNulByteInACatalogValueRefusesItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let variants = fixture.file("v.csv", """
            variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
            1001\u{0}x,P9,acme,TENT-NUL,999,1.00,false
            3001,P9,acme,SKU\u{0},998,2.00,false

            """)
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants])
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 0, rejected: 2))
        #expect(try fixture.rejections(report.runID).map(\.field) == ["variant_id", "sku"])
        #expect(try fixture.rejections(report.runID).allSatisfy { $0.type == "invalid_text" })
        #expect(try fixture.count("SELECT count(*) FROM variants WHERE variant_id = '1001' AND sku = 'TENT' AND unit_cost_minor = 1000") == 1)
    }

    /// Loaded as one statement a kind on PostgreSQL: an id given twice ends with its last
    /// values, empty and awkward texts come back as written, and loading again updates.
    @Test(arguments: Backend.available) func aCatalogFileLoadsAsWrittenAndTheLastRowOfAnIdWins(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let variants = fixture.file("v.csv", #"""
            variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
            3001,P1,acme,"SKU ""quoted""",NULL,1.00,false
            3002,,acme,back\slash {1},"a,b",,true
            3001,P1,acme,SKU-LAST,,4.50,true

            """#)
        let locations = fixture.file("l.csv", "location_id,site_id,name\nBACK,,Back room\nBACK,s2,Back room 2\n")
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [variants, locations]).counts == OutcomeCounts(rows: 5, posted: 5))
        func variant(_ id: String) throws -> [String] {
            try fixture.store.read { db in
                try db.fetchAll(sql: """
                    SELECT COALESCE(product_id, '-'), COALESCE(sku, '-'), COALESCE(barcode, '-'), COALESCE(CAST(unit_cost_minor AS TEXT), '-'),
                           CAST(location_aware AS TEXT) FROM catalog_variants WHERE variant_id = ?
                    """, arguments: [id]).map { row in try (0..<5).map { try row[$0] as String } }
            }.flatMap { $0 }
        }
        #expect(try variant("3001") == ["P1", "SKU-LAST", "-", "450", "1"])
        #expect(try variant("3002") == ["-", "back\\slash {1}", "a,b", "-", "1"])
        #expect(try fixture.count("SELECT count(*) FROM locations WHERE location_id = 'BACK' AND site_id = 's2' AND name = 'Back room 2'") == 1)
        let again = fixture.file("v2.csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n3002,P2,acme,\"NULL\",,2.00,false\n")
        _ = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [again])
        #expect(try variant("3002") == ["P2", "NULL", "-", "200", "0"])
        #expect(try fixture.count("SELECT count(*) FROM catalog_variants WHERE variant_id IN ('3001', '3002')") == 2)
    }

    /// SQLite inserts variants not stored yet many a statement and upserts a group holding one
    /// stored already a row at a time: loads of random variants (ids given twice in a file and
    /// again in later loads, costs changed, barcodes with leading zeros) end exactly as the same
    /// rows loaded in files too short for a group, one statement a row: every column, each
    /// replaced cost and its history, and the foreign keys checked again after. (PostgreSQL
    /// writes a file's variants in one statement, an id given twice with its last values.)
    @Test func variantsLoadManyAStatementAsOneAtATimeWould() throws {
        let backend = Backend.sqlite
        var random = SplitMix64(seed: 2026)
        let header = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
        let loads = (0..<4).map { load in
            (0..<(load == 0 ? 300 : 200)).map { _ -> String in
                let id = "V\(random.next() % (load == 0 ? 400 : 600))"
                let barcode = ["", "0042", "42", "00\(random.next() % 50)", "\(random.next() % 50)"][Int(random.next() % 5)]
                let cost = random.next() % 4 == 0 ? "" : "\(random.next() % 3).\(random.next() % 2)5"
                return "\(id),P\(random.next() % 30),\(random.next() % 5 == 0 ? "other" : "acme"),S\(random.next() % 3),\(barcode),\(cost),\(random.next() % 2 == 0)\n"
            }
        }
        func loaded(inFilesOf size: Int) throws -> [String] {
            let fixture = try Fixture(backend)
            for (number, rows) in loads.enumerated() {
                let files = stride(from: 0, to: rows.count, by: size).map { start in
                    fixture.file("v\(number)-\(start).csv", header + rows[start..<min(start + size, rows.count)].joined())
                }
                let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: files)
                #expect(report.counts.rejected == 0)
            }
            return try fixture.store.read { db in
                #expect(try db.fetchValue(Int64.self, sql: "PRAGMA foreign_keys") == 1)
                #expect(try db.fetchValue(Int64.self, sql: "SELECT count(*) FROM catalog_variants WHERE barcode_digits IS NOT ltrim(barcode, '0')") == 0)
                func texts(_ table: String, _ columns: [String], order: String) throws -> [String] {
                    let joined = columns.map { "COALESCE(CAST(\($0) AS TEXT), '~')" }.joined(separator: " || '|' || ")
                    return try db.fetchAll(sql: "SELECT \(joined) FROM \(table) ORDER BY \(order)").map { row in try row[0] as String }
                }
                return try texts("catalog_variants", [
                    "id", "variant_id", "product_id", "org_id", "sku", "barcode", "barcode_digits", "unit_cost_minor", "location_aware",
                    "previous_cost_minor", "cost_replaced_run",
                ], order: "id") + texts("catalog_cost_history", ["variant", "unit_cost_minor", "run"], order: "variant, run")
            }
        }
        let grouped = try loaded(inFilesOf: 1_000)
        let single = try loaded(inFilesOf: 31)
        #expect(grouped.count == single.count)
        #expect(Array(grouped.indices.filter { grouped[$0] != single[$0] }.prefix(5)) == [], "a group loaded unlike a row at a time")
        #expect(grouped.count > 600)
    }

    @Test(arguments: Backend.available) func aFileOfNoKnownKindIsRefused(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("x.csv", "name,colour\na,b\n")])
        #expect(report.exitStatus == 2)
        #expect(report.files.first?.failure?.message.contains("cannot tell which catalog") == true)
    }

    /// A load of variants into an empty catalog has the table's indexes of keys dropped and built
    /// after the rows (on PostgreSQL the unique ids' constraint too, the primary key kept). Such a first load ends as the same file loaded beside another tenant's
    /// variant, the ordinary way: every column, the costs an id given twice replaced (a file
    /// that gives one twice is loaded again the ordinary way, the first attempt undone). The
    /// indexes stand as the schema has them, built anew unless undone, and a reload after
    /// updates in place as it would.
    /// A file's refused rows are recorded chunk by chunk as it loads, not held to its end: each
    /// once, in file order, also where a first load is undone (an id given twice) and loaded
    /// again; the run shows the first of them.
    @Test(arguments: Backend.available, [false, true]) func refusedRowsAreEachRecordedOnceAsTheFileLoads(_ backend: Backend, givesAnIdTwice: Bool) throws {
        let fixture = try Fixture(backend, tenants: [])
        let count = 2 * CatalogChunk.size + 777
        var lines = ["variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware"]
        var refused: [Int] = []
        for index in 0 ..< count {
            let bad = index % 7 == 3
            if bad { refused.append(index + 2) }
            let id = givesAnIdTwice && index == count - 4 ? "V1" : "V\(index)"
            lines.append("\(id),P\(index / 3),acme,S\(index),\(4_000_000 + index),\(bad ? "x1.00" : "1.25"),false")
        }
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("v.csv", lines.joined(separator: "\n") + "\n")])
        #expect(report.counts == OutcomeCounts(rows: count, posted: count - refused.count, rejected: refused.count))
        let recorded = try fixture.rejections(report.runID)
        #expect(recorded.map(\.line) == refused, "each refused row recorded once, in file order")
        #expect(Set(recorded.map(\.type)) == ["invalid_cost"])
        #expect(report.sampleRejections.map(\.location.line) == Array(refused.prefix(RunReport.sampleLimit)))
        #expect(try fixture.count("SELECT count(*) FROM variants WHERE tenant_id = 't1'") == count - refused.count - (givesAnIdTwice ? 1 : 0))
    }

    @Test(arguments: Backend.available, [false, true]) func aFirstLoadIndexedAfterItsRowsEndsAsTheOrdinaryLoad(_ backend: Backend, givesAnIdTwice: Bool) throws {
        var random = SplitMix64(seed: givesAnIdTwice ? 7 : 8)
        let header = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
        func rows(_ count: Int, ids: Int) -> String {
            var order = Array(0..<ids).shuffled(using: &random)
            if givesAnIdTwice { order[count - 1] = order[count / 2] }
            return order.prefix(count).map { id -> String in
                let barcode = ["", "0042", "42", "00\(random.next() % 50)", "\(random.next() % 50)"][Int(random.next() % 5)]
                let cost = random.next() % 4 == 0 ? "" : "\(random.next() % 3).\(random.next() % 2)5"
                return "\(id),P\(random.next() % 30),acme,S\(random.next() % 40),\(barcode),\(cost),\(random.next() % 2 == 0)\n"
            }.joined()
        }
        let (first, reload) = (header + rows(500, ids: 700), header + rows(300, ids: 800))
        // Each index as the schema defines it (PostgreSQL's without the fixture's schema name), and
        // where the unique index of ids lies: built anew, it lies elsewhere.
        func indexes(_ db: any SQLConnection) throws -> [String] {
            try db.fetchAll(sql: backend == .sqlite
                ? "SELECT name || ' ' || sql FROM sqlite_master WHERE tbl_name = 'catalog_variants' AND type = 'index' ORDER BY name"
                : """
                    SELECT indexname || ' ' || replace(indexdef, current_schema() || '.', '') FROM pg_indexes
                    WHERE schemaname = current_schema() AND tablename = 'catalog_variants' ORDER BY indexname
                    """)
                .map { try $0[0] as String }
        }
        func rootPage(_ db: any SQLConnection) throws -> Int64? {
            try db.fetchValue(Int64.self, sql: backend == .sqlite
                ? "SELECT rootpage FROM sqlite_master WHERE name = 'catalog_variants_by_id'"
                : """
                    SELECT CAST(c.oid AS BIGINT) FROM pg_class c
                    WHERE c.relname = 'catalog_variants_tenant_variant_id_key' AND c.relnamespace = CAST(current_schema() AS regnamespace)
                    """)
        }
        func loaded(beside others: [String]) throws -> (rows: [String], indexes: [String], rebuilt: Bool) {
            let fixture = try Fixture(backend, tenants: others)
            let before = try fixture.store.read { try rootPage($0) }
            #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("v.csv", first)]).counts.rejected == 0)
            let after = try fixture.store.read { try rootPage($0) }
            #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("r.csv", reload)]).counts.rejected == 0)
            return try fixture.store.read { db in
                if backend == .sqlite { #expect(try db.fetchValue(String.self, sql: "PRAGMA integrity_check") == "ok") }
                let columns = ["variant_id", "product_id", "org_id", "sku", "barcode", "barcode_digits", "unit_cost_minor", "location_aware", "previous_cost_minor"]
                    .map { "COALESCE(CAST(v.\($0) AS TEXT), '~')" }.joined(separator: " || '|' || ")
                let variants = try db.fetchAll(sql: """
                    SELECT \(columns) || '|' || (v.cost_replaced_run IS NOT NULL) FROM catalog_variants v JOIN tenants t ON t.id = v.tenant
                    WHERE t.tenant_id = 't1' ORDER BY v.id
                    """).map { try $0[0] as String }
                let history = try db.fetchAll(sql: """
                    SELECT v.variant_id || '|' || COALESCE(CAST(h.unit_cost_minor AS TEXT), '~') FROM catalog_cost_history h
                    JOIN catalog_variants v ON v.id = h.variant JOIN tenants t ON t.id = h.tenant WHERE t.tenant_id = 't1' ORDER BY h.variant, h.run
                    """).map { try $0[0] as String }
                return (variants + ["history"] + history, try indexes(db), before != after)
            }
        }
        let ordinary = try loaded(beside: ["t0"])
        let indexedAfter = try loaded(beside: [])
        #expect(!ordinary.rebuilt)
        // PostgreSQL writes a chunk's entries in one statement, an id given twice in it once with
        // its last values: only one given again in a later chunk undoes the load there
        // (`refusedRowsAreEachRecordedOnceAsTheFileLoads`).
        #expect(indexedAfter.rebuilt == (backend == .postgres || !givesAnIdTwice), "a first load's indexes built after its rows, unless an id given twice undid it")
        #expect(indexedAfter.indexes == ordinary.indexes)
        #expect(indexedAfter.indexes.count == (backend == .sqlite ? 5 : 6))
        #expect(indexedAfter.rows.count == ordinary.rows.count)
        #expect(Array(indexedAfter.rows.indices.filter { indexedAfter.rows[$0] != ordinary.rows[$0] }.prefix(5)) == [])
        #expect(ordinary.rows.count > 700)
        #expect(try #require(ordinary.rows.firstIndex(of: "history")) < ordinary.rows.count - 50, "a reload replaced costs")
    }

    /// Every text of a variant is stored as the file gives it, through each way a load writes
    /// (a first load's plain inserts, a reload's groups of upserts and its single ones): empty
    /// fields as NULL, texts beyond ASCII, a barcode's digits without its leading zeros, and
    /// names of kilobytes and of megabytes, longer than the buffer a group's texts share.
    @Test(arguments: Backend.available) func aLoadStoresEachTextAsGiven(_ backend: Backend) throws {
        var random = SplitMix64(seed: 29)
        // Ids (product, sku) at most as long as an id may be; names of any length.
        func id(_ variant: Int) -> String {
            ["", "é€𝄞 \(variant)", "t\(random.next() % 1_000)", String(repeating: "i", count: 1_000)][Int(random.next() % 4)]
        }
        func name(_ variant: Int) -> String {
            if variant == 77 { return String(repeating: "m", count: 5_000_000) }
            // What COPY's text must escape: a tab, line ends, a backslash, its NULL marker.
            if variant % 40 == 9 { return "tab\there\nline\r\\N back\\slash \(variant)" }
            return ["", "é€𝄞 \(variant)", String(repeating: "n\(variant % 10)", count: 1 + Int(random.next() % 5_000)), "t\(random.next() % 1_000)"][
                Int(random.next() % 4)]
        }
        var expected: [String: [String?]] = [:]
        func file(_ variants: Range<Int>) -> String {
            "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware,product_name,variant_title\n" + variants.map { variant in
                let fields = [id(variant), "acme", id(variant), ["", "0042", "000", "7"][Int(random.next() % 4)], "1.00", "false", name(variant), name(variant)]
                let barcode = fields[3]
                let digits = barcode.isEmpty ? nil : String(barcode.drop { $0 == "0" })
                expected["v\(variant)"] = [fields[0], fields[2], fields[6], fields[7], barcode].map { $0.isEmpty ? nil : $0 } + [digits]
                return (["v\(variant)"] + fields.map { "\"\($0)\"" }).joined(separator: ",") + "\n"
            }.joined()
        }
        let fixture = try Fixture(backend, tenants: [])
        // A first load, then a reload of half of it and more.
        for variants in [0 ..< 200, 100 ..< 333] {
            let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("v\(variants.lowerBound).csv", file(variants))])
            let rejected = try fixture.rejections(report.runID).prefix(2).map { "\($0.type) \($0.field ?? "")" }
            #expect(report.counts.rejected == 0, "\(rejected)")
        }
        try fixture.store.read { db in
            let rows = try db.fetchAll(sql: """
                SELECT variant_id, product_id, sku, product_name, variant_title, barcode, barcode_digits FROM catalog_variants ORDER BY variant_id
                """)
            #expect(rows.count == expected.count)
            let differing = try rows.filter { row in try (1 ... 6).map { try row[$0] as String? } != expected[try row[0] as String] }
            #expect(try differing.map { try $0[0] as String } == [])
        }
    }

    /// A first load that fails half-way (a row of too many fields) leaves the catalog empty and
    /// its indexes as they were (the same ones, where they were); the next load goes on as the first.
    @Test(arguments: Backend.available) func aFirstLoadThatFailsLeavesTheIndexesAsTheyWere(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: [])
        func schema() throws -> [String] {
            try fixture.store.read { db in
                try db.fetchAll(sql: backend == .sqlite
                    ? "SELECT name || ' ' || rootpage || ' ' || sql FROM sqlite_master WHERE tbl_name = 'catalog_variants' ORDER BY name"
                    : """
                        SELECT c.relname || ' ' || c.oid || ' ' || pg_get_indexdef(c.oid) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid
                        WHERE i.indrelid = CAST('catalog_variants' AS regclass) ORDER BY c.relname
                        """)
                    .map { try $0[0] as String }
            }
        }
        let before = try schema()
        let rows = (0..<100).map { "V\($0),P1,acme,S\($0),,1.00,false\n" }.joined()
        let broken = fixture.file("v.csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n" + rows + "V100,P1,acme,S,,1.00,false,extra\n")
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [broken])
        #expect(report.exitStatus == 2)
        #expect(try fixture.count("SELECT count(*) FROM catalog_variants") == 0)
        #expect(try schema() == before)
        #expect(before.count == (backend == .sqlite ? 7 : 6))
        let whole = fixture.file("w.csv", "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n" + rows)
        #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [whole]).counts == OutcomeCounts(rows: 100, posted: 100))
        #expect(try fixture.count("SELECT count(*) FROM catalog_variants WHERE sku = 'S42'") == 1)
    }
}
