import Foundation
@testable import StockReconCore
@testable import StockReconPipeline
@testable import StockReconStore
import TestSupport
import Testing

/// Variant index files (issue 29): a large catalog mapped from a file answers every lookup
/// as the catalog in memory does, is never read for another load, tenant or damaged file.
@Suite struct VariantIndexTests {
    /// Variants whose keys collide the ways real ones do (shared skus and barcodes, barcodes
    /// apart only by leading zeros, products of one and several variants, numeric-looking ids,
    /// empty and missing keys), and texts to look up.
    static func randomVariants(count: Int, rng: inout SplitMix64) -> (variants: [Catalog.Variant], probes: [String]) {
        var variants: [Catalog.Variant] = []
        var texts: Set<String> = ["nope", "0", "000", "", "é"]
        func maybe(_ text: String) -> String? { rng.next() % 12 == 0 ? nil : text }
        for i in 0..<count {
            let id = ["V\(i)", "\(i)", "00\(i)", "\(UInt64(i) &* 0x9E37_79B9_7F4A_7C15)-é"][i % 4]
            let product = rng.next() % 4 == 0 ? "" : "P\(rng.next() % UInt64(count / 2))"
            let sku = rng.next() % 10 < 2 ? "" : rng.next() % 5 == 0 ? "\(rng.next() % UInt64(count))" : "S\(rng.next() % UInt64(count * 3 / 4))"
            let zeros = String(repeating: "0", count: Int(rng.next() % 3))
            let barcode = switch rng.next() % 10 {
            case 0, 1: ""
            case 2: "A\(rng.next() % 50)"
            case 3: zeros
            default: zeros + "\(100 + rng.next() % UInt64(count / 2))"
            }
            let cost: Int64? = rng.next() % 5 == 0 ? nil : Int64(rng.next() % 100_000) - 50_000
            variants.append(Catalog.Variant(
                id: Int64(i) * 3 + 1, variantID: id, productID: maybe(product), orgID: ["a", "b", "c"][Int(rng.next() % 3)],
                sku: maybe(sku), barcode: maybe(barcode), unitCostMinor: cost, isLocationAware: rng.next() % 2 == 0))
            texts.formUnion([id, product, sku, barcode, String(barcode.drop { $0 == "0" }), "0" + barcode, id + "x"])
        }
        return (variants, texts.sorted().filter { _ in rng.next() % 2 == 0 })
    }

    /// Random variants written as the index file `catalog.index` of tenant 7, token 42, in `folder`.
    static func written(count: Int, seed: UInt64, in folder: TemporaryDirectory) throws -> (variants: [Catalog.Variant], probes: [String], path: String) {
        var rng = SplitMix64(seed: seed)
        let (variants, probes) = randomVariants(count: count, rng: &rng)
        let path = folder.path("catalog.index")
        var writer = try VariantIndexWriter(path: path, tenant: 7, token: 42, expectedVariants: variants.count)
        for variant in variants { try writer.add(variant) }
        try writer.finish()
        return (variants, probes, path)
    }

    static let orgs = ["z", "b", "a"].enumerated().map { Catalog.Org(id: Int64($0.offset), orgID: $0.element, name: nil, defaultLocationID: nil) }

