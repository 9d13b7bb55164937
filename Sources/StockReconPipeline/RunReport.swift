import Foundation
import StockReconCore
import StockReconIO
import StockReconStore

/// A problem with the command itself (an unknown org or user, say): nothing was done.
public struct UsageError: Error, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// An output file that could not be written (a report, a blind sheet): an I/O failure,
/// exit 2 like any other.
public struct OutputError: Error, CustomStringConvertible {
    public var path: String
    public var reason: String

    public init(path: String, underlying: Error) {
        self.path = path
        if let refused = underlying as? OutputFile.IsDirectory {
            reason = refused.description
            return
        }
        // The operating system's words where there are some ("No such file or directory").
        let nsError = underlying as NSError
        let posix = [nsError, (nsError.userInfo[NSUnderlyingErrorKey] as? Error).map { $0 as NSError }].compactMap { $0 }
            .first { $0.domain == NSPOSIXErrorDomain }
        reason = posix.map { String(cString: strerror(Int32($0.code))) } ?? nsError.localizedDescription
    }

    public var description: String { "cannot write \(path): \(reason)" }
}

/// What one input file came to.
public struct FileReport: Sendable {
    public var file: String
    public var counts = OutcomeCounts()
    /// Set when the file could not be read at all: it posted nothing.
    public var failure: Diagnostic?
    /// Rows of an earlier clean file that this one begins with, not read again: duplicates
    /// by their natural keys.
    public var resumedRows = 0
    /// An earlier file without natural keys that this one begins with: its rows posted again.
    public var repeats: (file: String, run: Int64, rows: Int)?
    /// Rows whose variant was named by a barcode without its leading zeros, matched to the one that fits.
    public var barcodesWithoutLeadingZeros = 0
}

/// What reading one file (a catalog file, a count sheet, purchase orders) came to: its
/// counts and the first of its rejections.
struct FileLoad {
    var counts = OutcomeCounts()
    /// The first of the rejections recorded as the file was read, for the run's sample: a
    /// million held until its end took a catalog load to 171 MB.
    var recordedSample: [Diagnostic] = []
    /// Rows that named a barcode without its leading zeros (count sheets).
    var barcodesWithoutLeadingZeros = 0

    /// Records `rejections` of the file's now, in the file's transaction, keeping the first for the sample.
    mutating func record(_ rejections: [Diagnostic], run: Int64, tenantID: String, in db: any SQLConnection) throws {
        guard !rejections.isEmpty else { return }
        try Store.record(rejections, run: run, tenantID: tenantID, in: db)
        recordedSample += rejections.prefix(RunReport.sampleLimit - recordedSample.count)
    }
}

extension RunReport {
    /// Loads each file in its own transaction (a savepoint in a dry run): `load` reads, checks
    /// and writes it in the transaction, recording its rejections as it goes, and what it wrote
    /// commits with the run's counts. A file that cannot be read at all is one file-level
    /// rejection and writes nothing else.
    mutating func loadEach(
        _ files: [InputFile], run: Int64, tenantID: String, in db: any SQLConnection, isDryRun: Bool,
        _ load: (InputFile) throws -> FileLoad
    ) throws {
        for file in files {
            var fileReport = FileReport(file: file.displayName)
            var diagnostics: [Diagnostic] = []
            do {
                var loaded = FileLoad()
                try writing(db, isDryRun: isDryRun) {
                    loaded = try load(file)
                    try Store.addCounts(loaded.counts, toRun: run, in: db)
                }
                fileReport.counts = loaded.counts
                fileReport.barcodesWithoutLeadingZeros = loaded.barcodesWithoutLeadingZeros
                diagnostics = loaded.recordedSample
            } catch let failure as FileReadError {
                diagnostics = try fileReport.recordUnreadable(failure, run: run, tenantID: tenantID, in: db, isDryRun: isDryRun)
            }
            add(fileReport, diagnostics: diagnostics)
        }
    }
}

extension FileReport {
    /// A file that could not be read at all: one file-level rejection, recorded with the run's
    /// counts; nothing else of it is written. Returns the rejection.
    mutating func recordUnreadable(_ failure: FileReadError, run: Int64, tenantID: String, in db: any SQLConnection, isDryRun: Bool) throws -> [Diagnostic] {
        counts = OutcomeCounts(rows: 1, rejected: 1)
        self.failure = failure.diagnostic
        let diagnostics = [failure.diagnostic]
        try writing(db, isDryRun: isDryRun) {
            try Store.record(diagnostics, run: run, tenantID: tenantID, in: db)
            try Store.addCounts(counts, toRun: run, in: db)
        }
        return diagnostics
    }
}

/// What a run did: its id, the five counts, each file, and the first rejections to show.
public struct RunReport: Sendable {
    public var runID: Int64?
    public var isDryRun = false
    public var counts = OutcomeCounts()
    public var files: [FileReport] = []
    /// The first rejections, for people; all of them are in the `rejections` table.
    public var sampleRejections: [Diagnostic] = []
    public static let sampleLimit = 20

    public init() {}

    /// The report of a run; a dry run's has no run id (its run was rolled back).
    init(run: Int64, isDryRun: Bool) {
        runID = isDryRun ? nil : run
        self.isDryRun = isDryRun
    }

    public var hasUnreadableFiles: Bool { files.contains { $0.failure != nil } }

    /// SPEC section 5: 2 when a file could not be read, 1 when rows were rejected, else 0.
    public var exitStatus: Int32 {
        if hasUnreadableFiles { return 2 }
        return counts.rejected > 0 ? 1 : 0
    }

    /// Adds a file's counts, and its first rejections to the sample.
    mutating func add(_ file: FileReport, diagnostics: [Diagnostic]) {
        sample(diagnostics)
        counts += file.counts
        files.append(file)
    }

    mutating func sample(_ diagnostics: [Diagnostic]) {
        for diagnostic in diagnostics where sampleRejections.count < RunReport.sampleLimit {
            sampleRejections.append(diagnostic)
        }
    }
}
