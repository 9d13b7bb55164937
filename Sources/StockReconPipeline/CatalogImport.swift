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
        var tenant: Int64 = 0
        var run: Int64 = 0
        try writing(db, isDryRun: isDryRun) {
            tenant = try Store.tenantKey(db, tenantID)
            run = try Store.beginRun(tenant: tenant, orgID: nil, command: command, in: db)
        }
        var report = RunReport(run: run, isDryRun: isDryRun)
        try report.loadEach(files, run: run, tenantID: tenantID, in: db, isDryRun: isDryRun) { file in
            var loaded = FileLoad()
            var entries: [CatalogEntry] = []
            for record in try CatalogFileReader.read(file).records {
                switch CatalogRecordMapping.entry(record, file: file.displayName) {
                case .valid(let entry):
                    entries.append(entry)
                    loaded.counts.count(.posted)
                case .invalid(let problems):
                    loaded.diagnostics += problems
                    loaded.counts.count(.rejected)
                }
            }
            loaded.write = { try Store.upsert(entries, tenant: tenant, in: db) }
            return loaded
        }
        try writing(db, isDryRun: isDryRun) { try Store.finishRun(run, in: db) }
        return report
    }
}

/// Checks a catalog row and turns it into an entry for the store.
enum CatalogRecordMapping {
    enum Mapped {
        case valid(CatalogEntry)
        case invalid([Diagnostic])
    }

    static func entry(_ record: CatalogRecord, file: String) -> Mapped {
        var problems: [Diagnostic] = []
        func required(_ column: String) -> String {
            if let value = record.values[column] { return value }
            problems.append(Diagnostic(
                .missingField, at: SourceLocation(file: file, line: record.line, field: column),
                "\(column) is empty: every \(record.kind.rawValue.dropLast()) needs one"))
            return ""
        }
        let values = record.values
        // Stored, `1001\0x` read back as 1001 and overwrote that variant.
        problems += Diagnostic.nulBytes(
            in: values.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }, at: { SourceLocation(file: file, line: record.line, field: $0) })
        let entry: CatalogEntry
        switch record.kind {
        case .orgs:
            entry = .org(orgID: required("org_id"), name: values["name"], defaultLocationID: values["default_location_id"])
        case .locations:
            entry = .location(locationID: required("location_id"), siteID: values["site_id"], name: values["name"])
        case .users:
            let userID = required("user_id")
            let roleText = required("role")
            let role = Catalog.Role(rawValue: roleText.lowercased())
            if role == nil, !roleText.isEmpty {
                problems.append(Diagnostic(
                    .invalidChoice, at: SourceLocation(file: file, line: record.line, field: "role"),
                    "role must be staff or manager", input: roleText,
                    context: ["expected": .list(Catalog.Role.allCases.map(\.rawValue))]))
            }
            entry = .user(userID: userID, role: role ?? .staff)
        case .variants:
            let variantID = required("variant_id")
            let orgID = required("org_id")
            var cost: Int64?
            if let text = values["unit_cost"] {
                switch Money.parse(text) {
                case .success(let money) where money.minorUnits >= 0: cost = money.minorUnits
                default:
                    problems.append(Diagnostic(
                        .invalidCost, at: SourceLocation(file: file, line: record.line, field: "unit_cost"),
                        "unit_cost must be a non-negative decimal with at most 2 decimals, such as 12.50",
                        input: text))
                }
            }
            let awareText = values["location_aware"]?.lowercased() ?? "false"
            let isLocationAware = ["true", "1", "yes", "y"].contains(awareText)
            if !isLocationAware, !["false", "0", "no", "n"].contains(awareText) {
                problems.append(Diagnostic(
                    .invalidChoice, at: SourceLocation(file: file, line: record.line, field: "location_aware"),
                    "location_aware must be true or false", input: values["location_aware"],
                    context: ["expected": .list(["true", "false"])]))
            }
            entry = .variant(
                variantID: variantID, productID: values["product_id"], orgID: orgID, sku: values["sku"],
                barcode: values["barcode"], unitCostMinor: cost, isLocationAware: isLocationAware,
                names: VariantNames(productName: values["product_name"], variantTitle: values["variant_title"]))
        }
        return problems.isEmpty ? .valid(entry) : .invalid(problems)
    }
}
