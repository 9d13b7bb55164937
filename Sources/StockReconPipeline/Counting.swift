import StockReconCore
import StockReconIO
import StockReconStore

/// A count to start (`count start`, or a pipeline's `count` stage).
public struct CountRequest: Sendable {
    public var tenantID: String
    public var orgID: String
    public var type: CountType
    public var name: String
    public var locationID: String?
    public var notes: String?
    public var userID: String
    /// When the count was taken (UTC text), nil for when it starts.
    public var countedAt: String?

    public init(
        tenantID: String, orgID: String, type: CountType, name: String, locationID: String?, notes: String?, userID: String,
        countedAt: String? = nil
    ) {
        self.countedAt = countedAt
        self.tenantID = tenantID
        self.orgID = orgID
        self.type = type
        self.name = name
        self.locationID = locationID
        self.notes = notes
        self.userID = userID
    }
}

/// A count's item by the store's keys.
struct CountItemKey: Hashable {
    var variant: Int64
    var location: Int64
}

extension Counting.SheetAddition {
    var replacedName: String? {
        if case .replacing(let name) = self { return name }
        return nil
    }
}

/// Stocktakes (SPEC section 9): start, add sheets, complete, cancel, and the blind sheet.
/// Each step is one transaction (a savepoint in a dry run); a refusal changes nothing.
public struct Counting {
    public let store: Store
    /// How a sheet's catalog is read (tests force one way or the other).
    var catalogReading = RunCatalog.Reading.asEachFileNeeds

    public init(store: Store) { self.store = store }

    public func start(_ request: CountRequest) throws -> Int64 {
        try store.withConnection("starting a count") { db in try start(request, in: db, isDryRun: false) }
    }

    func start(_ request: CountRequest, in db: any SQLConnection, isDryRun: Bool) throws -> Int64 {
        var id: Int64 = 0
        try writing(db, isDryRun: isDryRun) {
            id = try Store.startCount(
                tenantID: request.tenantID, orgID: request.orgID, type: request.type, name: request.name,
                locationID: request.locationID, notes: request.notes, userID: request.userID, countedAt: request.countedAt, in: db)
        }
        return id
    }

    /// How a sheet stands to the sheets added before it.
    public enum SheetAddition: Sendable, Hashable {
        /// Refused when it counts exactly the items an earlier sheet counted (a corrected copy
        /// must say what it replaces).
        case new
        /// Replaces the earlier sheet of this name: its lines are withdrawn, the new ones added, in one step.
        case replacing(String)
        /// Counts as well as an earlier sheet of the same items (a second count of them).
        case besideEarlier
    }

    public func add(
        countID: Int64, tenantID: String, userID: String, files: [InputFile], addition: SheetAddition = .new,
        mapping: StockReconCore.ColumnMapping? = nil
    ) throws -> RunReport {
        if case .replacing = addition, files.count != 1 {
            throw UsageError("--replacing replaces one sheet with one corrected sheet: give exactly one file")
        }
        // A mapping that does not fit a sheet is refused before anything is done, as an import's is.
        if let mapping, mapping.requiresEveryNamedColumn { try Importers.checkHeaders(of: files, mapping: mapping) }
        return try store.withConnection("adding count sheets") { db in
            var countedRows: [CountItemKey: Int]?
            return try add(
                countID: countID, tenantID: tenantID, userID: userID, files: files, command: RunCommand(.countAdd(countID)), in: db, isDryRun: false,
                countedRows: &countedRows, addition: addition, mapping: mapping)
        }
    }

