import StockReconCore
import StockReconIO
import StockReconStore

/// `stockrecon import`: what to read and for whom.
public struct ImportRequest: Sendable {
    public var tenantID: String
    public var orgID: String
    /// How to read the files: a built-in format's mapping, or a mapping file's.
    public var mapping: StockReconCore.ColumnMapping
    public var userID: String?
    public var files: [InputFile]
    public var isDryRun: Bool
    public var rules: AdjustmentRules
    /// The pipeline whose stage this is, if any (for `runs`).
    public var pipeline: String?
    public var pipelineRun: Int64?
    /// Receipts (`stockrecon receive`): posted as `receipt` against the order lines, held
    /// only over these tolerances.
    public var receiving: ReceivingPolicy?
    /// A file that begins with an earlier clean file's bytes (every row naturally keyed, none
    /// rejected) is read from after them: those rows are duplicates by their keys.
    public var resumesAfterEarlierFiles = true
    /// A file imported before and read another way now (another mapping, other keys) is read
    /// as new rows (`--as-new-rows`); without it such a file is refused whole.
    public var readsAgainAsNewRows = false
    /// Whether a file whose every row ended before is counted duplicate unread. Off, it is read
    /// and each row settled (tests: the fast path must end as the slow one does).
    var skipsKnownFiles = true
    /// How the run reads the catalog (tests force one way or the other).
    var catalogReading = RunCatalog.Reading.asEachFileNeeds

    public init(
        tenantID: String, orgID: String, mapping: StockReconCore.ColumnMapping, userID: String? = nil,
        files: [InputFile], isDryRun: Bool = false, rules: AdjustmentRules = AdjustmentRules(), resumesAfterEarlierFiles: Bool = true
    ) {
        self.tenantID = tenantID
        self.orgID = orgID
        self.mapping = mapping
        self.userID = userID
        self.files = files
        self.isDryRun = isDryRun
        self.rules = rules
        self.resumesAfterEarlierFiles = resumesAfterEarlierFiles
    }

    public init(
        tenantID: String, orgID: String, format: SourceFormat, userID: String? = nil,
        files: [InputFile], isDryRun: Bool = false, rules: AdjustmentRules = AdjustmentRules()
    ) {
        self.init(tenantID: tenantID, orgID: orgID, mapping: format.mapping, userID: userID, files: files, isDryRun: isDryRun, rules: rules)
    }

    /// The run's command as `runs` lists it.
    var command: RunCommand {
        let isMappingFile = mapping.requiresEveryNamedColumn
        if receiving != nil {
            return RunCommand(.receive(mapping: isMappingFile ? mapping.name : nil), pipeline: pipeline, pipelineRun: pipelineRun)
        }
        return RunCommand(
            isMappingFile ? .importMapping(mapping.name) : .importFormat(mapping.name), pipeline: pipeline, pipelineRun: pipelineRun)
    }

    /// What decides each valid row: the rules, or for receipts the order's tolerances.
    var reconciler: Reconciler {
        receiving.map { Reconciler.receiving($0, rules: rules) } ?? Reconciler(rules: rules)
    }
}

/// Reports bytes read of a file, for a progress bar.
public typealias ProgressHandler = @Sendable (_ file: String, _ bytesRead: Int, _ totalBytes: Int) -> Void

/// The import stages for each file: hash → read → validate → post → commit. A file's
/// movements, balances, rejections and counts commit together; a file that cannot be read
/// rolls back alone and the run goes on with the next.
public struct ImportPipeline {
    public let store: Store
    public var progress: ProgressHandler?

    public init(store: Store, progress: ProgressHandler? = nil) {
        self.store = store
        self.progress = progress
    }

    public func run(_ request: ImportRequest) throws -> RunReport {
        if request.mapping.requiresEveryNamedColumn {
            try Importers.checkHeaders(of: request.files, mapping: request.mapping)
        }
        return try running(store, "importing", isDryRun: request.isDryRun) { db in try run(request, in: db, isDryRun: request.isDryRun) }
    }

    /// Imports the files, each in its own transaction (a savepoint in a dry run).
    func run(_ request: ImportRequest, in db: any SQLConnection, isDryRun: Bool) throws -> RunReport {
        let setup = try RunSetup.begin(
            db, tenantID: request.tenantID, orgID: request.orgID, userID: request.userID,
            command: request.command, isDryRun: isDryRun, rules: request.rules, reconciler: request.reconciler, variants: .named(NamedVariantKeys()))
        let catalog = RunCatalog(tenant: setup.context.tenant, reading: request.catalogReading)
        let validator = { (catalog: Catalog) in
            AdjustmentValidator(catalog: catalog, org: setup.org, rules: request.rules.applying(request.mapping), digest: setup.digest)
        }
        var report = RunReport()
        report.isDryRun = isDryRun
        report.runID = isDryRun ? nil : setup.context.run
        for file in request.files {
            let fileReport = try importFile(
                file, request: request, validator: { file in
                    validator(try catalog.catalog(for: file, in: db) { RunCatalog.adjustmentKeys(in: file, mapping: request.mapping) })
                },
                context: setup.context, in: db, isDryRun: isDryRun, report: &report)
            report.counts += fileReport.counts
            report.files.append(fileReport)
        }
        try setup.finish(in: db, isDryRun: isDryRun)
        return report
    }

    private func importFile(
        _ file: InputFile, request: ImportRequest, validator: (InputFile) throws -> AdjustmentValidator, context: PostingContext,
        in db: any SQLConnection, isDryRun: Bool, report: inout RunReport
    ) throws -> FileReport {
        var fileReport = FileReport(file: file.displayName)
        var samples: [Diagnostic] = []
        do {
            // Read, hashed and identified as UTF-8 (a copy, for a file in another encoding).
            try Transcoding.withUTF8(file, encoding: request.mapping.encoding) { file in
                let (path, displayName) = (file.path, file.displayName)
                let hashing = Background { try FileHash(path: path, displayName: displayName) }
                // Done before the file's copy goes; a file that cannot be read says so first.
                defer { _ = try? hashing.value() }
                try writing(db, isDryRun: isDryRun) {
                    let fileValidator: AdjustmentValidator
                    do { fileValidator = try validator(file) } catch {
                        _ = try hashing.value()
                        throw error
                    }
                    let hash = try hashing.value()
                    var importer = FileImporter(
                        file: file, mapping: request.mapping, validator: fileValidator, context: context, db: db,
                        resumes: request.resumesAfterEarlierFiles, readsAgainAsNewRows: request.readsAgainAsNewRows, skipsKnownFiles: request.skipsKnownFiles,
                        progress: progress)
                    fileReport.counts = try importer.run(hash: hash)
                    samples = importer.samples
                    fileReport.resumedRows = importer.resumedRows
                    fileReport.barcodesWithoutLeadingZeros = importer.barcodesWithoutLeadingZeros
                    fileReport.repeats = importer.repeated.map { ($0.path, $0.run, $0.point.rows) }
                }
            }
            report.sample(samples)
        } catch let failure as FileReadError {
            report.sample(try fileReport.recordUnreadable(failure, run: context.run, tenantID: context.tenantID, in: db, isDryRun: isDryRun))
        }
        return fileReport
    }
}
