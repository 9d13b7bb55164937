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
