import StockReconCore
import StockReconIO
import StockReconStore

/// `stockrecon catalog import`: orgs, locations, variants and users, the kind of each file
/// read from its header. Loading again updates in place. A row counts as posted when it
/// was loaded.
public struct CatalogImport {
    public let store: Store

    public init(store: Store) { self.store = store }

    public func run(tenantID: String, files: [InputFile]) throws -> RunReport {
        try store.withConnection("importing the catalog") { db in
            try run(tenantID: tenantID, files: files, command: RunCommand(.catalogImport), in: db, isDryRun: false)
        }
    }

    /// Loads the files, each in its own transaction (a savepoint in a dry run).
    func run(tenantID: String, files: [InputFile], command: RunCommand, in db: any SQLConnection, isDryRun: Bool) throws -> RunReport {
        let load = { try self.load(tenantID: tenantID, files: files, command: command, in: db, isDryRun: isDryRun) }
        return isDryRun ? try load() : try db.loadingFirstCatalog(load)
    }

    private func load(tenantID: String, files: [InputFile], command: RunCommand, in db: any SQLConnection, isDryRun: Bool) throws -> RunReport {
        var tenant: Int64 = 0
        var run: Int64 = 0
        try writing(db, isDryRun: isDryRun) {
            tenant = try Store.tenantKey(db, tenantID)
            run = try Store.beginRun(tenant: tenant, orgID: nil, command: command, in: db)
        }
        var report = RunReport(run: run, isDryRun: isDryRun)
        // Each file is read in the transaction that writes it, on a thread of its own, a chunk
        // of entries at a time: a catalog of a million variants is never held whole, and its
        // rows are read while the ones before are written.
        // The rows name the tenant just read; checking it a row would make a statement of many
        // rows journal every page it touches.
        try db.withoutForeignKeyChecks {
            try report.loadEach(files, run: run, tenantID: tenantID, in: db, isDryRun: isDryRun) { file in
                var loaded = FileLoad()
                var variants = 0
                let load = { (indexedAfter: Bool) in
                    (loaded, variants) = try Self.load(file, tenant: tenant, tenantID: tenantID, run: run, in: db, indexedAfter: indexedAfter)
                }
                // A variant id given twice in a first load: the file again, each id checked as it goes.
                if try !db.loadingVariantsIndexedAfter(load) { try load(false) }
                // Figures from a catalog loaded empty planned a thousand variants' lookup as a scan of
                // the million (0.27 s, against 5 ms once counted).
                if variants >= CatalogChunk.size { try db.refreshStatistics(of: "catalog_variants") }
                if variants > 0 {
                    try Store.noteVariantsLoaded(tenant: tenant, in: db)
                    try Store.keepReplacedCosts(run: run, in: db)
                }
                return loaded
            }
        }
        try writing(db, isDryRun: isDryRun) { try Store.finishRun(run, in: db) }
        return report
    }

    /// Reads `file` and writes its entries, with how many were variants. Indexes that take
    /// random keys (variant ids) are written with a large page cache; rows appended to a table
    /// whose indexes are built after need little.
    private static func load(
        _ file: InputFile, tenant: Int64, tenantID: String, run: Int64, in db: any SQLConnection, indexedAfter: Bool
    ) throws -> (FileLoad, Int) {
        var loaded = FileLoad()
        var variants = 0
        let queue = BatchQueue<CatalogChunk>(capacity: 4)
        queue.produce { try CatalogChunk.read(file, into: queue) }
        defer { queue.stopProducing() }
        try db.withPageCache(megabytes: indexedAfter ? 8 : 64) {
            while let chunk = try queue.pop() {
                try Store.upsert(chunk.entries, tenant: tenant, run: run, in: db)
                loaded.counts += chunk.counts
                try loaded.record(chunk.diagnostics, run: run, tenantID: tenantID, in: db)
                variants += chunk.variants
            }
        }
        return (loaded, variants)
    }
}

/// Entries of a catalog file as read and checked, a chunk at a time, with the rows' outcomes.
struct CatalogChunk: Sendable {
    static let size = 10_000
    var entries: [CatalogEntry] = []
    var diagnostics: [Diagnostic] = []
    var counts = OutcomeCounts()
    /// How many of `entries` are variants (a variants file's chunk: all of them).
    var variants = 0

    private struct Cancelled: Error {}

