import Foundation
@testable import StockReconCore
import StockReconIO
@testable import StockReconPipeline
@testable import StockReconStore
import TestSupport
import Testing

/// A run reads only the variants its file names when they are few beside the catalog's
/// (issue 29): such a catalog must find every key exactly as the whole one does.
@Suite struct CatalogLookupTests {
    /// A random catalog whose keys collide the ways real ones do: skus and barcodes shared,
    /// barcodes that differ only in leading zeros, products of one and of several variants,
    /// ids that look like numbers (`7` and `007` are two), skus equal to another's id.
    struct RandomCatalog {
        var variants = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
        var probes: [String] = []

        /// The same ids every time (so that a reload updates them); the rest drawn from `rng`.
        init(count: Int, rng: inout SplitMix64) {
            var texts: Set<String> = ["nope", "0", "000", ""]
            for i in 0..<count {
                let id = ["V\(i)", "\(i)", "00\(i)"][i % 3]
                let product = rng.next() % 4 == 0 ? "" : "P\(rng.next() % UInt64(count / 2))"
                let sku = switch rng.next() % 10 {
                case 0, 1: ""
                case 2: "\(rng.next() % UInt64(count))"
                default: "S\(rng.next() % UInt64(count * 3 / 4))"
                }
                let zeros = String(repeating: "0", count: Int(rng.next() % 3))
                let barcode = switch rng.next() % 10 {
                case 0, 1: ""
                case 2: "A\(rng.next() % 50)"
                default: zeros + "\(100 + rng.next() % UInt64(count / 2))"
                }
                let org = rng.next() % 3 == 0 ? "b" : "a"
                variants += "\(id),\(product),\(org),\(sku),\(barcode),1.00,false\n"
                texts.formUnion([id, product, sku, barcode, String(barcode.drop { $0 == "0" }), "0" + barcode])
            }
            probes = texts.sorted().filter { _ in rng.next() % 3 == 0 }
        }
    }

    static func load(_ catalog: RandomCatalog, tenant: String, into fixture: Fixture) throws {
        let files = [
            fixture.file("orgs.csv", "org_id,name,default_location_id\na,A,WH\nb,B,WH\n"),
            fixture.file("locations.csv", "location_id,site_id,name\nWH,s1,Warehouse\nSHOP,s1,Shop\n"),
            fixture.file("variants-\(tenant).csv", catalog.variants),
        ]
        let report = try CatalogImport(store: fixture.store).run(tenantID: tenant, files: files)
        #expect(report.counts.rejected == 0)
    }

    /// Runs `body` with every whole catalog of more than `mappedFrom` variants mapped from an
    /// index file in a folder of its own (nil: as configured).
    static func mapping<Result>(from mappedFrom: Int?, _ body: () throws -> Result) throws -> Result {
        guard let mappedFrom else { return try body() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("variant-index-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try Store.$mappedCatalogFrom.withValue(mappedFrom) { try Store.$variantIndexFolder.withValue(folder) { try body() } }
    }

    /// The variant index files in the folder `mapping(from:_:)` set.
    static func indexFiles() throws -> [String] {
        let folder = try #require(Store.variantIndexFolder)
        return ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".index") }
    }

