import StockReconCore

/// One record of a tabular file (a catalog file, a count sheet) by column name.
public struct TableRecord: Sendable {
    public var line: Int
    /// The value of each column asked for, in the order asked (nil where the file has no such
    /// column or the cell is empty): trimmed, except free-text columns, kept exactly.
    public var fields: [String?]
    /// The columns asked for (normalized names), shared by a file's records.
    public var columns: [String]

    /// Normalized column name → value, for the columns that have one.
    public var values: [String: String] { Self.values(of: columns, fields) }

    /// Each column that has a value, with it (`fields` in the order of `columns`).
    static func values(of columns: [String], _ fields: [String?]) -> [String: String] {
        var values: [String: String] = [:]
        for (name, field) in zip(columns, fields) { if let field { values[name] = field } }
        return values
    }
}

/// Reads a CSV, XLSX (first sheet) or JSON file whose columns are known names into records,
/// one at a time (`forEach`) or whole (`read`, for files of thousands of rows). Not for the
/// ledger's hot path (the importers).
enum TableFileReader {
    static func read(
        _ input: InputFile, columns: [String], freeText: Set<String> = [], rowKeys: [String],
        header: (Set<String>) throws -> Void
    ) throws -> [TableRecord] {
        var records: [TableRecord] = []
        try forEach(input, columns: columns, freeText: freeText, rowKeys: rowKeys, header: header) { records.append($0) }
        return records
    }

    /// - Parameters:
    ///   - columns: the column names to keep (normalized); others are ignored.
    ///   - rowKeys: for JSON, the members of a wrapping object that hold the rows.
    ///   - header: called with the normalized names the file has, before any record.
    ///   - record: called with each record, in file order.
    static func forEach(
        _ input: InputFile, columns: [String], freeText: Set<String> = [], rowKeys: [String],
        header: (Set<String>) throws -> Void, record: (TableRecord) throws -> Void
    ) throws {
        // Where each column asked for is in the file, and whether it is free text.
        var positions: [(column: Int, isFreeText: Bool)?] = []
        var fields: [String?] = Array(repeating: nil, count: columns.count)
        func collect(_ row: SourceRow) throws {
            // One access to the captured arrays a row, not one a field: `collect` escapes (the
            // readers keep it), so each access to them is checked at run time.
            let positions = positions
            fields.withUnsafeMutableBufferPointer { fields in
                for (index, position) in positions.enumerated() {
                    guard let position else { continue }
                    fields[index] = position.isFreeText ? row.raw(position.column)?.string : row.text(position.column)
                }
            }
            try record(TableRecord(line: row.line, fields: fields, columns: columns))
        }
        func bind(_ names: [String], present: Set<String>) throws {
            try header(Set(present.map(Columns.normalize)))
            let found = Columns(header: names)
            positions = columns.map { name in found[name].map { ($0, freeText.contains(name)) } }
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
