import StockReconCore
import StockReconIO
import StockReconStore

/// One file's trip through the stages, inside its transaction: a checking thread reads
/// and validates rows while this one posts them, and each row ends posted, pending,
/// rejected, unchanged or duplicate, counted once.
struct FileImporter {
    let file: InputFile
    let mapping: StockReconCore.ColumnMapping
    let validator: AdjustmentValidator
    let context: PostingContext
    let db: any SQLConnection
    /// Whether a file may resume after an earlier clean file it begins with.
    let resumes: Bool
    /// Whether bytes imported before, read another way, are read as new rows (else refused).
    let readsAgainAsNewRows: Bool
    /// Whether a file whose every row ended before is counted duplicate without reading it.
    let skipsKnownFiles: Bool
    let progress: ProgressHandler?
    private(set) var samples: [Diagnostic] = []
    /// Rows skipped by resuming after an earlier file this one begins with.
    private(set) var resumedRows = 0
    /// An earlier file without natural keys that this one begins with: its rows were posted
    /// again (their keys are their file's).
    private(set) var repeated: FilePrefixes.Candidate?
    private var counts = OutcomeCounts()
    /// Rows whose variant was named by a barcode without its leading zeros.
    private(set) var barcodesWithoutLeadingZeros = 0

    init(
        file: InputFile, mapping: StockReconCore.ColumnMapping, validator: AdjustmentValidator, context: PostingContext,
        db: any SQLConnection, resumes: Bool, readsAgainAsNewRows: Bool = false, skipsKnownFiles: Bool = true, progress: ProgressHandler?
    ) {
        self.skipsKnownFiles = skipsKnownFiles
        self.file = file
        self.mapping = mapping
        self.validator = validator
        self.context = context
        self.db = db
        self.resumes = resumes
        self.readsAgainAsNewRows = readsAgainAsNewRows
        self.progress = progress
    }

    mutating func run(hash: FileHash) throws -> OutcomeCounts {
        let fileReading = FileReading.digest(mapping: mapping, changeKind: context.reconciler.changeKind)
        let (sha256, known) = try identify(hash.sha256, reading: fileReading)
        if skipsKnownFiles, let known, known.outstanding == 0 {
            // Every row of this very file already ended: nothing to read again.
            counts = OutcomeCounts(rows: known.rows, duplicate: known.rows)
            try Store.addCounts(counts, toRun: context.run, in: db)
            return counts
        }
        let posting = try FilePosting(
            db: db, context: context, known: known, sha256: sha256, path: file.displayName, format: mapping.name, reading: fileReading)
        let reading = reading  // it reads the file's first bytes: once
        let resume = known == nil && resumes ? try resumePoint(in: hash, reading: reading) : nil
        let checker = RowChecker(
            file: file, mapping: mapping, validator: validator,
            settled: SettledRecords(isKnownFile: known != nil, outstanding: posting.knownOutstanding, knownKeys: posting.knownKeys),
            resume: resume, progress: progress)
        checker.start()
        defer { checker.stop() }
        let batches = BatchPosting(posting: posting, reconciler: context.reconciler)
        while let batch = try checker.queue.pop() {
            try batches.post(batch, into: &counts) { diagnostics in
                for diagnostic in diagnostics where samples.count < RunReport.sampleLimit { samples.append(diagnostic) }
            }
        }
        barcodesWithoutLeadingZeros = checker.barcodesWithoutLeadingZeros
        if let resume {
            // The earlier file's rows, each a duplicate by its natural key.
            counts.rows += resume.skippedRows
            counts.duplicate += resume.skippedRows
            resumedRows = resume.skippedRows
        }
        try posting.finish(counts)
        if known == nil, !checker.isEveryRowKeyed {
            repeated = try earlierFile(in: hash, reading: reading, resumable: false)
        }
        // A clean file of keyed rows may be resumed after; one without keys is recorded to warn.
        let resumable = counts.rejected == 0 && checker.isEveryRowKeyed
        if known == nil, resumable || !checker.isEveryRowKeyed, let point = checker.resumePoint,
           let prefix = try hash.sha256(ofFirst: point.end) {
            try FilePrefixes.record(
                file: posting.file, tenant: context.tenant, reading: reading, sha256: prefix, point: point, resumable: resumable, in: db)
        }
        return counts
    }

    /// The file's identity and what the tenant saw of it: its bytes, and how they are read. The
    /// same bytes read another way (another column of a wide export, other keys) are other
    /// rows: refused whole, unless asked for as new rows, identified then by bytes and reading.
    private func identify(_ sha256: String, reading: String) throws -> (identity: String, known: KnownFile?) {
        guard let earlier = try FilePosting.knownFile(tenant: context.tenant, sha256: sha256, in: db) else { return (sha256, nil) }
        if earlier.reading == nil || earlier.reading == reading { return (sha256, earlier) }
        let other = sha256 + "~" + reading
        if let again = try FilePosting.knownFile(tenant: context.tenant, sha256: other, in: db) { return (other, again) }
        guard readsAgainAsNewRows else {
            throw FileReadError(
                SourceLocation(file: file.displayName),
                "these bytes were imported in run \(earlier.firstRun), read by \(earlier.format); read by \(mapping.name) they are other rows, "
                    + "so the file is refused whole: if both readings are meant (one column each), import it with --as-new-rows; "
                    + "if the earlier one was wrong, undo it with `stockrecon reverse --run \(earlier.firstRun)` first",
                type: .readDifferently, context: ["earlier_run": .integer(earlier.firstRun), "earlier_reading": .text(earlier.format)])
        }
        return (other, nil)
    }

    /// What must match for one file's rows to be another's: the kind of file, the mapping,
    /// and whether rows are receipts.
    private var reading: String { "\(context.reconciler.changeKind) \(file.kind().rawValue) \(mapping.identity)" }

    /// Where this file may resume: after the longest clean file it begins with, if any.
    private func resumePoint(in hash: FileHash, reading: String) throws -> ResumePoint? {
        try earlierFile(in: hash, reading: reading, resumable: true)?.point
    }

    /// The longest earlier file (resumable, or without natural keys) this one begins with.
    private func earlierFile(in hash: FileHash, reading: String, resumable: Bool) throws -> FilePrefixes.Candidate? {
        for candidate in try FilePrefixes.candidates(tenant: context.tenant, reading: reading, size: hash.size, resumable: resumable, in: db)
        where try hash.sha256(ofFirst: candidate.point.end) == candidate.sha256 {
            return candidate
        }
        return nil
    }
}
