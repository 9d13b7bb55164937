import Foundation
import TestSupport
import Testing

/// The exports shop systems write, read as they come through their presets (issue 25):
/// each preset on its fixture, books and count.
@Suite struct PresetTests {
    static let books: [(preset: String, counts: String, balances: String)] = [
        ("shopify-inventory", #""rows":4,"posted":3,"pending":0,"rejected":0,"unchanged":1"#, "1001@WH-MAIN=5;1002@WH-MAIN=6;1003@STORE-1=3"),
        ("shopify-inventory-older", #""rows":3,"posted":2,"pending":0,"rejected":0,"unchanged":1"#, "1001@WH-MAIN=4;1002@WH-MAIN=6"),
        ("shopify-inventory-oldest", #""rows":6,"posted":3,"pending":0,"rejected":0,"unchanged":3"#, "1001@WH-MAIN=4;1002@WH-MAIN=6;1003@STORE-1=3"),
        // The stove's batches add up: 3 + 1 + 0.
        ("erpnext-stock-reconciliation", #""rows":5,"posted":4,"pending":0,"rejected":0,"unchanged":1"#, "1001@WH-MAIN=4;1002@WH-MAIN=4;1003@WH-BACK=5"),
        ("odoo-quant", #""rows":3,"posted":3,"pending":0,"rejected":0,"unchanged":0"#, "1001@WH-MAIN=4;1002@WH-MAIN=6;1003@STORE-1=3"),
        // A `'`-guarded SKU, and a product without SKU named by its (guarded) GTIN.
        ("woocommerce", #""rows":4,"posted":3,"pending":0,"rejected":0,"unchanged":1"#, "1001@WH-MAIN=4;1002@WH-MAIN=2;1004@WH-MAIN=3"),
        // A variation without SKU is named by its GTIN (written with a GTIN-14's leading zero).
        ("square-item-library", #""rows":8,"posted":5,"pending":0,"rejected":0,"unchanged":3"#,
         "1001@WH-MAIN=5;1002@STORE-1=1;1002@WH-MAIN=6;1003@STORE-1=3;1004@WH-MAIN=3"),
        ("lightspeed-x-series", #""rows":4,"posted":2,"pending":0,"rejected":0,"unchanged":2"#, "1001@STORE-1=-2;1001@WH-MAIN=4"),
    ]

    static func balances(_ scratch: Scratch) throws -> String {
        try scratch.query("""
            SELECT \(scratch.concatenated("variant_id || '@' || location_id || '=' || on_hand"))
            FROM (SELECT * FROM balances ORDER BY variant_id, location_id) AS b
            """)
    }

    @Test(arguments: Self.books.map(\.preset))
    func eachPresetReadsItsExportAsTheBooks(_ preset: String) throws {
        let expected = try #require(Self.books.first { $0.preset == preset })
        let scratch = Scratch()
        let db = ["--db", scratch.database]
        #expect(try Binary.run(["catalog", "import", "--tenant", "acme"] + Binary.fixtureCatalog + db).status == 0)
        let result = try Binary.run(["import", "--tenant", "acme", "--org", "acme", "--format", preset, "--json", "fixtures/presets/\(preset).csv"] + db)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(expected.counts), "\(result.stdout)")
        #expect(try Self.balances(scratch) == expected.balances)
    }

    @Test func aShopifyStocktakeEndToEndToTheCent() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "acme"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        // The books first (On hand (current)), then the count (On hand (new)) of the same export.
        #expect(try Binary.run(["import", "--org", "acme", "--format", "shopify-inventory", "fixtures/presets/shopify-inventory.csv"] + db).status == 0)
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "FULL", "--name", "Shopify", "--user", "alice"] + db).status == 0)
        let added = try Binary.run(["count", "add", "1", "--user", "bob", "--format", "shopify-inventory", "--json", "fixtures/presets/shopify-inventory.csv"] + db)
        #expect(added.status == 0, "\(added.stderr)")
        // Tent counted 6 (books 5), lamp at the city store 2 (books 3); the stove and the lamp
        // not stocked in the back room are not counted.
        #expect(added.stdout.contains(#""rows":4,"posted":0,"pending":2,"rejected":0,"unchanged":2"#), "\(added.stdout)")
        let completed = try Binary.run(["count", "complete", "1", "--apply", "--user", "alice", "--json"] + db)
        #expect(completed.status == 0, "\(completed.stderr)")
        #expect(completed.stdout.contains(#""missing_value_minor":-1200,"excess_value_minor":8990,"net_variance_minor":7790"#), "\(completed.stdout)")
        #expect(try Self.balances(scratch) == "1001@WH-MAIN=6;1002@WH-MAIN=6;1003@STORE-1=2")
        // A preset without a counted column is refused for a count sheet, naming why.
        let booksOnly = try Binary.run(["count", "add", "1", "--user", "bob", "--format", "woocommerce", "fixtures/presets/woocommerce.csv"] + db)
        #expect(booksOnly.status == 64)
        #expect(booksOnly.stderr.contains("no counted column"))
    }

    @Test func aSquareStocktakeOfAWideSheetEndToEndToTheCent() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "acme"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        let books = try Binary.run(["import", "--org", "acme", "--json", "fixtures/presets/square-item-library.csv"] + db)
        #expect(books.stderr.contains("read as square-item-library"), "\(books.stderr)")
        // Again: each location column's row is its own, and a duplicate.
        let again = try Binary.run(["import", "--org", "acme", "--format", "square-item-library", "--json", "fixtures/presets/square-item-library.csv"] + db)
        #expect(again.stdout.contains(#""rows":8,"posted":0,"pending":0,"rejected":0,"unchanged":0,"duplicate":8"#), "\(again.stdout)")
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "FULL", "--name", "Square", "--user", "alice"] + db).status == 0)
        let added = try Binary.run(["count", "add", "1", "--user", "bob", "--format", "square-item-library", "--json", "fixtures/presets/square-item-library.csv"] + db)
        #expect(added.stdout.contains(#""rows":8,"posted":0,"pending":4,"rejected":0,"unchanged":4"#), "\(added.stdout) \(added.stderr)")
        let completed = try Binary.run(["count", "complete", "1", "--apply", "--user", "alice", "--json"] + db)
        #expect(completed.stdout.contains(#""missing_value_minor":-1200,"excess_value_minor":8990,"net_variance_minor":7790"#), "\(completed.stdout)")
        #expect(try Self.balances(scratch) == "1001@WH-MAIN=6;1002@STORE-1=1;1002@WH-MAIN=6;1003@STORE-1=2;1004@WH-MAIN=3")
    }

    @Test func formatsListsEveryFormatAndPresetWithItsHeaders() throws {
        let listed = try Binary.run(["formats"])
        #expect(listed.status == 0)
        for name in ["canonical", "synq", "shopify-inventory", "erpnext-stock-reconciliation", "odoo-quant", "woocommerce"] {
            #expect(listed.stdout.contains("\(name)"), "\(name) missing: \(listed.stdout)")
        }
        #expect(listed.stdout.contains("SKU, On hand (current), Location; counted: On hand (new)"))
        let unknown = try Binary.run(["import", "--tenant", "t", "--org", "acme", "--format", "shopfy", "x.csv"])
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("shopify-inventory"))
    }
}

