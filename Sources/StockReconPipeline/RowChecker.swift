import Foundation
import StockReconCore
import StockReconIO
import StockReconStore

/// Rows that have already ended, known before they are checked: every record of a file
/// seen before but those still waiting on a fix, and rows whose natural key the tenant
/// used before with the same content (a re-export's old rows), which are duplicates
/// however the catalog has changed since.
struct SettledRecords: Sendable {
    var isKnownFile: Bool
    var outstanding: Set<Int>
    var knownKeys: KnownKeys?

    func contains(_ record: Int) -> Bool { isKnownFile && !outstanding.contains(record) }

    /// `keyHash` is the `TextIndex` hash of the row's natural key.
    func isDuplicate(_ input: AdjustmentInput<BorrowedText>, keyHash: UInt64, digest: ContentDigest) -> Bool {
        guard let knownKeys, let key = input.naturalKey, !outstanding.contains(input.record),
              let earlier = knownKeys.earlier(key, hash: keyHash) else { return false }
        return earlier.contentDigest == input.contentDigest(digest)
    }
}

/// Stage one and two on their own thread: reads the file and checks every row, handing
/// batches to the posting stage, so that parsing and SQLite work on two cores at once.
final class RowChecker: @unchecked Sendable {
    let file: InputFile
    let mapping: StockReconCore.ColumnMapping
    let validator: AdjustmentValidator
    let settled: SettledRecords
    /// Where to resume in a file that begins with an earlier clean file's bytes.
    let resume: ResumePoint?
    let progress: ProgressHandler?
    /// Once the queue is finished: where a later file with this one's bytes may resume,
    /// and whether every row carried a natural key (else resuming would skip new rows).
    private(set) var resumePoint: ResumePoint?
    private(set) var isEveryRowKeyed = true
    /// Rows whose variant was named by a barcode that had lost its leading zeros.
    private(set) var barcodesWithoutLeadingZeros = 0
    let queue = BatchQueue<PostingBatch>(capacity: 8)
    static let batchSize = 4096

    init(
        file: InputFile, mapping: StockReconCore.ColumnMapping, validator: AdjustmentValidator, settled: SettledRecords,
        resume: ResumePoint?, progress: ProgressHandler?
    ) {
        self.file = file
        self.mapping = mapping
        self.validator = validator
        self.settled = settled
        self.resume = resume
        self.progress = progress
    }

    func start() { queue.produce { [self] in try read() } }

    /// Stops the thread (if still running) and waits for it to end.
    func stop() { queue.stopProducing() }

    private struct Cancelled: Error {}

