import Foundation
import StockReconCore
import StockReconIO
import StockReconStore

/// Records of a file seen before that still wait on a fix; all others have ended.
struct SettledRecords: Sendable {
    var isKnownFile: Bool
    var outstanding: Set<Int>

    func contains(_ record: Int) -> Bool { isKnownFile && !outstanding.contains(record) }
}

/// Stage one and two on their own thread: reads the file and checks every row, handing
/// batches to the posting stage, so that parsing and SQLite work on two cores at once.
final class RowChecker: @unchecked Sendable {
    let file: InputFile
    let format: SourceFormat
    let validator: AdjustmentValidator
    let settled: SettledRecords
    let progress: ProgressHandler?
    let queue = BatchQueue(capacity: 8)
    private let done = DispatchSemaphore(value: 0)
    static let batchSize = 4096

    init(file: InputFile, format: SourceFormat, validator: AdjustmentValidator, settled: SettledRecords, progress: ProgressHandler?) {
        self.file = file
        self.format = format
        self.validator = validator
        self.settled = settled
        self.progress = progress
    }

    func start() {
        let thread = Thread { [self] in
            do {
                try read()
                queue.finish()
            } catch {
                queue.finish(throwing: error)
            }
            done.signal()
        }
        thread.stackSize = 8 << 20
        thread.start()
    }

    /// Stops the thread (if still running) and waits for it to end.
    func stop() {
        queue.cancel()
        done.wait()
    }

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
        func check(_ row: some RowReading, _ mapper: RowMapper) throws {
            if batch.pointee.count == 0 { batch.pointee.quantityColumn = mapper.source.quantityColumn }
            if settled.contains(row.record) {
                batch.pointee.appendSettled()
            } else {
                switch validator.validate(mapper.input(from: row)) {
                case .valid(let adjustment): batch.pointee.append(adjustment)
                case .invalid(let problems): batch.pointee.appendInvalid(record: row.record, problems)
                }
            }
            if batch.pointee.count == RowChecker.batchSize {
                guard queue.push(batch.pointee) else { throw Cancelled() }
                batch.pointee = PostingBatch(capacity: RowChecker.batchSize)
            }
        }
        switch file.kind() {
        case .csv:
            let reader = CSVReader(path: file.path, displayName: file.displayName)
            if let progress {
                let (name, total) = (file.displayName, file.size)
                reader.onProgress = { progress(name, $0, total) }
            }
            var mapper: RowMapper?
            try reader.read(
                header: { mapper = try format.mapper(header: $0, file: file.displayName) },
                row: { row in if let mapper { try check(row, mapper) } })
        case .json:
            let (header, rows) = try JSONRowReader(path: file.path, displayName: file.displayName).rows(rowKeys: format.jsonRowKeys)
            let mapper = try format.mapper(header: header, file: file.displayName)
            for row in rows { try check(row, mapper) }
        }
        if batch.pointee.count > 0, !queue.push(batch.pointee) { throw Cancelled() }
    }
}
