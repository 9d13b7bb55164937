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

    @Test(arguments: Backend.available) func aFileOfNoKnownKindIsRefused(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("x.csv", "name,colour\na,b\n")])
        #expect(report.exitStatus == 2)
        #expect(report.files.first?.failure?.message.contains("cannot tell which catalog") == true)
    }
}
