import Foundation
import StockReconCore
import StockReconIO

/// Reads and checks a count sheet on its own thread, handing its counted lines and its
/// rejections over in batches: reading and the database's writing on two cores, and a sheet
/// never held whole (a million rejections held took 270 MB). Its figures are final once
/// `batches` has ended.
final class CountSheetReading: @unchecked Sendable {
    struct Batch {
        var lines: [CountedLine] = []
        var rejections: [Diagnostic] = []
    }

    let batches = BatchQueue<Batch>(capacity: 8)
    private(set) var counts = OutcomeCounts()
    private(set) var rows = 0
    /// Rows whose variant was named by a barcode that had lost its leading zeros.
    private(set) var barcodesWithoutLeadingZeros = 0
    /// When the sheet says it was counted (its dated rows' one time), and a second time its
    /// rows give, which refuses it: a sheet is counted at one time.
    private(set) var countedAt: String?
    private(set) var otherCountedAt: String?
    private let file: InputFile
    private let mapping: StockReconCore.ColumnMapping?
    private let checker: CountSheetChecker
    static let batchSize = 4096

    init(file: InputFile, mapping: StockReconCore.ColumnMapping?, checker: CountSheetChecker) {
        self.file = file
        self.mapping = mapping
        self.checker = checker
    }

    func start() { batches.produce { [self] in try read() } }

    /// Stops the thread (if still running) and waits for it to end.
    func stop() { batches.stopProducing() }

    private struct Cancelled: Error {}

    private func read() throws {
        var batch = Batch()
        batch.lines.reserveCapacity(Self.batchSize)
        // Kept in locals while reading (a class's stored property is checked for exclusive
        // access on every change), stored when the sheet ends.
        var (rows, counts, barcodesWithoutLeadingZeros) = (0, OutcomeCounts(), 0)
        defer { (self.rows, self.counts, self.barcodesWithoutLeadingZeros) = (rows, counts, barcodesWithoutLeadingZeros) }
        func take(_ row: CountSheetRow, lookedUp: Catalog.LookedUp? = nil) throws {
            rows += 1
            switch checker.check(row, lookedUp: lookedUp) {
            case .counted(let line):
                if let date = row.countedAt {
                    if countedAt == nil { countedAt = date } else if date != countedAt, otherCountedAt == nil { otherCountedAt = date }
                }
                if checker.namesBarcodeWithoutLeadingZeros(row, lookedUp: lookedUp) { barcodesWithoutLeadingZeros += 1 }
                batch.lines.append(line)
                counts.count(.pending)
            case .notCounted:
                counts.count(.unchanged)
            case .invalid(let problems):
                batch.rejections += problems
                counts.count(.rejected)
            }
            if batch.lines.count == Self.batchSize || batch.rejections.count >= Self.batchSize { try hand(&batch) }
        }
        // Over a mapped catalog, rows are held a few thousand at a time and their variants
        // looked up together, as an import's are: one at a time, a sheet of a million lines
        // held every page of the index it touched.
        var held = HeldSheetRows()
        func hold(_ row: CountSheetRow) throws {
            guard checker.catalog.isMapped else { return try take(row) }
            held.add(row)
            if held.isFull { try held.drain(checker.catalog, take) }
        }
        // Checked as it is read: a blind sheet of a million lines is never held whole.
        if let mapping {
            try CountSheetReader.forEach(file, mapping: mapping, hold)
        } else {
            try CountSheetReader.forEach(file, hold)
        }
        try held.drain(checker.catalog, take)
        if !batch.lines.isEmpty || !batch.rejections.isEmpty { try hand(&batch) }
    }

    /// Hands a batch over, its lines in the order of their index (count, variant, location):
    /// the database then inserts into one part of it after another, not all over it.
    private func hand(_ batch: inout Batch) throws {
        batch.lines.sort { ($0.variant, $0.location, $0.line) < ($1.variant, $1.location, $1.line) }
        guard batches.push(batch) else { throw Cancelled() }
        batch.lines.removeAll(keepingCapacity: true)
        batch.rejections.removeAll()
    }
}

/// Count sheet rows held to have their variants looked up together (`Catalog.lookUp`): at
/// most `rowLimit` rows, or about `byteLimit` bytes of their fields.
struct HeldSheetRows {
    static let rowLimit = 1 << 15, byteLimit = 8 << 20
    private var rows: [CountSheetRow] = []
    private var bytes = 0

    var isFull: Bool { rows.count >= Self.rowLimit || bytes >= Self.byteLimit }

    mutating func add(_ row: CountSheetRow) {
        rows.append(row)
        func size(_ text: String?) -> Int { text?.utf8.count ?? 0 }
        bytes += size(row.variantID) + size(row.sku) + size(row.barcode) + size(row.anyKey) + size(row.countedQuantity)
            + size(row.locationID) + size(row.locationName) + size(row.batch) + size(row.reason) + size(row.notes)
    }

    /// Hands each row to `take` in order, with what the lookup together found for its variant
    /// (nil for a row that names none, or a catalog in memory).
    mutating func drain(_ catalog: Catalog, _ take: (CountSheetRow, Catalog.LookedUp?) throws -> Void) throws {
        let lookedUp = catalog.lookUp(eachText: rows.map { row in CountSheetChecker.variantKey(of: row).map { ($0.key, $0.kind) } })
        for index in rows.indices { try take(rows[index], lookedUp[index]) }
        rows.removeAll(keepingCapacity: true)
        bytes = 0
    }
}
