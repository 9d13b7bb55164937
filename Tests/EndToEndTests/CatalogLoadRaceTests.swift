import Foundation
import TestSupport
import Testing

/// Processes loading catalogs at once into a database with no variant yet. On SQLite the first
/// to take the write lock loads with the variants' indexes built after its rows; the others
/// wait, then load beside it the ordinary way. Each tenant ends with its own variants, an id
/// given twice with its last row, no id stored twice, and every index in place.
@Suite struct CatalogLoadRaceTests {
    @Test(arguments: Backend.available) func processesLoadingFirstCatalogsAtOnceEachEndWhole(_ backend: Backend) throws {
        for attempt in 1...2 {
            let scratch = Scratch(backend)
            let header = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
            let rows = (0..<3000).map { "V\($0),P\($0 / 2),acme,S\($0),00\(4000 + $0),1.\($0 % 90 + 10),false\n" }.joined()
            let variants = scratch.file("variants.csv", header + rows)
            let twice = scratch.file("twice.csv", header + rows + "V7,P7,acme,S-LAST,,9.99,true\n")
            let loads = [("a", variants), ("b", variants), ("c", twice), ("a", variants)]
            let processes = try loads.map { tenant, file in
                try Binary.start(["catalog", "import", "--db", scratch.database, "--tenant", tenant, file])
            }
            for process in processes { process.waitUntilExit() }
            #expect(processes.map(\.terminationStatus) == [0, 0, 0, 0], "try \(attempt)")
            let perTenant = try scratch.query("""
                SELECT \(scratch.concatenated("t.tenant_id || ':' || n")) FROM (
                  SELECT t.tenant_id, count(*) AS n FROM catalog_variants v JOIN tenants t ON t.id = v.tenant GROUP BY t.tenant_id) t
                """)
            #expect(perTenant.trimmingCharacters(in: .whitespacesAndNewlines) == "a:3000;b:3000;c:3000", "try \(attempt)")
            let last = try scratch.query("""
                SELECT v.sku || ' ' || v.unit_cost_minor || ' ' || v.location_aware FROM catalog_variants v JOIN tenants t ON t.id = v.tenant
                WHERE t.tenant_id = 'c' AND v.variant_id = 'V7'
                """)
            #expect(last.trimmingCharacters(in: .whitespacesAndNewlines).hasPrefix("S-LAST 999 "), "try \(attempt)")
            let storedTwice = try scratch.query("SELECT count(*) FROM (SELECT tenant, variant_id FROM catalog_variants GROUP BY tenant, variant_id HAVING count(*) > 1) AS twice")
            #expect(storedTwice.trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            guard backend == .sqlite else { continue }
            #expect(try scratch.query("PRAGMA integrity_check").trimmingCharacters(in: .whitespacesAndNewlines) == "ok")
            let indexes = try scratch.query("SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'catalog_variants' ORDER BY name)")
            #expect(indexes.trimmingCharacters(in: .whitespacesAndNewlines) == [
                "catalog_variants_by_barcode", "catalog_variants_by_cost_replaced", "catalog_variants_by_id", "catalog_variants_by_product",
                "catalog_variants_by_sku",
            ].joined(separator: " "))
        }
    }
}
