import StockReconCore

/// One record of a small tabular file (a catalog file, a count sheet) by column name.
public struct TableRecord: Sendable {
    public var line: Int
    /// Normalized column name → value: trimmed, except free-text columns, kept exactly.
    public var values: [String: String]
}

/// Reads a CSV, XLSX (first sheet) or JSON file whose columns are known names into records,
/// whole. For files of thousands of rows, not for the ledger's hot path (the importers).
enum TableFileReader {
    /// - Parameters:
    ///   - columns: the column names to keep (normalized); others are ignored.
    ///   - rowKeys: for JSON, the members of a wrapping object that hold the rows.
    ///   - header: called with the normalized names the file has, before any record.
    static func read(
        _ input: InputFile, columns: [String], freeText: Set<String> = [], rowKeys: [String],
        header: (Set<String>) throws -> Void
    ) throws -> [TableRecord] {
        var positions: [(name: String, column: Int)] = []
        var records: [TableRecord] = []
        func collect(_ row: SourceRow) {
            var values: [String: String] = [:]
            for (name, column) in positions {
                let text = freeText.contains(name) ? row.raw(column)?.string : row.text(column)
                if let text { values[name] = text }
            }
            records.append(TableRecord(line: row.line, values: values))
        }
        func bind(_ names: [String], present: Set<String>) throws {
            try header(Set(present.map(Columns.normalize)))
            let found = Columns(header: names)
            positions = columns.compactMap { name in found[name].map { (name, $0) } }
        }
        switch input.kind() {
        case .csv:
            try CSVReader(path: input.path, displayName: input.displayName, separator: CSVReader.sniffSeparator(path: input.path))
                .read(header: { try bind($0, present: Set($0)) }, row: collect)
        case .xlsx:
            try XLSXReader(path: input.path, displayName: input.displayName)
                .read(sheet: nil, header: { try bind($0, present: Set($0)) }, row: collect)
        case .json:
            try withoutActuallyEscaping(collect) { collect in
                try withoutActuallyEscaping(bind) { bind in
                    let rows = FlatJSONRows(
                        file: input.displayName, header: columns, rowKeys: rowKeys,
                        firstRow: { try bind(columns, $0) }, row: collect)
                    try JSONEventReader(path: input.path, displayName: input.displayName).read(into: rows)
                }
            }
        }
        return records
    }

    /// The header of a CSV or XLSX file as written (nothing else is read).
    static func header(of input: InputFile) throws -> [String] {
        struct Read: Error {}
        var header: [String] = []
        let take = { (names: [String]) throws -> Void in
            header = names
            throw Read()
        }
        do {
            switch input.kind() {
            case .csv:
                _ = try CSVReader(path: input.path, displayName: input.displayName, separator: CSVReader.sniffSeparator(path: input.path))
                    .read(header: take, row: { _ in })
            case .xlsx:
                try XLSXReader(path: input.path, displayName: input.displayName).read(sheet: nil, header: take, row: { _ in })
            case .json:
                return []
            }
        } catch is Read {}
        return header
    }
}