    private func read() throws {
        // The batch is reached through a pointer: a local captured by the row callback
        // would be checked for exclusive access on every row.
        let batch = UnsafeMutablePointer<PostingBatch>.allocate(capacity: 1)
        batch.initialize(to: PostingBatch(capacity: RowChecker.batchSize))
        defer {
            batch.deinitialize(count: 1)
            batch.deallocate()
        }
        var bound: BoundMapping?
        var isEveryRowKeyed = true
        var restoredBarcodes = 0
        func check(_ input: AdjustmentInput<BorrowedText>, bound: BoundMapping, lookedUp: Catalog.LookedUp? = nil) throws {
            if settled.contains(input.record) {
                batch.pointee.appendSettled()
            } else {
                // Hashed once here, for the known keys and for the posting thread's.
                let keyHash = input.naturalKey.map { $0.withBytes(TextIndex.hash) } ?? 0
                if input.naturalKey == nil { isEveryRowKeyed = false }
                if settled.isDuplicate(input, keyHash: keyHash, digest: validator.digest) {
                    batch.pointee.appendSettled()
                } else {
                    switch validator.validate(input, lookedUp: lookedUp) {
                    case .valid(let adjustment):
                        if adjustment.isBarcodeWithoutLeadingZeros { restoredBarcodes += 1 }
                        batch.pointee.append(adjustment, keyHash: keyHash)
                        if let field = batch.pointee.lastRowNULField {
                            // As `Diagnostic.nulBytes` says, found as the batch copied the texts.
                            let at = SourceLocation(file: file.displayName, line: adjustment.line, field: field)
                            batch.pointee.refuseLastRow([Diagnostic(.invalidText, at: at, Diagnostic.nulByteMessage)])
                        }
                    case .invalid(let problems): batch.pointee.appendInvalid(record: input.record, problems)
                    case .noChange: batch.pointee.appendNoChange(record: input.record)
                    }
                }
            }
            if batch.pointee.count == RowChecker.batchSize {
                guard queue.push(batch.pointee) else { throw Cancelled() }
                batch.pointee = PostingBatch(capacity: RowChecker.batchSize)
                batch.pointee.quantityColumns = bound.quantityColumns
            }
        }
        // Over a mapped catalog, rows are held a batch at a time and their variants looked up
        // together (`Catalog.lookUp`): one at a time, a million rows over a million variants
        // hold every page of the index they touch. (Through a pointer, as the batch is.)
        let stash = UnsafeMutablePointer<RowStash>.allocate(capacity: 1)
        stash.initialize(to: RowStash())
        defer {
            stash.deinitialize(count: 1)
            stash.deallocate()
        }
        // Stashed filled down (`withFilledDown`), in the order they came: read without filling.
        func checkStashed(bound: BoundMapping) throws {
            try stash.pointee.withRows { rows in
                // A wide sheet's row gives inputs of records of their own, one variant for all.
                let lookedUp = validator.catalog.lookUp(each: rows.map { row in
                    !bound.isWide && settled.contains(row.record) ? nil : bound.variant(of: row).map { ($0.key.bytes, $0.kind) }
                })
                for (index, row) in rows.enumerated() {
                    if bound.isWide {
                        try bound.forEachInput(from: row, fillingDown: false) { try check($0, bound: bound, lookedUp: lookedUp[index]) }
                    } else {
                        try check(alone: row, bound: bound, lookedUp: lookedUp[index], fillingDown: false)
                    }
                }
            }
        }
        /// A row whose input is its own (not a wide sheet's).
        func check(alone row: SourceRow, bound: BoundMapping, lookedUp: Catalog.LookedUp? = nil, fillingDown: Bool = true) throws {
            if settled.contains(row.record) {
                // Settled before its fields are read: an old file's rows cost no input each. Its
                // cells still fill the blank ones below it.
                if fillingDown { bound.withFilledDown(row) { _ in } }
                try check(AdjustmentInput(source: bound.source, line: row.line, record: row.record), bound: bound)
            } else {
                try bound.withInput(from: row, fillingDown: fillingDown) { try check($0, bound: bound, lookedUp: lookedUp) }
            }
        }
        func check(_ row: SourceRow) throws {
            guard let bound else { return }
            if validator.catalog.isMapped {
                bound.withFilledDown(row) { stash.pointee.add($0) }
                if stash.pointee.isFull { try checkStashed(bound: bound) }
            } else if bound.isWide {
                try bound.forEachInput(from: row) { try check($0, bound: bound) }
            } else {
                try check(alone: row, bound: bound)
            }
        }
        let importer = try Importers.importer(for: file, mapping: mapping)
        var onProgress: ((Int) -> Void)?
        if let progress {
            let (name, total) = (file.displayName, file.size)
            onProgress = { progress(name, $0, total) }
        }
        resumePoint = try importer.extract(
            file, mapping: mapping, progress: onProgress, resumingAt: resume,
            header: { mapping in
                bound = mapping
                batch.pointee.quantityColumns = mapping.quantityColumns
            },
            row: check)
        if let bound, !stash.pointee.isEmpty { try checkStashed(bound: bound) }
        self.isEveryRowKeyed = isEveryRowKeyed
        barcodesWithoutLeadingZeros = restoredBarcodes
        if batch.pointee.count > 0, !queue.push(batch.pointee) { throw Cancelled() }
    }
}