    @Test func anIndexFileFindsEveryKeyAsTheCatalogInMemory() throws {
        let folder = TemporaryDirectory()
        let (variants, probes, path) = try Self.written(count: 4_000, seed: 2_929, in: folder)
        let file = try #require(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count))
        // Orgs numbered otherwise than the file's (an org without variants first).
        let memory = Catalog(orgs: Self.orgs, variants: variants)
        let mapped = Catalog(orgs: Self.orgs, locations: [], users: [], indexFile: file)
        #expect(mapped.variantCount == memory.variantCount)
        for index in 0..<variants.count {
            #expect(mapped.variant(at: index) == memory.variant(at: index))
            #expect(mapped.facts(at: index) == memory.facts(at: index))
        }
        var (found, shared, restored) = (0, 0, 0)
        for probe in probes {
            for kind in VariantKeyKind.allCases {
                let expected = memory.variant(probe, by: kind)
                #expect(mapped.variant(probe, by: kind) == expected, "\(kind) \(probe)")
                let (ambiguity, expectedAmbiguity) = (mapped.ambiguity(probe, by: kind), memory.ambiguity(probe, by: kind))
                #expect(ambiguity?.what == expectedAmbiguity?.what && ambiguity?.variants == expectedAmbiguity?.variants, "\(kind) \(probe)")
                if expected != nil { found += 1 }
                if expectedAmbiguity != nil { shared += 1 }
            }
            let digits = memory.variantIndex(barcodeWithoutLeadingZeros: probe)
            #expect(mapped.variantIndex(barcodeWithoutLeadingZeros: probe) == digits, "digits \(probe)")
            if digits != nil { restored += 1 }
        }
        // The comparison met every case.
        #expect(found > 2_000 && shared > 500 && restored > 200, "\(found) found, \(shared) shared, \(restored) restored")
        // Another tenant's, another load's, or a file of another size is not read.
        #expect(VariantIndexFile(path: path, tenant: 8, token: 42, variants: variants.count) == nil)
        #expect(VariantIndexFile(path: path, tenant: 7, token: 43, variants: variants.count) == nil)
        #expect(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count + 1) == nil)
    }

    /// Keys looked up together (a batch of rows) find what each finds alone, in every table,
    /// with each key given twice and in random order, in batches that fill part of a table
    /// and all of it; the facts read together are each variant's.
    @Test func keysLookedUpTogetherFindWhatEachFindsAlone() throws {
        let folder = TemporaryDirectory()
        let (variants, probes, path) = try Self.written(count: 3_000, seed: 4_242, in: folder)
        let file = try #require(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count))
        var rng = SplitMix64(seed: 99)
        let keys = (probes + probes + variants.map(\.variantID)).shuffled(using: &rng)
        var found = 0
        for kind in VariantIndexFile.Kind.allCases {
            for batch in [Array(keys.prefix(50)), keys] {
                let alone = batch.map { key in key.withBytes { file.find($0, in: kind) } }
                let together = Self.withBytes(of: batch) { file.find(all: $0, in: kind) }
                #expect(together.count == batch.count)
                for (index, key) in batch.enumerated() where Self.describe(together[index]) != Self.describe(alone[index]) {
                    Issue.record("\(kind) \(key): together \(Self.describe(together[index])), alone \(Self.describe(alone[index]))")
                }
                found += alone.count { $0 != nil }
            }
        }
        #expect(found > 5_000, "\(found) keys found")
        // By any kind: each kind's table in its turn, a shared sku or barcode deciding (none).
        for batch in [Array(keys.prefix(50)), keys] {
            let together = Self.withBytes(of: batch) { file.variantIndexes(byAny: $0) }
            for (index, key) in batch.enumerated() {
                let alone = key.withBytes { file.variantIndex($0, by: .any) }
                #expect(together[index] == alone, "any \(key): together \(String(describing: together[index])), alone \(String(describing: alone))")
            }
        }
        let indexes = (0..<variants.count).shuffled(using: &rng) + [-1, variants.count]
        let facts = file.facts(ofAll: indexes)
        for (position, index) in indexes.enumerated() where index >= 0 && index < variants.count {
            #expect(facts[position] == file.facts(at: index), "facts of \(index)")
        }
    }

