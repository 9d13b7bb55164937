import GRDB
import StockReconCore
import StockReconIO
import StockReconStore

/// One file's trip through the stages, inside its transaction: each row ends posted,
/// pending, rejected, unchanged or duplicate, and is counted once.
struct FileImporter {
    let file: InputFile
    let format: SourceFormat
    let validator: AdjustmentValidator
    let context: PostingContext
    let db: Database
    let progress: ProgressHandler?
    private(set) var samples: [Diagnostic] = []
    private var counts = OutcomeCounts()

    init(
        file: InputFile, format: SourceFormat, validator: AdjustmentValidator, context: PostingContext,
        db: Database, progress: ProgressHandler?
    ) {
        self.file = file
        self.format = format
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
        let posting = try FilePosting(db: db, context: context, sha256: sha256, path: file.displayName, format: format.rawValue)
        let isKnown = known != nil
        var mapper: RowMapper?
        switch file.kind() {
        case .csv:
            let reader = CSVReader(path: file.path, displayName: file.displayName)
            let total = file.size
            if let progress {
                let name = file.displayName
                reader.onProgress = { progress(name, $0, total) }
            }
            try reader.read(
                header: { mapper = try format.mapper(header: $0, file: file.displayName) },
                row: { row in
                    guard let mapper else { return }
                    try handle(row, mapper: mapper, posting: posting, isKnown: isKnown)
                })
        case .json:
            let (header, rows) = try JSONRowReader(path: file.path, displayName: file.displayName).rows(rowKeys: format.jsonRowKeys)
            let bound = try format.mapper(header: header, file: file.displayName)
            for row in rows { try handle(row, mapper: bound, posting: posting, isKnown: isKnown) }
        }
        try posting.finish(counts)
        return counts
    }

    private mutating func handle(_ row: some RowReading, mapper: RowMapper, posting: FilePosting, isKnown: Bool) throws {
        if posting.isSettled(record: row.record, isKnownFile: isKnown) {
            counts.count(.duplicate)
            return
        }
        switch validator.validate(mapper.input(from: row)) {
        case .invalid(let diagnostics):
            try reject(row.record, diagnostics, posting: posting)
        case .valid(let adjustment):
            switch try posting.post(adjustment) {
            case .posted: counts.count(.posted)
            case .unchanged: counts.count(.unchanged)
            case .duplicate: counts.count(.duplicate)
            case .rejected(let diagnostic): try reject(row.record, [diagnostic], posting: posting)
            }
        }
    }

    private mutating func reject(_ record: Int, _ diagnostics: [Diagnostic], posting: FilePosting) throws {
        counts.count(.rejected)
        try posting.reject(record: record, diagnostics)
        for diagnostic in diagnostics where samples.count < RunReport.sampleLimit { samples.append(diagnostic) }
    }
}