    /// Every probe, by every kind of id, finds the same variant (or none, or the same
    /// ambiguity) in the catalog of the variants it names, and in the whole catalog mapped from
    /// a variant index file, as in the whole catalog read into memory.
    static func expectSameLookups(in store: Store, tenant: String, probes: [String]) throws -> (found: Int, shared: Int) {
        var found = 0
        var shared = 0
        try store.read { db in
            let key = try Store.tenantKey(db, tenant)
            let whole = try Store.catalog(tenant: key, in: db)
            #expect(!whole.isMapped)
            let mapped = try mapping(from: 0) { try Store.catalog(tenant: key, in: db) }
            try #require(mapped.isMapped, "the catalog was not mapped")
            #expect(mapped.variantCount == whole.variantCount)
            for index in 0..<whole.variantCount {
                #expect(mapped.variant(at: index) == whole.variant(at: index))
                #expect(mapped.facts(at: index) == whole.facts(at: index))
            }
            for org in ["a", "b", "c"] { #expect(mapped.orgIndex(of: org) == whole.orgIndex(of: org), "org \(org)") }
            var mixed = NamedVariantKeys()
            for kind in VariantKeyKind.allCases {
                var keys = NamedVariantKeys()
                for probe in probes {
                    keys.add(probe, by: kind)
                    mixed.add(probe, by: kind)
                }
                let part = try Store.catalog(tenant: key, variants: .named(keys), in: db)
                #expect(part.variantCount < whole.variantCount, "\(kind): more than the named variants were read")
                for probe in probes {
                    let expected = whole.variant(probe, by: kind)
                    let wholly = whole.ambiguity(probe, by: kind)
                    let restored = whole.variantIndex(barcodeWithoutLeadingZeros: probe).map(whole.variant(at:))
                    for (label, other) in [("named", part), ("mapped", mapped)] {
                        #expect(other.variant(probe, by: kind) == expected, "\(label) \(kind) \(probe)")
                        let ambiguity = other.ambiguity(probe, by: kind)
                        #expect(ambiguity?.what == wholly?.what && ambiguity?.variants == wholly?.variants, "\(label) \(kind) \(probe)")
                        if kind == .barcode || kind == .any {
                            #expect(other.variantIndex(barcodeWithoutLeadingZeros: probe).map(other.variant(at:)) == restored, "\(label) \(kind) \(probe)")
                        }
                    }
                    if expected != nil { found += 1 }
                    if wholly != nil { shared += 1 }
                }
                // Only this tenant's rows: each is the whole catalog's variant of its id.
                for index in 0..<part.variantCount {
                    let variant = part.variant(at: index)
                    #expect(whole.variant(variant.variantID, by: .variantID) == variant)
                }
            }
            // A file with columns of several kinds reads the variants of each.
            let part = try Store.catalog(tenant: key, variants: .named(mixed), in: db)
            for kind in VariantKeyKind.allCases {
                for probe in probes { #expect(part.variant(probe, by: kind) == whole.variant(probe, by: kind), "mixed \(kind) \(probe)") }
            }
        }
        return (found, shared)
    }

    @Test(arguments: Backend.available) func theVariantsAFileNamesAreFoundAsInTheWholeCatalog(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: [])
        var rng = SplitMix64(seed: 29)
        // The second round reloads the same ids: variants move between orgs, skus and barcodes change.
        for round in 0..<2 {
            var probes = Set<String>()
            for tenant in ["t1", "t2"] {
                let catalog = RandomCatalog(count: 400, rng: &rng)
                try Self.load(catalog, tenant: tenant, into: fixture)
                probes.formUnion(catalog.probes)
            }
            for tenant in ["t1", "t2"] {
                let (found, shared) = try Self.expectSameLookups(in: fixture.store, tenant: tenant, probes: probes.sorted())
                // The probes found variants and met shared keys: the comparison was not of nothing.
                #expect(found > 100 && shared > 20, "round \(round), \(tenant): \(found) found, \(shared) shared")
            }
        }
    }

    /// A catalog larger than one chunk of the streamed load, loaded again with other values:
    /// each variant holds what the last file said, under the internal id it first had.
    @Test(arguments: Backend.available) func aLargeCatalogLoadedAgainUpdatesEachVariantInPlace(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: [])
        var rng = SplitMix64(seed: 7)
        var firstIDs: [String: Int64] = [:]
        var file = ""
        for round in 0..<3 {
            // The third round loads the second's file again: nothing changes.
            if round < 2 { file = RandomCatalog(count: 25_000, rng: &rng).variants }
            let report = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [
                fixture.file("orgs.csv", "org_id,name,default_location_id\na,A,WH\nb,B,WH\n"),
                fixture.file("locations.csv", "location_id,site_id,name\nWH,s1,Warehouse\n"),
                fixture.file("variants-t1.csv", file),
            ])
            #expect(report.counts.posted == 25_003)
            let whole = try fixture.store.read { db in try Store.catalog(tenant: try Store.tenantKey(db, "t1"), in: db) }
            #expect(whole.variantCount == 25_000)
            for line in file.split(separator: "\n").dropFirst() {
                let field = line.split(separator: ",", omittingEmptySubsequences: false).map { $0.isEmpty ? nil : String($0) }
                guard let id = field[0], let variant = whole.variant(id, by: .variantID) else {
                    Issue.record("round \(round): \(line) was not loaded")
                    continue
                }
                #expect([variant.productID, variant.orgID, variant.sku, variant.barcode] == [field[1], field[2], field[3], field[4]], "round \(round): \(line)")
                if round == 0 { firstIDs[id] = variant.id } else { #expect(firstIDs[id] == variant.id) }
            }
        }
    }

