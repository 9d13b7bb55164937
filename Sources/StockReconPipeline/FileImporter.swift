import GRDB
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
    let db: Database
    let progress: ProgressHandler?
    private(set) var samples: [Diagnostic] = []
    private var counts = OutcomeCounts()

    init(
        file: InputFile, mapping: StockReconCore.ColumnMapping, validator: AdjustmentValidator, context: PostingContext,
        db: Database, progress: ProgressHandler?
    ) {
        self.file = file
        self.mapping = mapping
        self.validator = validator
        self.context = context
        self.db = db
        self.progress = progress
    }

    mutating func run(sha256: String) throws -> OutcomeCounts {
        let known = try FilePosting.knownFile(tenant: context.tenant, sha256: sha256, in: db)
        if let known, known.outstanding == 0 {
            // Every row of this very file already ended: nothing to read again.
            counts = OutcomeCounts(rows: known.rows, duplicate: known.rows)
            try Store.addCounts(counts, toRun: context.run, in: db)
            return counts
        }
        let posting = try FilePosting(
            db: db, context: context, known: known, sha256: sha256, path: file.displayName, format: mapping.name)
        let checker = RowChecker(
            file: file, mapping: mapping, validator: validator,
            settled: SettledRecords(isKnownFile: known != nil, outstanding: posting.knownOutstanding, knownKeys: posting.knownKeys),
            progress: progress)
        checker.start()
        defer { checker.stop() }
        while let batch = try checker.queue.pop() {
            try posting.post(batch, into: &counts) { diagnostics in
                for diagnostic in diagnostics where samples.count < RunReport.sampleLimit { samples.append(diagnostic) }
            }
        }
        try posting.finish(counts)
        return counts
    }
}