    /// Reads `file` into chunks pushed to `queue` (the producer's side).
    static func read(_ file: InputFile, into queue: BatchQueue<CatalogChunk>) throws {
        var chunk = CatalogChunk()
        chunk.entries.reserveCapacity(size)
        try CatalogFileReader.forEach(file) { record in
            switch CatalogRecordMapping.entry(record, file: file.displayName) {
            case .valid(let entry):
                chunk.entries.append(entry)
                chunk.counts.count(.posted)
                if case .variant = entry { chunk.variants += 1 }
            case .invalid(let problems):
                chunk.diagnostics += problems
                chunk.counts.count(.rejected)
            }
            if chunk.counts.rows == size {
                guard queue.push(chunk) else { throw Cancelled() }
                chunk = CatalogChunk()
                chunk.entries.reserveCapacity(size)
            }
        }
        if chunk.counts.rows > 0, !queue.push(chunk) { throw Cancelled() }
    }
}

/// Checks a catalog row and turns it into an entry for the store.
enum CatalogRecordMapping {
    enum Mapped {
        case valid(CatalogEntry)
        case invalid([Diagnostic])
    }

    static let identifierColumns: Set<CatalogColumn> = [.orgID, .defaultLocationID, .locationID, .siteID, .userID, .variantID, .productID, .sku, .barcode]

    static func entry(_ record: CatalogRecord, file: String) -> Mapped {
        var problems: [Diagnostic] = []
        func required(_ column: CatalogColumn) -> String {
            if let value = record[column] { return value }
            problems.append(Diagnostic(
                .missingField, at: SourceLocation(file: file, line: record.line, field: column.rawValue),
                "\(column.rawValue) is empty: every \(record.kind.rawValue.dropLast()) needs one"))
            return ""
        }
        // Stored, `1001\0x` read back as 1001 and overwrote that variant.
        if record.fields.contains(where: { $0?.holdsNulByte == true }) {
            problems += Diagnostic.nulBytes(
                in: record.values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, at: { SourceLocation(file: file, line: record.line, field: $0) })
        }
        // Ids are indexed on PostgreSQL, which holds an entry of at most 2,704 bytes; a name may be longer.
        for (column, text) in zip(record.kind.catalogColumns, record.fields) where (text?.utf8.count ?? 0) > Diagnostic.identifierLimit {
            guard Self.identifierColumns.contains(column), let text else { continue }
            problems.append(Diagnostic.oversizedIdentifier(
                column: column.rawValue, text: text, at: SourceLocation(file: file, line: record.line, field: column.rawValue)))
        }
        let entry: CatalogEntry
        switch record.kind {
        case .orgs:
            entry = .org(orgID: required(.orgID), name: record[.name], defaultLocationID: record[.defaultLocationID])
        case .locations:
            entry = .location(locationID: required(.locationID), siteID: record[.siteID], name: record[.name])
        case .users:
            let userID = required(.userID)
            let roleText = required(.role)
            let role = Catalog.Role(rawValue: roleText.lowercased())
            if role == nil, !roleText.isEmpty {
                problems.append(Diagnostic(
                    .invalidChoice, at: SourceLocation(file: file, line: record.line, field: "role"),
                    "role must be staff or manager", input: roleText,
                    context: ["expected": .list(Catalog.Role.allCases.map(\.rawValue))]))
            }
            entry = .user(userID: userID, role: role ?? .staff)
        case .variants:
            let variantID = required(.variantID)
            let orgID = required(.orgID)
            var cost: Int64?
            if let text = record[.unitCost] {
                switch Money.parse(text) {
                case .success(let money) where money.minorUnits >= 0: cost = money.minorUnits
                default:
                    problems.append(Diagnostic(
                        .invalidCost, at: SourceLocation(file: file, line: record.line, field: "unit_cost"),
                        "unit_cost must be a non-negative decimal with at most 2 decimals, such as 12.50",
                        input: text))
                }
            }
            let awareText = record[.locationAware]?.lowercased() ?? "false"
            let isLocationAware = ["true", "1", "yes", "y"].contains(awareText)
            if !isLocationAware, !["false", "0", "no", "n"].contains(awareText) {
                problems.append(Diagnostic(
                    .invalidChoice, at: SourceLocation(file: file, line: record.line, field: "location_aware"),
                    "location_aware must be true or false", input: record[.locationAware],
                    context: ["expected": .list(["true", "false"])]))
            }
            entry = .variant(
                variantID: variantID, productID: record[.productID], orgID: orgID, sku: record[.sku],
                barcode: record[.barcode], unitCostMinor: cost, isLocationAware: isLocationAware,
                names: VariantNames(productName: record[.productName], variantTitle: record[.variantTitle]))
        }
        return problems.isEmpty ? .valid(entry) : .invalid(problems)
    }
}