    /// Files of every kind of variant column, imported against the variants they name and
    /// against the whole catalog, end the same: counts, rejections and balances.
    @Test(arguments: Backend.available) func aFileEndsTheSameAgainstItsNamedVariantsAsAgainstTheWholeCatalog(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 2_900)
        let catalog = RandomCatalog(count: 600, rng: &rng)
        let other = RandomCatalog(count: 600, rng: &rng)
        let mappings = [
            "columns: {variant_by: variant_id, variant: item, quantity: qty}\n",
            "columns: {variant_by: sku, variant: item, quantity: qty}\n",
            "columns: {variant_by: barcode, variant: item, quantity: qty}\n",
            "columns: {variant_by: product_id, variant: item, quantity: qty}\n",
            "columns: {variant_by: any, variant: item, quantity: qty}\n",
            "columns: {variant_by: sku, variant: item, variant_fallback: code, variant_fallback_by: barcode, quantity: qty}\n",
        ]
        var outcomes: [[String]] = []
        // The whole catalog read into memory, then mapped from an index file.
        for (reading, mappedFrom) in [(RunCatalog.Reading.named, nil), (.whole, nil), (.whole, 0)] { try Self.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend, tenants: [])
            try Self.load(catalog, tenant: "t1", into: fixture)
            try Self.load(other, tenant: "t2", into: fixture)
            var lines: [String] = []
            for (number, text) in mappings.enumerated() {
                var rows = "item,code,qty,file\n"  // each file its own bytes
                for (index, probe) in catalog.probes.enumerated() {
                    rows += "\(probe),\(catalog.probes[(index * 7) % catalog.probes.count]),\(index % 5 + 1),\(number)\n"
                }
                let mapping = try MappingFile.parse(text, file: "m\(number).yaml")
                var request = ImportRequest(tenantID: "t1", orgID: "a", mapping: mapping, files: [fixture.file("f\(number).csv", rows)])
                request.catalogReading = reading
                let report = try ImportPipeline(store: fixture.store).run(request)
                lines.append("\(number): \(report.counts) \(report.files.map(\.barcodesWithoutLeadingZeros))")
            }
            lines += try Self.rejectionsAndBalances(in: fixture.store)
            if mappedFrom != nil { #expect(try Self.indexFiles().count == 1, "the catalog mapped from a file") }
            outcomes.append(lines)
        } }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0] == outcomes[2])
        // Rows were posted and rejected both: the files met the catalog's every case.
        for type in ["unknown_variant", "cross_brand", "names several variants"] {
            #expect(outcomes[0].contains { $0.contains(type) }, "no row met \(type)")
        }
        #expect(outcomes[0].filter { $0.hasPrefix("t1 ") }.count > 50)
    }

    /// What a store's imports left: every rejection (where, what, why) and every balance.
    /// The rejections by file and line, then the rows `sql` reads, each as a line of text: what
    /// a file read two ways must end with alike.
    static func rejectionsAndRows(_ sql: String, in store: Store) throws -> [String] {
        try store.read { db in
            try (db.fetchAll(sql: "SELECT source_file, source_line, type, msg FROM rejections ORDER BY 1, 2, 3") + db.fetchAll(sql: sql)).map { row in
                row.values.map { value in
                    switch value {
                    case .null: "-"
                    case .integer(let integer): "\(integer)"
                    case .text(let text): text
                    case .blob(let bytes): "\(bytes)"
                    }
                }.joined(separator: " ")
            }
        }
    }

    static func rejectionsAndBalances(in store: Store) throws -> [String] {
        try store.read { db in
            try db.fetchAll(sql: "SELECT source_file, source_line, type, msg, ctx FROM rejections ORDER BY 1, 2, 3").map { row in
                "\(try row[0] as String):\(try row[1] as Int64? ?? 0) \(try row[2] as String) \(try row[3] as String) \(try row[4] as String)"
            }
            + db.fetchAll(sql: "SELECT tenant_id, variant_id, location_id, on_hand FROM balances ORDER BY 1, 2, 3").map { row in
                "\(try row[0] as String) \(try row[1] as String) \(try row[2] as String) \(try row[3] as Int64)"
            }
        }
    }

    /// Over a mapped catalog rows are held a batch at a time and their variants looked up
    /// together. Files of many batches (rows with long notes fill one in a few rows), with keys
    /// used twice and rows of a file seen before, end as over the catalog read into memory:
    /// counts, rejections, balances, and each row's key's outcome.
    @Test(arguments: Backend.available) func rowsCheckedABatchAtATimeEndAsRowsCheckedOneAtATime(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 2_929)
        let catalog = RandomCatalog(count: 600, rng: &rng)
        let note = String(repeating: "n", count: 300_000)
        var rows = "item,code,qty,key,note\n"
        for index in 0..<2_000 {
            let probe = catalog.probes[Int(rng.next() % UInt64(catalog.probes.count))]
            let code = catalog.probes[(index * 7) % catalog.probes.count]
            // A key now and then given again, with the same row or another quantity.
            let key = index % 9 == 0 ? "k\(index / 3)" : "k\(index)"
            rows += "\(probe),\(code),\(index % 5 + 1),\(key),\(index % 40 == 0 ? note : "")\n"
        }
        let mappings = [
            "columns: {variant_by: variant_id, variant: item, quantity: qty, idempotency_key: key, notes: note}\n",
            "columns: {variant_by: sku, variant: item, variant_fallback: code, variant_fallback_by: barcode, quantity: qty, idempotency_key: key, notes: note}\n",
            "columns: {variant_by: any, variant: item, quantity: qty, notes: note}\n",
        ]
        var outcomes: [[String]] = []
        for mappedFrom in [nil, 0] { try Self.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend, tenants: [])
            try Self.load(catalog, tenant: "t1", into: fixture)
            var lines: [String] = []
            for (number, text) in mappings.enumerated() {
                let mapping = try MappingFile.parse(text, file: "m\(number).yaml")
                // Each file twice: the second run's rows are the first's, settled before checked.
                let path = fixture.file("f\(number).csv", rows.replacingOccurrences(of: ",k", with: ",m\(number)k").replacingOccurrences(of: ",m\(number)key,", with: ",key,"))
                for _ in 0..<2 {
                    let report = try ImportPipeline(store: fixture.store).run(
                        ImportRequest(tenantID: "t1", orgID: "a", mapping: mapping, files: [path]))
                    lines.append("\(number): \(report.counts) \(report.files.map(\.barcodesWithoutLeadingZeros))")
                }
            }
            lines += try Self.rejectionsAndBalances(in: fixture.store)
            if mappedFrom != nil { #expect(try Self.indexFiles().count == 1, "the catalog mapped from a file") }
            outcomes.append(lines)
        } }
        #expect(outcomes[0] == outcomes[1])
        for type in ["unknown_variant", "cross_brand", "names several variants", "duplicate"] {
            #expect(outcomes[0].contains { $0.contains(type) }, "no row met \(type)")
        }
        #expect(outcomes[0].filter { $0.hasPrefix("t1 ") }.count > 50)
    }

    /// Shop systems' layouts over a mapped catalog, rows held a batch at a time: a wide sheet
    /// (a quantity column a location, each row's inputs looked up once), a sheet whose cells
    /// fill down from the rows above (the item too), and variants named by any kind, each file
    /// imported twice (the second run reads its rejected rows again, the others settled), end
    /// as over the catalog read into memory: counts, rejections, balances.
    @Test(arguments: Backend.available) func shopExportLayoutsEndTheSameOverAMappedCatalog(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 2_931)
        let catalog = RandomCatalog(count: 600, rng: &rng)
        let note = String(repeating: "n", count: 300_000)
        var wide = "item,Stock Warehouse,Stock Shop,note\n"
        var filled = "doc,date,item,qty,place,note\n"
        for index in 0..<2_000 {
            let probe = catalog.probes[Int(rng.next() % UInt64(catalog.probes.count))]
            let long = index % 40 == 0 ? note : ""
            wide += "\(probe),\(index % 6 == 0 ? "" : String(index % 9)),\(index % 4),\(long)\n"
            // A document's cells on its first row; an item's on the row before, now and then.
            let first = index % 5 == 0
            filled += "\(first ? "D\(index / 5)" : ""),\(first ? "2026-03-0\(index % 9 + 1)" : ""),\(index % 3 == 1 ? "" : probe),"
                + "\(index % 7),\(index % 2 == 0 ? "Warehouse" : "Shop"),\(long)\n"
        }
        let files = [
            ("wide", wide, """
                blank_quantity: unchanged
                columns:
                  variant: item
                  variant_by: any
                  quantity_is: on_hand
                  notes: note
                  quantity_columns: {pattern: "Stock (.+)", location_by: name}

                """),
            ("filled", filled, """
                fill_down: [doc, date, item]
                repeated_items: add
                columns: {variant: item, variant_by: any, quantity: qty, quantity_is: on_hand, location: place, location_by: name,
                          reference: doc, occurred_at: date, notes: note}

                """),
        ]
        var outcomes: [[String]] = []
        for mappedFrom in [nil, 0] { try Self.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend, tenants: [])
            try Self.load(catalog, tenant: "t1", into: fixture)
            var lines: [String] = []
            for (name, rows, text) in files {
                let mapping = try MappingFile.parse(text, file: "\(name).yaml")
                let path = fixture.file("\(name).csv", rows)
                for _ in 0..<2 {
                    let report = try ImportPipeline(store: fixture.store).run(
                        ImportRequest(tenantID: "t1", orgID: "a", mapping: mapping, files: [path]))
                    lines.append("\(name): \(report.counts)")
                }
            }
            lines += try Self.rejectionsAndBalances(in: fixture.store)
            if mappedFrom != nil { #expect(try Self.indexFiles().count == 1, "the catalog mapped from a file") }
            outcomes.append(lines)
        } }
        #expect(outcomes[0] == outcomes[1])
        for type in ["unknown_variant", "cross_brand", "names several variants"] {
            #expect(outcomes[0].contains { $0.contains(type) }, "no row met \(type)")
        }
        #expect(outcomes[0].filter { $0.hasPrefix("t1 ") }.count > 100)
    }

    /// A count sheet naming variants by id, sku and barcode (with and without leading zeros),
    /// added against the variants it names and against the whole catalog, counts the same lines.
    @Test(arguments: Backend.available) func aCountSheetCountsTheSameAgainstItsNamedVariants(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 290)
        let catalog = RandomCatalog(count: 600, rng: &rng)
        // Long notes now and then: over the mapped catalog, the sheet's rows are looked up
        // together a few batches at a time (8 MB of fields a batch).
        let note = String(repeating: "n", count: 300_000)
        var rows = "variant_id,sku,barcode,counted_quantity,notes\n"
        for (index, probe) in catalog.probes.enumerated() {
            // One column a row, in turn: the checker names the variant by the first filled.
            let cells = [index % 3 == 0 ? probe : "", index % 3 == 1 ? probe : "", index % 3 == 2 ? probe : ""]
            rows += cells.joined(separator: ",") + ",\(index % 7),\(index % 10 == 0 ? note : "")\n"
        }
        #expect(rows.utf8.count > 2 * HeldSheetRows.byteLimit, "a sheet of several batches")
        var outcomes: [[String]] = []
        for (reading, mappedFrom) in [(RunCatalog.Reading.named, nil), (.whole, nil), (.whole, 0)] { try Self.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend, tenants: [])
            try Self.load(catalog, tenant: "t1", into: fixture)
            #expect(try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("users.csv", "user_id,role\nboss,manager\n")])
                .counts.posted == 1)
            var counting = Counting(store: fixture.store)
            counting.catalogReading = reading
            let count = try counting.start(CountRequest(
                tenantID: "t1", orgID: "a", type: .spot, name: "probes", locationID: "WH", notes: nil, userID: "boss"))
            let report = try counting.add(countID: count, tenantID: "t1", userID: "boss", files: [fixture.file("sheet.csv", rows)])
            let lines = ["\(report.counts) \(report.files.map(\.barcodesWithoutLeadingZeros))"] + (try Self.rejectionsAndRows("""
                SELECT l.source_line, v.variant_id, l.counted FROM count_lines l JOIN catalog_variants v ON v.id = l.variant
                ORDER BY l.source_line
                """, in: fixture.store))
            if mappedFrom != nil { #expect(try Self.indexFiles().count == 1, "the catalog mapped from a file") }
            outcomes.append(lines)
        } }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0] == outcomes[2])
        // Lines were counted and refused both, a barcode restored: the sheet met every case.
        #expect(outcomes[0].count > 100)
        for type in ["unknown_variant", "cross_brand", "names several variants"] {
            #expect(outcomes[0].contains { $0.contains(type) }, "no row met \(type)")
        }
    }

    /// A file of purchase orders naming variants by id, sku, barcode and any of them, its
    /// variants looked up a chunk at a time over the mapped catalog, loads the same order lines
    /// and refuses the same rows as over the catalog in memory.
    @Test(arguments: Backend.available) func ordersLoadTheSameOverAMappedCatalog(_ backend: Backend) throws {
        var rng = SplitMix64(seed: 291)
        let catalog = RandomCatalog(count: 600, rng: &rng)
        let columns = ["variant_id", "sku", "barcode", "variant"]
        var rows = "po_number,variant_id,sku,barcode,variant,location_id,quantity_ordered,unit_cost\n"
        // Every probe by each kind in turn, over more than one chunk; PO numbers repeat, so
        // that some lines are given twice.
        var index = 0
        while index < Receiving.ordersChunk.rows + 500 {
            for probe in catalog.probes {
                let cells = columns.indices.map { $0 == index % 4 ? probe : "" }
                rows += "PO-\(index % 3_000),\(cells.joined(separator: ",")),WH,\(index % 9),1.00\n"
                index += 1
            }
        }
        var outcomes: [[String]] = []
        for mappedFrom in [nil, 0] { try Self.mapping(from: mappedFrom) {
            let fixture = try Fixture(backend, tenants: [])
            try Self.load(catalog, tenant: "t1", into: fixture)
            let report = try Receiving(store: fixture.store).run(ReceiveRequest(
                tenantID: "t1", orgID: "a", purchaseOrders: [fixture.file("po.csv", rows)], files: []))
            let lines = ["\(report.orders?.counts ?? OutcomeCounts())"] + (try Self.rejectionsAndRows("""
                SELECT o.po_number, v.variant_id, o.quantity_ordered FROM order_lines o JOIN catalog_variants v ON v.id = o.variant
                ORDER BY 1, 2
                """, in: fixture.store))
            if mappedFrom != nil { #expect(try Self.indexFiles().count == 1, "the catalog mapped from a file") }
            outcomes.append(lines)
        } }
        #expect(outcomes[0] == outcomes[1])
        #expect(outcomes[0].count > 1_000)
        for type in ["unknown_variant", "cross_brand", "names several variants"] {
            #expect(outcomes[0].contains { $0.contains(type) }, "no row met \(type)")
        }
    }

    /// By default a small file over a catalog of more than 50,000 variants reads only those it
    /// names, a large catalog's size read from its last load; a small catalog is read whole.
    @Test(arguments: Backend.available) func aSmallFileOverALargeCatalogReadsOnlyWhatItNames(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: [])
        var variants = "variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware\n"
        for i in 0..<60_000 { variants += "V\(i),P\(i / 2),a,S\(i),\(100_000 + i),1.00,false\n" }
        var rng = SplitMix64(seed: 1)
        try Self.load(RandomCatalog(count: 10, rng: &rng), tenant: "small", into: fixture)
        _ = try CatalogImport(store: fixture.store).run(tenantID: "large", files: [
            fixture.file("orgs.csv", "org_id,name,default_location_id\na,A,WH\n"),
            fixture.file("locations.csv", "location_id,site_id,name\nWH,s1,Warehouse\n"),
            fixture.file("large.csv", variants),
        ])
        let file = fixture.file("few.csv", "variant_id,quantity_delta\nV7,1\nV59999,2\nS12,1\n")
        let mapping = StockReconCore.SourceFormat.synq.mapping
        try fixture.store.read { db in
            let large = try Store.tenantKey(db, "large")
            #expect(try db.fetchValue(Int64.self, sql: "SELECT variants FROM tenants WHERE id = ?", arguments: [large]) == 60_000)
            let named = try RunCatalog(tenant: large).catalog(for: file, in: db) { RunCatalog.adjustmentKeys(in: file, mapping: mapping) }
            #expect(named.variantCount == 2)
            #expect(named.variant("V59999", by: .variantID)?.sku == "S59999")
            let small = try Store.tenantKey(db, "small")
            let whole = try RunCatalog(tenant: small).catalog(for: file, in: db) { RunCatalog.adjustmentKeys(in: file, mapping: mapping) }
            #expect(whole.variantCount == 10)
        }
    }

    /// A key no stored id can hold (a NUL byte: PostgreSQL's text refuses it as a parameter)
    /// is not looked up: its row is rejected, the rest of the file posts.
    @Test(arguments: Backend.available) func aKeyWithANulByteIsRejectedNotLookedUp(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        for format in ["columns: {variant_by: any, variant: item, quantity: qty}\n", "columns: {variant_by: barcode, variant: item, quantity: qty}\n"] {
            var request = ImportRequest(
                tenantID: "t1", orgID: "acme", mapping: try MappingFile.parse(format, file: "m.yaml"),
                files: [fixture.file("nul-\(format.count).csv", "item,qty,file\n1001\u{0}x,1,\(format.count)\n400,2,\(format.count)\n")])
            request.catalogReading = .named
            let report = try ImportPipeline(store: fixture.store).run(request)
            #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1), "\(format)")
        }
        #expect(try fixture.balance("1001") == 4)
    }
}