    /// A probe that meets a damaged entry before its key's stops there, as `find` does: the
    /// first entry that decides wins, not the last.
    @Test func keysLookedUpTogetherStopWhereEachAloneStops() throws {
        let folder = TemporaryDirectory()
        let (variants, _, path) = try Self.written(count: 500, seed: 5, in: folder)
        let table = try #require(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count)).tables[0]
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        func slot(_ index: Int) -> Int { table.slots + (index & (table.slotCount - 1)) * 8 }
        func content(at index: Int) -> UInt64 { bytes[slot(index) ..< slot(index) + 8].withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) } }
        func set(_ index: Int, _ value: UInt64) { withUnsafeBytes(of: value) { bytes.replaceSubrange(slot(index) ..< slot(index) + 8, with: $0) } }
        let keys = variants.prefix(40).map(\.variantID)
        for (number, key) in keys.enumerated() {
            let hash = key.withBytes(TextIndex.hash)
            let home = TextIndex.home(hash)
            var at = home
            // (Its slot may be gone under an earlier key's two.)
            while content(at: at) != 0, TextIndex.entry(inSlot: content(at: at), hash: hash) == nil { at += 1 }
            guard content(at: at) != 0 else { continue }
            // At its home and the slot after: an entry past the table's end of its hash, and
            // its own entry (the probe stops before it); or its own, then the damaged one.
            let (own, damaged) = (content(at: at), TextIndex.slot(entry: table.entryCount + 1, hash: hash))
            set(home, number % 2 == 0 ? damaged : own)
            set(home + 1, number % 2 == 0 ? own : damaged)
        }
        try bytes.write(to: URL(fileURLWithPath: path))
        let file = try #require(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count))
        let alone = keys.map { key in Self.describe(key.withBytes { file.find($0, in: .id) }) }
        #expect(Self.withBytes(of: keys) { file.find(all: $0, in: .id) }.map(Self.describe) == alone)
        let stopped = alone.filter { $0 == "none" }.count
        #expect(stopped >= 15 && stopped <= 25, "the damaged entries stopped \(stopped) probes of 40")
    }

    static func describe(_ found: VariantIndexFile.Found?) -> String {
        switch found {
        case nil: "none"
        case .one(let variant): "one \(variant)"
        case .several(let list): "several \(list)"
        }
    }

    static func withBytes<Result>(of keys: [String], _ body: ([UnsafeBufferPointer<UInt8>]) -> Result) -> Result {
        // In one buffer, as a batch of rows lies.
        let arena = keys.map { Array($0.utf8) }
        let joined = arena.flatMap { $0 }
        return joined.withUnsafeBufferPointer { all in
            var start = 0
            var pointers: [UnsafeBufferPointer<UInt8>] = []
            for key in arena {
                pointers.append(UnsafeBufferPointer(rebasing: all[start ..< start + key.count]))
                start += key.count
            }
            return body(pointers)
        }
    }

    /// A file cut short is refused; one with bytes overwritten past its header is read without
    /// a crash, every variant it gives one of the catalog's.
    @Test func aDamagedIndexFileIsRefusedOrReadWithoutCrashing() throws {
        let folder = TemporaryDirectory()
        let (variants, probes, path) = try Self.written(count: 2_000, seed: 17, in: folder)
        var rng = SplitMix64(seed: 1_717)
        let bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        try bytes.prefix(bytes.count - 8).write(to: URL(fileURLWithPath: path))
        #expect(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count) == nil)
        // Any header word set to anything: refused, or read within the file.
        for word in 0..<VariantIndexFile.headerWords {
            for value in [0, UInt64.max, UInt64.max / 2, 1 << 40, rng.next(), rng.next() % 4_096] {
                var damaged = bytes
                withUnsafeBytes(of: value) { damaged.replaceSubrange(word * 8 ..< word * 8 + 8, with: $0) }
                try damaged.write(to: URL(fileURLWithPath: path))
                guard let file = VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count) else { continue }
                let mapped = Catalog(orgs: Self.orgs, locations: [], users: [], indexFile: file)
                for probe in probes.prefix(50) {
                    if let index = mapped.variantIndex(probe, by: .any) { _ = mapped.variant(at: index) }
                    _ = mapped.ambiguity(probe, by: .any)
                }
            }
        }
        for round in 0..<20 {
            var damaged = bytes
            for _ in 0..<(50 << round % 8) {
                damaged[VariantIndexFile.headerWords * 8 + Int(rng.next() % UInt64(bytes.count - VariantIndexFile.headerWords * 8))] = UInt8(rng.next() & 0xFF)
            }
            try damaged.write(to: URL(fileURLWithPath: path))
            let file = try #require(VariantIndexFile(path: path, tenant: 7, token: 42, variants: variants.count))
            let mapped = Catalog(orgs: Self.orgs, locations: [], users: [], indexFile: file)
            // Looked up together, each key finds what it finds alone, damaged as the file is.
            for kind in VariantIndexFile.Kind.allCases {
                let together = Self.withBytes(of: probes) { file.find(all: $0, in: kind) }.map(Self.describe)
                #expect(together == probes.map { probe in Self.describe(probe.withBytes { file.find($0, in: kind) }) }, "round \(round), \(kind)")
            }
            for probe in probes {
                for kind in VariantKeyKind.allCases {
                    if let index = mapped.variantIndex(probe, by: kind) {
                        #expect(index < variants.count)
                        _ = mapped.variant(at: index)
                    }
                    _ = mapped.ambiguity(probe, by: kind)
                }
                _ = mapped.variantIndex(barcodeWithoutLeadingZeros: probe)
            }
        }
    }

    /// Where no index file can be written, a run reads the catalog whole, as before.
    @Test func aFolderThatCannotBeWrittenReadsTheCatalogWhole() throws {
        let fixture = try Fixture()
        let catalog = try Store.$mappedCatalogFrom.withValue(0) {
            try Store.$variantIndexFolder.withValue("/dev/null/stockrecon") {
                try fixture.store.read { db in try Store.catalog(tenant: try Store.tenantKey(db, "t1"), in: db) }
            }
        }
        #expect(!catalog.isMapped)
        #expect(catalog.variant("LAMP", by: .sku)?.variantID == "1002")
    }

    /// The index file is written from the texts as the backend stores them, without a string
    /// made for each: texts beyond ASCII (and, on SQLite, bytes that are not UTF-8, written
    /// there by another program) are held as the catalog read whole holds them.
    @Test(arguments: Backend.available) func aMappedCatalogHoldsEveryStoredTextAsTheCatalogReadWhole(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1"])
        _ = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("texts.csv", """
            variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
            v-é,Pé,acme,SKU-ü,0042,1.00,false
            v-日本,P日本,zürich,🙂,,2.00,true
            v-3,Pé,zürich,SKU-ü,42,3.00,false

            """)])
        if backend == .sqlite {
            // A sku cut inside a character, an org of a lone continuation byte.
            try fixture.store.write("bytes") { db in
                try db.execute(sql: "UPDATE catalog_variants SET sku = CAST(X'53c3' AS TEXT) WHERE variant_id = 'v-3'")
                try db.execute(sql: "UPDATE catalog_orgs SET org_id = CAST(X'80' AS TEXT) WHERE org_id = 'zürich'")
                try db.execute(sql: "UPDATE catalog_variants SET product_id = CAST(X'50ff' AS TEXT) WHERE variant_id = 'v-日本'")
            }
        }
        func catalog(mappedFrom: Int) throws -> Catalog {
            try CatalogLookupTests.mapping(from: mappedFrom) {
                try fixture.store.read { db in try Store.catalog(tenant: try Store.tenantKey(db, "t1"), in: db) }
            }
        }
        let whole = try catalog(mappedFrom: .max)
        let mapped = try catalog(mappedFrom: 0)
        try #require(mapped.isMapped && !whole.isMapped)
        #expect(mapped.variantCount == whole.variantCount)
        var probes: Set<String> = ["SKU-ü", "🙂", "S\u{FFFD}", "P\u{FFFD}", "42", "0042"]
        for index in 0..<whole.variantCount {
            let variant = try #require(whole.variant(at: index))
            #expect(mapped.variant(at: index) == variant)
            #expect(mapped.facts(at: index) == whole.facts(at: index))
            probes.formUnion([variant.variantID, variant.sku, variant.barcode, variant.productID].compactMap { $0 })
        }
        for probe in probes {
            for kind in VariantKeyKind.allCases {
                #expect(mapped.variant(probe, by: kind) == whole.variant(probe, by: kind), "\(kind) \(probe)")
                #expect(mapped.ambiguity(probe, by: kind)?.variants == whole.ambiguity(probe, by: kind)?.variants, "\(kind) \(probe)")
            }
        }
        #expect(mapped.variant("v-日本", by: .variantID)?.sku == "🙂")
        #expect(mapped.ambiguity("Pé", by: .productID) != nil)
    }

    /// A run maps the catalog as last loaded: a reload (a variant moved to another org, one
    /// added) retires the file before it; a damaged file is written again; two tenants with
    /// the same ids each map their own.
    @Test(arguments: Backend.available) func aRunMapsTheCatalogAsLastLoaded(_ backend: Backend) throws {
        try CatalogLookupTests.mapping(from: 0) {
            let fixture = try Fixture(backend, tenants: ["t1", "t2"])
            func catalog(_ tenant: String) throws -> Catalog {
                try fixture.store.read { db in try Store.catalog(tenant: try Store.tenantKey(db, tenant), in: db) }
            }
            let first = try catalog("t1")
            try #require(first.isMapped)
            #expect(first.variant("1001", by: .variantID)?.orgID == "acme")
            let folder = try #require(Store.variantIndexFolder)
            for name in try CatalogLookupTests.indexFiles() + [""] {
                // The tenant's ids: for its user's eyes only.
                let mode = try FileManager.default.attributesOfItem(atPath: folder + "/" + name)[.posixPermissions] as? Int
                #expect(mode == (name.isEmpty ? 0o700 : 0o600), "\(name)")
            }
            #expect(try CatalogLookupTests.indexFiles().count == 1)
            _ = try CatalogImport(store: fixture.store).run(tenantID: "t1", files: [fixture.file("moved.csv", """
                variant_id,product_id,org_id,sku,barcode,unit_cost,location_aware
                1001,P1,other,TENT,400,10.00,false
                1003,P1,acme,STOVE,0403,3.00,false

                """)])
            #expect(try CatalogLookupTests.indexFiles().isEmpty, "the file of the catalog before was not retired")
            let reloaded = try catalog("t1")
            try #require(reloaded.isMapped)
            #expect(reloaded.variant("1001", by: .variantID)?.orgID == "other")
            #expect(reloaded.variant("STOVE", by: .sku)?.variantID == "1003")
            #expect(reloaded.variantIDs(ofProduct: "P1") == ["1001", "1003"])
            #expect(reloaded.variantIndex(barcodeWithoutLeadingZeros: "403").map(reloaded.variant(at:))?.variantID == "1003")
            let t2 = try catalog("t2")
            #expect(t2.isMapped && t2.variant("1001", by: .variantID)?.orgID == "acme" && t2.variant("STOVE", by: .sku) == nil)
            let files = try CatalogLookupTests.indexFiles()
            #expect(files.count == 2)
            for name in files {
                let path = folder + "/" + name
                try Data(repeating: 0xA5, count: 4_096).write(to: URL(fileURLWithPath: path))
            }
            #expect(try catalog("t1").variant("1003", by: .variantID)?.sku == "STOVE", "a damaged file was read")
            #expect(try catalog("t2").variant("1003", by: .variantID) == nil)
            // Runs reading at once, none with a file yet: each writes one aside and renames it
            // into place; every one reads the same catalog.
            for name in try CatalogLookupTests.indexFiles() { try FileManager.default.removeItem(atPath: folder + "/" + name) }
            let readers = (0..<4).map { _ in Store.catalogReader(path: fixture.databasePath, folder: folder) }
            DispatchQueue.concurrentPerform(iterations: readers.count) { readers[$0].read() }
            for reader in readers {
                #expect(reader.found == ["1003", "other"], "\(reader.found)")
            }
            #expect(try CatalogLookupTests.indexFiles().count == 1)
            #expect(((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).count == 1, "a file written aside was left")
            // An import checked against the mapped catalog: 1001 is now the other org's.
            let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
                tenantID: "t1", orgID: "other", format: .synq,
                files: [fixture.file("rows.csv", "variant_id,location_id,quantity_delta\n1001,WH,4\n1003,WH,2\n2001,WH,1\n")]))
            #expect(report.counts == OutcomeCounts(rows: 3, posted: 2, rejected: 1))
            #expect(try fixture.balance("1001") == 4)
        }
    }
}

extension Store {
    /// Reads tenant t1's catalog on a connection of its own, as another run would.
    final class CatalogReader: @unchecked Sendable {
        let path: String
        let folder: String
        var found: [String] = []

        init(path: String, folder: String) {
            self.path = path
            self.folder = folder
        }

        func read() {
            do {
                let catalog = try Store.$mappedCatalogFrom.withValue(0) {
                    try Store.$variantIndexFolder.withValue(folder) {
                        try Store(path: path).read { db in try Store.catalog(tenant: try Store.tenantKey(db, "t1"), in: db) }
                    }
                }
                found = [catalog.isMapped ? catalog.variant("STOVE", by: .sku)?.variantID ?? "none" : "not mapped",
                         catalog.variant("1001", by: .variantID)?.orgID ?? "none"]
            } catch {
                found = ["\(error)"]
            }
        }
    }

    static func catalogReader(path: String, folder: String) -> CatalogReader { CatalogReader(path: path, folder: folder) }
}
