import StockReconCore

/// Reads one kind of source into rows for a column mapping (beangulp's importers): says
/// whether it reads a file (`identify`), then hands on the header and each row (`extract`).
public protocol SourceImporter: Sendable {
    var name: String { get }
    func identify(_ kind: InputFile.Kind, mapping: ColumnMapping) -> Bool
    /// Calls `header` once with the mapping bound to the file's columns, then `row` for
    /// each record. A file that cannot be read throws `FileReadError`. With `resume`, the
    /// file begins with an earlier one's bytes up to `resume.end`: the rows there that are
    /// not the first record's are skipped. Returns where a later file with this one's bytes
    /// may resume, if the importer can.
    @discardableResult
    func extract(
        _ file: InputFile, mapping: ColumnMapping, progress: ((Int) -> Void)?, resumingAt resume: ResumePoint?,
        header: (BoundMapping) throws -> Void, row: (SourceRow) throws -> Void) throws -> ResumePoint?
}

/// The importers, and the one that reads a given file.
public enum Importers {
    private struct HeaderRead: Error {}

    /// Checks that a mapping file fits each file's header before any row is read: every
    /// column a file lacks is a `ConfigurationError` at the mapping's line. A file that cannot
    /// be read at all is left for the import to report, or with `refusingUnreadable` (a
    /// pipeline, checked whole before it runs) is one more problem.
    public static func checkHeaders(of files: [InputFile], mapping: ColumnMapping, refusingUnreadable: Bool = false) throws {
        var problems: [ConfigurationProblem] = []
        for original in files {
            do {
                try Transcoding.withUTF8(original, encoding: mapping.encoding) { file in
                    try importer(for: file, mapping: mapping).extract(
                        file, mapping: mapping, progress: nil, resumingAt: nil, header: { _ in throw HeaderRead() }, row: { _ in throw HeaderRead() })
                }
            } catch let error as ConfigurationError {
                problems += error.problems
            } catch let error as FileReadError where refusingUnreadable {
                problems.append(ConfigurationProblem(file: error.location.file, line: error.location.line, column: nil, error.message))
            } catch {
                continue
            }
        }
        if !problems.isEmpty { throw ConfigurationError(problems) }
    }

    public static let all: [any SourceImporter] = [TabularImporter(), FlatJSONImporter(), HaravanImporter()]

    /// Exactly one importer must claim a file: none is an unreadable file, two an error in
    /// the importers themselves (not first match wins).
    public static func importer(for file: InputFile, mapping: ColumnMapping) throws -> any SourceImporter {
        let kind = file.kind()
        let claiming = all.filter { $0.identify(kind, mapping: mapping) }
        guard claiming.count == 1, let importer = claiming.first else {
            if claiming.isEmpty {
                let expected = mapping.shape == .haravanAdjustments ? "haravan JSON" : "CSV, XLSX or JSON"
                throw FileReadError(
                    SourceLocation(file: file.displayName),
                    "format \(mapping.name) reads \(expected), and this file is \(kind.rawValue)")
            }
            throw FileReadError(
                SourceLocation(file: file.displayName),
                "importers \(claiming.map(\.name).joined(separator: " and ")) both claim this \(kind.rawValue) file for \(mapping.name)")
        }
        return importer
    }
}

/// CSV (and XLSX) files with a header row.
public struct TabularImporter: SourceImporter {
    public let name = "tabular"

    public func identify(_ kind: InputFile.Kind, mapping: ColumnMapping) -> Bool {
        mapping.shape == .rows && (kind == .csv || kind == .xlsx)
    }

    /// XLSX files are read whole.
    public func extract(
        _ file: InputFile, mapping: ColumnMapping, progress: ((Int) -> Void)?, resumingAt resume: ResumePoint?,
        header: (BoundMapping) throws -> Void, row: (SourceRow) throws -> Void
    ) throws -> ResumePoint? {
        var bound: BoundMapping?
        let onHeader = { (names: [String]) throws in
            let mapping = try BoundMapping(mapping: mapping, header: names, file: file.displayName)
            bound = mapping
            try header(mapping)
        }
        if file.kind() == .xlsx {
            try XLSXReader(path: file.path, displayName: file.displayName).read(sheet: mapping.sheet, header: onHeader, row: row)
            return nil
        }
        let separator: UInt8
        switch mapping.separator {
        case .auto: separator = CSVReader.sniffSeparator(path: file.path)
        case .comma, .semicolon, .tab: separator = mapping.separator.rawValue.utf8.first ?? UInt8(ascii: ",")
        }
        let reader = CSVReader(path: file.path, displayName: file.displayName, separator: separator)
        reader.onProgress = progress
        reader.columnsRead = { bound?.columnsRead }
        return try reader.read(header: onHeader, row: { record in if bound != nil { try row(record) } }, resumingAt: resume)
    }
}

/// JSON whose objects are rows (SPEC section 6), read as a stream.
public struct FlatJSONImporter: SourceImporter {
    public let name = "flat JSON"

    public func identify(_ kind: InputFile.Kind, mapping: ColumnMapping) -> Bool {
        mapping.shape == .rows && kind == .json
    }

    public func extract(
        _ file: InputFile, mapping: ColumnMapping, progress: ((Int) -> Void)?, resumingAt resume: ResumePoint?,
        header: (BoundMapping) throws -> Void, row: (SourceRow) throws -> Void
    ) throws -> ResumePoint? {
        let names = mapping.allColumnNames
        return try withoutActuallyEscaping(header) { header in
            try withoutActuallyEscaping(row) { row in
                let rows = FlatJSONRows(
                    file: file.displayName, header: names, rowKeys: mapping.jsonRowKeys,
                    firstRow: { present in
                        try header(BoundMapping(mapping: mapping, header: names, file: file.displayName, present: present))
                    },
                    row: row)
                return try JSONEventReader(file, progress: progress).read(into: rows, resumingAt: resume)
            }
        }
    }
}

/// Haravan's nested adjustments: each line item a row.
public struct HaravanImporter: SourceImporter {
    public let name = "haravan"

    public func identify(_ kind: InputFile.Kind, mapping: ColumnMapping) -> Bool {
        mapping.shape == .haravanAdjustments && kind == .json
    }

    public func extract(
        _ file: InputFile, mapping: ColumnMapping, progress: ((Int) -> Void)?, resumingAt resume: ResumePoint?,
        header: (BoundMapping) throws -> Void, row: (SourceRow) throws -> Void
    ) throws -> ResumePoint? {
        try header(BoundMapping(mapping: mapping, header: HaravanRows.header, file: file.displayName))
        return try withoutActuallyEscaping(row) { row in
            try JSONEventReader(file, progress: progress).read(into: HaravanRows(file: file.displayName, row: row), resumingAt: resume)
        }
    }
}

extension Importers {
    /// Each input of a file read through a mapping (a wide sheet's row gives one per location
    /// column), as it is read: what count sheets and purchase orders read through mappings share.
    public static func forEachInput(_ input: InputFile, mapping: ColumnMapping, _ body: (AdjustmentInput<BorrowedText>) throws -> Void) throws {
        try Transcoding.withUTF8(input, encoding: mapping.encoding) { file in
            var bound: BoundMapping?
            try importer(for: file, mapping: mapping).extract(
                file, mapping: mapping, progress: nil, resumingAt: nil, header: { bound = $0 },
                row: { source in
                    guard let bound else { return }
                    try bound.forEachInput(from: source, body)
                })
        }
    }
}