/// Without --format or --mapping, the header says which format or preset reads a file (issue 25).
@Suite struct SniffingTests {
    @Test func theOneFittingFormatOrPresetIsChosenAndSaid() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "acme"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        let shopify = try Binary.run(["import", "--org", "acme", "--json", "fixtures/presets/shopify-inventory.csv"] + db)
        #expect(shopify.status == 0, "\(shopify.stderr)")
        #expect(shopify.stderr.contains("read as shopify-inventory (header of fixtures/presets/shopify-inventory.csv)"))
        // Each of Shopify's three layouts fits its own preset only.
        for layout in ["shopify-inventory-older", "shopify-inventory-oldest"] {
            let read = try Binary.run(["import", "--org", "acme", "--dry-run", "fixtures/presets/\(layout).csv"] + db)
            #expect(read.stderr.contains("read as \(layout) (header"), "\(layout): \(read.stderr)")
        }
        let synq = try Binary.run(["import", "--org", "acme", "fixtures/imports/nightly-synq.csv"] + db)
        #expect(synq.stderr.contains("read as synq"), "\(synq.stderr)")
        let canonical = scratch.file("c.csv", "variant_id,quantity_after,transaction_type\n1002,9,set\n")
        #expect(try Binary.run(["import", "--org", "acme", canonical] + db).stderr.contains("read as canonical"))
    }

    @Test func noneFittingNamesTheNearestAndWhatTheyNeed() throws {
        let scratch = Scratch()
        let file = scratch.file("odd.csv", "SKU,Menge\nTENT-2P,3\n")
        let result = try Binary.run(["import", "--tenant", "acme", "--org", "acme", file, "--db", scratch.database])
        #expect(result.status == 64)
        #expect(result.stderr.contains("no format or preset fits the header") && result.stderr.contains("needs"), "\(result.stderr)")
    }

    @Test func twoFittingIsAnErrorNamingBoth() throws {
        let scratch = Scratch()
        // Shopify's current and older layouts both, in one header.
        let file = scratch.file("both.csv", "SKU,Location,On hand (current),On hand (new),On hand\nTENT-2P,Main warehouse,1,2,1\n")
        let result = try Binary.run(["import", "--tenant", "acme", "--org", "acme", file, "--db", scratch.database])
        #expect(result.status == 64)
        #expect(result.stderr.contains("shopify-inventory and shopify-inventory-older"), "\(result.stderr)")
    }

    @Test func aCountSheetWithoutAFormatIsReadByThePresetItsHeaderFits() throws {
        let scratch = Scratch()
        let db = ["--db", scratch.database, "--tenant", "acme"]
        #expect(try Binary.run(["catalog", "import"] + Binary.fixtureCatalog + db).status == 0)
        #expect(try Binary.run(["count", "start", "--org", "acme", "--type", "FULL", "--name", "x", "--user", "alice"] + db).status == 0)
        let added = try Binary.run(["count", "add", "1", "--user", "bob", "--json", "fixtures/presets/odoo-quant.csv"] + db)
        #expect(added.status == 0, "\(added.stderr)")
        #expect(added.stderr.contains("read as odoo-quant"))
        #expect(added.stdout.contains(#""pending":2"#), "\(added.stdout)")
    }
}
