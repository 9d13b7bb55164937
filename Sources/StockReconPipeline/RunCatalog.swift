import StockReconCore
import StockReconIO
import StockReconStore

/// The catalog each file of a run is checked against. A file that names few variants of a
/// large catalog reads only those (a nightly file of a thousand rows over a million variants
/// costs what its rows name); any other reads the whole catalog, once a run.
final class RunCatalog {
    /// How a run reads the catalog: as each file needs (the default), or always one way (tests:
    /// a file checked against its named variants must end as against the whole catalog).
    enum Reading { case asEachFileNeeds, whole, named }

    let tenant: Int64
    let reading: Reading
    private var whole: Catalog?

    /// A file larger than this is read against the whole catalog, without reading it twice.
    static let largestNamingFile = 8 << 20
    /// The most distinct keys a file names for the run to read only their variants.
    static let mostNamedKeys = 100_000
    /// A catalog this small is read whole (in a few milliseconds).
    static let smallCatalog = 50_000
    /// How many variants the catalog must have per key named for the run to read only those:
    /// a key costs an index lookup and a row where a variant read whole costs a row of a scan.
    static let variantsPerNamedKey = 8

    init(tenant: Int64, reading: Reading = .asEachFileNeeds) {
        self.tenant = tenant
        self.reading = reading
    }

    /// The catalog to check `file` against: only the variants it names (`namedKeys` reads the
    /// file for them: nil when it names too many, or cannot be read) when they are few beside
    /// the catalog's, else the whole catalog.
    func catalog(for file: InputFile, in db: any SQLConnection, namedKeys: () -> NamedKeyCollector?) throws -> Catalog {
        if let whole { return whole }
        if try isNamingWorthIt(for: file, in: db), let named = namedKeys(),
           try reading == .named || Store.hasMoreVariants(than: named.count * Self.variantsPerNamedKey, tenant: tenant, in: db) {
            return try Store.catalog(tenant: tenant, variants: .named(named.keys), in: db)
        }
        let loaded = try Store.catalog(tenant: tenant, in: db)
        whole = loaded
        return loaded
    }

    /// Whether to read `file` ahead for the variants it names: not for a large file, nor for a
    /// small catalog, which is read whole in the time the file would be read twice.
    private func isNamingWorthIt(for file: InputFile, in db: any SQLConnection) throws -> Bool {
        switch reading {
        case .named: return true
        case .whole: return false
        case .asEachFileNeeds:
            return try file.size <= Self.largestNamingFile && Store.hasMoreVariants(than: Self.smallCatalog, tenant: tenant, in: db)
        }
    }

    /// The texts an import's rows name their variants by, read as the import will read them.
    static func adjustmentKeys(in file: InputFile, mapping: StockReconCore.ColumnMapping) -> NamedKeyCollector? {
        var named = NamedKeyCollector()
        var bound: BoundMapping?
        func take(_ input: AdjustmentInput<BorrowedText>) throws {
            guard let key = input.variant else { return }
            try named.add(key.string, by: input.variantKey.kind)
        }
        do {
            let importer = try Importers.importer(for: file, mapping: mapping)
            _ = try importer.extract(
                file, mapping: mapping, progress: nil, resumingAt: nil, header: { bound = $0 },
                row: { row in
                    guard let bound else { return }
                    if bound.isWide { try bound.forEachInput(from: row, take) } else { try take(bound.input(from: row)) }
                })
        } catch {
            return nil
        }
        return named
    }

    /// The texts a count sheet's rows name their variants by (each column the checker may use).
    static func sheetKeys(in file: InputFile, mapping: StockReconCore.ColumnMapping?) -> NamedKeyCollector? {
        var named = NamedKeyCollector()
        func take(_ row: CountSheetRow) throws {
            if let key = row.variantID { try named.add(key, by: .variantID) }
            if let key = row.sku { try named.add(key, by: .sku) }
            if let key = row.barcode { try named.add(key, by: .barcode) }
            if let key = row.anyKey { try named.add(key, by: .any) }
        }
        do {
            if let mapping {
                try CountSheetReader.forEach(file, mapping: mapping, take)
            } else {
                try CountSheetReader.forEach(file, take)
            }
        } catch {
            return nil
        }
        return named
    }
}

/// The distinct texts a file names variants by, by kind; throws past `RunCatalog.mostNamedKeys`.
struct NamedKeyCollector {
    private(set) var keys = NamedVariantKeys()
    private var seen = Set<String>()
    var count: Int { seen.count }

    struct TooMany: Error {}

    mutating func add(_ key: String, by kind: VariantKeyKind) throws {
        guard seen.insert("\(kind.rawValue) \(key)").inserted else { return }
        keys.add(key, by: kind)
        if seen.count > RunCatalog.mostNamedKeys { throw TooMany() }
    }
}