    /// Adds count sheets, each in its own transaction. A row counted is `pending` until the
    /// count completes; a blank counted quantity is `unchanged` (not counted); a sheet added
    /// before is `duplicate`, row for row; a sheet that cannot be read adds nothing (exit 2).
    /// `countedRows`, when not nil, gathers how many rows counted each item, so that a
    /// pipeline can tell how its rows ended once the count completes.
    func add(
        countID: Int64, tenantID: String, userID: String, files: [InputFile], command: RunCommand, in db: any SQLConnection, isDryRun: Bool,
        countedRows: inout [CountItemKey: Int]?, addition: SheetAddition = .new, mapping: StockReconCore.ColumnMapping? = nil
    ) throws -> RunReport {
        var session: CountSession?
        var user: Catalog.User?
        var run: Int64 = 0
        var catalog = Catalog()
        try writing(db, isDryRun: isDryRun) {
            let open = try Store.openCount(countID, tenantID: tenantID, doing: "be added to", in: db)
            user = try Store.user(userID, tenant: open.tenant, tenantID: open.tenantID, in: db)
            catalog = try Store.catalog(tenant: open.tenant, variants: .named(NamedVariantKeys()), in: db)
            run = try Store.beginRun(tenant: open.tenant, orgID: open.orgID, command: command, in: db)
            session = open
        }
        guard let session, let user, let org = catalog.orgs[session.orgID] else {
            throw UsageError("count \(countID) could not be opened")
        }
        let sheetCatalog = RunCatalog(tenant: session.tenant, reading: catalogReading)
        var report = RunReport(run: run, isDryRun: isDryRun)
        let finishRun = { try writing(db, isDryRun: isDryRun) { try Store.finishRun(run, in: db) } }
        do {
            // Each sheet is read in the transaction that writes it, under the tenant's lock: its
            // lines go to the database as they are read, and a count completed or a copy of the
            // sheet added meanwhile is seen before anything is written.
            try report.loadEach(files, run: run, tenantID: session.tenantID, in: db, isDryRun: isDryRun) { file in
                let digest = try FileDigest.sha256Hex(path: file.path, displayName: file.displayName)
                _ = try Store.openCount(countID, tenantID: tenantID, doing: "be added to", in: db)
                if let rows = try Store.addedSheetRows(count: countID, sha256: digest, in: db) {
                    return FileLoad(counts: OutcomeCounts(rows: rows, duplicate: rows))
                }
                let replaced = try addition.replacedName.map { try Store.addedSheet(count: countID, named: $0, in: db) }
                let writer = try Store.beginSheet(count: countID, tenant: session.tenant, sha256: digest, path: file.displayName, run: run, user: user.id, in: db)
                var fileRows: [CountItemKey: Int] = [:]
                let checker = CountSheetChecker(
                    catalog: try sheetCatalog.catalog(for: file, in: db) { RunCatalog.sheetKeys(in: file, mapping: mapping) },
                    org: org, scope: session.location)
                let reading = CountSheetReading(file: file, mapping: mapping, checker: checker)
                reading.start()
                defer { reading.stop() }
                var loaded = FileLoad()
                while let batch = try reading.batches.pop() {
                    for line in batch.lines {
                        try writer.append(line)
                        if countedRows != nil { fileRows[CountItemKey(variant: line.variant, location: line.location), default: 0] += 1 }
                    }
                    try loaded.record(batch.rejections, run: run, tenantID: session.tenantID, in: db)
                }
                loaded.counts = reading.counts
                loaded.barcodesWithoutLeadingZeros = reading.barcodesWithoutLeadingZeros
                try writer.finish(rows: reading.rows)
                if let other = reading.otherCountedAt, let first = reading.countedAt {
                    throw FileReadError(
                        SourceLocation(file: file.displayName),
                        "this sheet's rows say it was counted at \(first) and at \(other): a sheet is counted at one time; split it by time",
                        type: .invalidTimestamp, context: ["counted_at": .text(first), "also": .text(other)])
                }
                if let date = reading.countedAt { try Store.takeCountedAt(date, count: countID, sheet: file.displayName, in: db) }
                if addition == .new, let earlier = try Store.sheetCountingTheSameItems(as: writer.sheet, count: countID, in: db) {
                    throw FileReadError(
                        SourceLocation(file: file.displayName),
                        "this sheet counts exactly the items of \(earlier.path), added in run \(earlier.run): a corrected sheet replaces it "
                            + "(`count add \(countID) --replacing \(earlier.path) …`); a second count of the same items is added with --keep-earlier",
                        type: .sheetCountedBefore, context: ["earlier_sheet": .text(earlier.path), "earlier_run": .integer(earlier.run)])
                }
                if let replaced { try Store.withdrawSheet(replaced.id, replacedBy: writer.sheet, in: db) }
                countedRows?.merge(fileRows, uniquingKeysWith: +)
                return loaded
            }
        } catch {
            // A count closed meanwhile refuses the rest of its sheets; the run still ends.
            try? finishRun()
            throw error
        }
        try finishRun()
        return report
    }

    /// The rows of these sheets when every one was added to the count before, else nil.
    func addedRows(countID: Int64, files: [InputFile], in db: any SQLConnection) throws -> Int? {
        var total = 0
        for file in files {
            let digest = try FileDigest.sha256Hex(path: file.path, displayName: file.displayName)
            guard let rows = try Store.addedSheetRows(count: countID, sha256: digest, in: db) else { return nil }
            total += rows
        }
        return total
    }

    public func complete(
        countID: Int64, tenantID: String, userID: String, apply: Bool, uncounted: UncountedPolicy, rules: CountRules = CountRules()
    ) throws -> CountCompletion {
        try store.withConnection("completing count \(countID)") { db in
            try complete(
                countID: countID, tenantID: tenantID, userID: userID, apply: apply, uncounted: uncounted, rules: rules,
                command: RunCommand(.countComplete(countID)), in: db, isDryRun: false)
        }
    }

    func complete(
        countID: Int64, tenantID: String, userID: String, apply: Bool, uncounted: UncountedPolicy, rules: CountRules, command: RunCommand,
        in db: any SQLConnection, isDryRun: Bool
    ) throws -> CountCompletion {
        var completion: CountCompletion?
        try writing(db, isDryRun: isDryRun) {
            completion = try Store.completeCount(
                countID, tenantID: tenantID, userID: userID, apply: apply, uncounted: uncounted, rules: rules, command: command, in: db)
        }
        guard let completion else { throw UsageError("count \(countID) could not be completed") }
        return completion
    }

    public func cancel(countID: Int64, tenantID: String, userID: String) throws {
        try store.write("cancelling count \(countID)") { db in try Store.cancelCount(countID, tenantID: tenantID, userID: userID, in: db) }
    }

    /// Writes the blind sheet of a count's scope; returns how many lines it has.
    public func writeBlindSheet(countID: Int64, tenantID: String, format: SheetFormat, to path: String) throws -> Int {
        let session = try session(countID, tenantID: tenantID)
        var lines = 0
        do {
            try SheetWriter.write(header: CountSheetRow.columns, format: format, to: path) { emit in
                try store.forEachBlindSheetItem(session) { item in
                    try emit(item + ["", "", "", ""])
                    lines += 1
                }
            }
        } catch let error as StoreError {
            throw error
        } catch {
            throw OutputError(path: path, underlying: error)
        }
        return lines
    }

    public func session(_ countID: Int64, tenantID: String) throws -> CountSession {
        try store.read { db in try Store.countSession(countID, tenantID: tenantID, in: db) }
    }

    /// A count's items as they stand (an open count) or as completed.
    public func items(_ session: CountSession) throws -> [StoredCountItem] {
        try store.read { db in try Store.countItems(session, in: db) }
    }
}
