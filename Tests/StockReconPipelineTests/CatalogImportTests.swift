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

    @Test(arguments: Backend.available) func aFileOfNoKnownKindIsRefused(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("x.csv", "name,colour\na,b\n")])
        #expect(report.exitStatus == 2)
        #expect(report.files.first?.failure?.message.contains("cannot tell which catalog") == true)
    }
}
