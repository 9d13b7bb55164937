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

    /// The catalog to check `file` against: only the variants it names when they are few
    /// beside the catalog's, else the whole catalog.
    func catalog(for file: InputFile, mapping: StockReconCore.ColumnMapping, in db: any SQLConnection) throws -> Catalog {
        if let whole { return whole }
        if try isNamingWorthIt(for: file, in: db), let (keys, count) = Self.namedKeys(in: file, mapping: mapping),
           try reading == .named || count * Self.variantsPerNamedKey < Self.smallCatalog
               || Store.hasMoreVariants(than: count * Self.variantsPerNamedKey, tenant: tenant, in: db) {
            return try Store.catalog(tenant: tenant, variants: .named(keys), in: db)
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

    /// The texts the file's rows name their variants by, read as its import will read them;
    /// nil when there are more than `mostNamedKeys`, or the file cannot be read (its import
    /// then says why, against the whole catalog).
    static func namedKeys(in file: InputFile, mapping: StockReconCore.ColumnMapping) -> (keys: NamedVariantKeys, count: Int)? {
        struct TooMany: Error {}
        var seen = Set<String>()
        var keys = NamedVariantKeys()
        var bound: BoundMapping?
        func take(_ input: AdjustmentInput<BorrowedText>) throws {
            guard let key = input.variant else { return }
            let kind = input.variantKey.kind
            guard seen.insert("\(kind.rawValue) \(key.string)").inserted else { return }
            keys.add(key.string, by: kind)
            if seen.count > mostNamedKeys { throw TooMany() }
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
        return (keys, seen.count)
    }
}
