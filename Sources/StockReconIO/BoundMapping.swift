import Foundation
import StockReconCore

/// A column mapping bound to one file's header: turns each of its rows into an
/// `AdjustmentInput`, reading fields by column index, ids trimmed and free text exact.
// Immutable after init but for the scratch below, which only the one thread reading a file's
// rows touches; `defaults` is freed in deinit only.
public final class BoundMapping: @unchecked Sendable {
    public let mapping: ColumnMapping
    public let source: InputSource
    /// Column indexes of the variant columns, in the order they are tried.
    private let variantColumns: [Int]
    /// Column indexes of each field in the order they are tried: field `p` (its `MappedField`
    /// position) has `fieldColumns[fieldColumnStarts[p] ..< fieldColumnStarts[p + 1]]`. Flat,
    /// so that a row's lookups copy no inner array (each copy was a retain and a release).
    private let fieldColumns: [Int]
    private let fieldColumnStarts: [Int]
    /// The mapping's defaults as bytes that live as long as this value.
    private let defaults: [UnsafeMutableBufferPointer<UInt8>?]
    private let transactionTypes: [String: AdjustmentMode]
    private static let fields = MappedField.allCases
    /// Columns whose blank cells take the value above (`fill_down`), and the values kept.
    private let fillDownColumns: Set<Int>
    private var lastFilled: [Int: [UInt8]] = [:]
    /// `repeated_items: add`: the items a row has set, each its reference's number (among
    /// `itemReferences`) then its variant and location, in an arena (an array and a set entry
    /// an item took half a million items 45 MB); `itemKey` is where a row's is built.
    private var items = TextIndex()
    private var itemReferences = TextIndex()
    private var itemKey: [UInt8] = []
    private var filledRow = RecordBuffer()
    /// Whether a column of its own holds `occurred_at`'s time of day, and the two joined.
    private let hasTimeColumn: Bool
    private var joinedTimestamp = GrowableBuffer<UInt8>(capacity: 64)
    /// Settings read for every row, kept apart: reading them through `mapping` (a large
    /// struct) copied it.
    private let dropsApostropheGuard: Bool
    private let addsRepeatedItems: Bool
    private let setsOnHand: Bool
    /// `variant_pattern`, compiled once.
    private let variantExpression: NSRegularExpression?
    /// A wide sheet's quantity columns: each column, its header, and its location as bytes.
    private let wideColumns: [(column: Int, header: String, location: UnsafeMutableBufferPointer<UInt8>)]

    /// Binds `mapping` to a header. `present` names the columns the file really has where
    /// the header lists more (a JSON file's first object): the required columns are checked
    /// against them, but every column of the header is bound, since a later object may
    /// have a member the first lacks (one receipt by barcode, the next by variant_id).
    public init(mapping: ColumnMapping, header: [String], file: String, present: Set<String>? = nil) throws {
        // A mapping that lowers its rows' limit does not lower its header's.
        let limit = max(mapping.maxFieldBytes, ColumnMapping.defaultMaxFieldBytes)
        if let long = header.firstIndex(where: { $0.utf8.count > limit }) {
            throw FileReadError(
                SourceLocation(file: file, line: 1),
                "the header's column \(long + 1) is \(header[long].utf8.count) bytes, longer than the limit of \(limit): this is not a header row",
                input: String(header[long].prefix(64)) + "…", context: ["le": .integer(Int64(limit))])
        }
        let columns = Columns(header: header)
        let available = present.map { Set($0.map(Columns.normalize)) } ?? Set(columns.names)
        func has(_ name: String) -> Bool { columns[name] != nil }
        try Self.checkRequired(mapping, available: available, header: present.map { $0.sorted() } ?? header, file: file)
        try Self.checkRepeated(mapping, columns: columns, header: header, file: file)
        self.mapping = mapping
        let variants = mapping.variantColumns.filter { has($0.name) }
        variantColumns = variants.compactMap { columns[$0.name] }
        var flat: [Int] = []
        var starts = [0]
        for field in Self.fields {
            flat += mapping.names(field).filter(has).compactMap { columns[$0] }
            starts.append(flat.count)
        }
        (fieldColumns, fieldColumnStarts) = (flat, starts)
        var fieldNames: [MappedField: String] = [:]
        for field in Self.fields { if let name = mapping.names(field).first(where: has) { fieldNames[field] = name } }
        source = InputSource(file: file, mapping: mapping, variantColumns: variants, fieldNames: fieldNames)
        defaults = Self.fields.map { field in
            guard let text = mapping.defaults[field] else { return nil }
            let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, text.utf8.count))
            _ = buffer.initialize(from: text.utf8)
            return UnsafeMutableBufferPointer(rebasing: buffer[0..<text.utf8.count])
        }
        transactionTypes = mapping.transactionTypes
        fillDownColumns = Set(mapping.fillDown.compactMap { columns[$0] })
        hasTimeColumn = mapping.names(.occurredTime).contains(where: has)
        dropsApostropheGuard = mapping.dropsApostropheGuard
        addsRepeatedItems = mapping.addsRepeatedItems
        setsOnHand = mapping.quantityIs == .onHand
        variantExpression = mapping.variantPattern.flatMap { try? NSRegularExpression(pattern: $0) }
        wideColumns = try mapping.quantityColumns.map { try Self.bindWide($0, header: header, columns: columns, file: file) } ?? []
    }

    deinit {
        for buffer in defaults { buffer?.deallocate() }
        for wide in wideColumns { wide.location.deallocate() }
    }

    /// The header's columns a wide sheet's quantities are in, with their locations.
    private static func bindWide(
        _ wide: ColumnMapping.WideColumns, header: [String], columns: Columns, file: String
    ) throws -> [(column: Int, header: String, location: UnsafeMutableBufferPointer<UInt8>)] {
        var found: [(Int, String, String)] = []
        if let pattern = wide.pattern, let expression = wide.headerExpression {
            for (column, name) in header.enumerated() {
                let range = NSRange(name.startIndex..., in: name)
                guard let match = expression.firstMatch(in: name, range: range), let group = Range(match.range(at: 1), in: name) else { continue }
                var location = String(name[group]).trimmingCharacters(in: " \t")
                if wide.underscoresAreSpaces { location = location.replacingOccurrences(of: "_", with: " ") }
                if !location.isEmpty { found.append((column, name, location)) }
            }
            guard !found.isEmpty else {
                throw FileReadError(
                    SourceLocation(file: file, line: 1), "no column of the header matches quantity_columns' pattern \(pattern)",
                    input: header.joined(separator: ","))
            }
        } else {
            for (name, location) in wide.listed {
                guard let column = columns[name] else {
                    throw FileReadError(
                        SourceLocation(file: file, line: 1), "column \"\(name)\" of quantity_columns is not in the header",
                        input: header.joined(separator: ","))
                }
                found.append((column, name, location))
            }
        }
        return found.map { column, name, location in
            let bytes = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(1, location.utf8.count))
            _ = bytes.initialize(from: location.utf8)
            return (column, name, UnsafeMutableBufferPointer(rebasing: bytes[0..<location.utf8.count]))
        }
    }

    /// The columns a row is read from; a reader may leave the others out of its rows.
    public var columnsRead: Set<Int> {
        Set(variantColumns + fieldColumns + fillDownColumns + wideColumns.map(\.column))
    }

    /// Whether each row gives one input per quantity column.
    public var isWide: Bool { !wideColumns.isEmpty }

    /// Calls `body` with a source row's inputs: itself, or on a wide sheet one per quantity
    /// column, each with its location, its column named in diagnostics, and a record number of
    /// its own (for exactly-once).
    /// `fillingDown`: false for a row `withFilledDown` has filled already.
    public func forEachInput(
        from row: SourceRow, fillingDown: Bool = true, _ body: (AdjustmentInput<BorrowedText>) throws -> Void
    ) rethrows {
        guard !wideColumns.isEmpty else { return try withInput(from: row, fillingDown: fillingDown, body) }
        // One input, its column's fields set in place for each: a copy of the whole input a
        // column cost a wide sheet a third of its reading.
        var each = input(from: row, addingRepeatedItems: false, fillingDown: fillingDown)
        let (mode, isUnchanged) = (each.mode, each.isUnchanged)
        for (index, wide) in wideColumns.enumerated() {
            each.record = (row.record - 1) * wideColumns.count + index + 1
            each.quantity = row.trimmed(wide.column)
            each.location = BorrowedText(UnsafeBufferPointer(wide.location))
            each.wideQuantityColumn = wide.header
            (each.mode, each.isUnchanged) = (mode, isUnchanged)
            if addsRepeatedItems { addRepeatedItem(&each) }
            try body(each)
        }
    }

    /// `repeated_items: add`: a row setting an item that a row of its reference set before adds
    /// to it (a change of its quantity; nothing when that is zero).
    private func addRepeatedItem(_ input: inout AdjustmentInput<BorrowedText>) {
        guard input.mode == .set, let variant = input.variant else { return }
        let reference = input.reference ?? BorrowedText("")
        let number = itemReferences.value(for: reference) ?? itemReferences.count
        if number == itemReferences.count { itemReferences.append(unique: reference, value: number) }
        itemKey.removeAll(keepingCapacity: true)
        withUnsafeBytes(of: number) { itemKey += $0 }
        itemKey += variant.bytes
        itemKey.append(0x1F)
        if let location = input.location { itemKey += location.bytes }
        let isRepeated = itemKey.withUnsafeBufferPointer { key in
            if items.value(for: BorrowedText(key)) != nil { return true }
            items.append(unique: BorrowedText(key), value: items.count)
            return false
        }
        guard isRepeated else { return }
        input.mode = .delta
        // Zero however it is written (`0`, `0,000`, `-0.0`): adding it changes nothing.
        let zeroMarks = Set("0.,+- ".utf8)
        if let quantity = input.quantity, quantity.bytes.contains(UInt8(ascii: "0")), quantity.bytes.allSatisfy(zeroMarks.contains) {
            input.isUnchanged = true
        }
    }

    /// Whether a header has what a mapping needs: a variant column, a quantity column, the
    /// mapping's required fields, and (for mapping files) every column it names.
    static func missingColumns(_ mapping: ColumnMapping, has: (String) -> Bool) -> [String] {
        var missing: [String] = []
        if !mapping.variantColumns.contains(where: { has($0.name) }) {
            missing.append(mapping.variantColumns.map(\.name).joined(separator: " or "))
        }
        let quantities = mapping.names(.quantity) + mapping.names(.quantityAfter)
        if mapping.quantityColumns == nil, !quantities.contains(where: has) { missing.append(quantities.joined(separator: " or ")) }
        for field in mapping.requiredFields where !mapping.names(field).contains(where: has) {
            missing.append(mapping.names(field).joined(separator: " or "))
        }
        missing += mapping.requiredHeaders.filter { !has($0) }
        if mapping.requiresEveryNamedColumn {
            for name in mapping.allColumnNames where !has(name) && !missing.contains(name) && !mapping.optionalColumns.contains(name) {
                missing.append(name)
            }
        }
        return missing
    }

    private static func checkRequired(_ mapping: ColumnMapping, available: Set<String>, header: [String], file: String) throws {
        func has(_ name: String) -> Bool { available.contains(Columns.normalize(name)) }
        let missing = missingColumns(mapping, has: has)
        guard !missing.isEmpty else { return }
        if mapping.requiresEveryNamedColumn {
            // A mapping file names columns this file lacks: the mistake is in the mapping's line.
            let names = mapping.allColumnNames.filter { !has($0) && !mapping.optionalColumns.contains($0) }
            throw ConfigurationError(names.map { name in
                let origin = mapping.origins[name]
                return ConfigurationProblem(
                    file: origin?.file ?? mapping.name, line: origin?.line, column: origin?.column,
                    "column \"\(name)\" is not in the header of \(file): its columns are \(header.joined(separator: ", "))")
            })
        }
        let others = SourceFormat.allCases.filter { $0.rawValue != mapping.name && missingColumns($0.mapping, has: has).isEmpty }
        let hint = others.isEmpty ? "" : "; its columns fit --format \(others.map(\.rawValue).joined(separator: " or "))"
        let what = mapping.requiresEveryNamedColumn ? "mapping \(mapping.name)" : "format \(mapping.name)"
        throw FileReadError(
            SourceLocation(file: file, line: 1),
            "the header has no \(missing.joined(separator: ", ")) column for \(what)\(hint)",
            input: header.joined(separator: ","),
            context: ["missing": .list(missing), "found": .list(header)])
    }

    /// A column the mapping reads that the header names twice: which one holds the value is
    /// not clear (the first was read, silently), so the file is refused.
    private static func checkRepeated(_ mapping: ColumnMapping, columns: Columns, header: [String], file: String) throws {
        for name in mapping.allColumnNames {
            let positions = columns.positions(of: name)
            guard positions.count > 1 else { continue }
            throw FileReadError(
                SourceLocation(file: file, line: 1),
                "the header has \(name) \(positions.count) times (columns \(positions.map { String($0 + 1) }.joined(separator: ", "))): "
                    + "which one holds the value is not clear; rename or remove the others",
                input: header.joined(separator: ","), context: ["columns": .list(positions.map { String($0 + 1) })])
        }
    }

    private func value(_ field: MappedField, _ row: SourceRow) -> BorrowedText? {
        let position = field.position
        for index in fieldColumnStarts[position] ..< fieldColumnStarts[position + 1] {
            let column = fieldColumns[index]
            if let text = field.isFreeText ? row.raw(column) : row.trimmed(column).map(unguarded) { return text }
        }
        return defaults[position].map { BorrowedText(UnsafeBufferPointer($0)) }
    }

    /// An id or number without the `'` a spreadsheet guarded it with (`apostrophe_guard`).
    private func unguarded(_ text: BorrowedText) -> BorrowedText {
        guard dropsApostropheGuard, text.bytes.first == UInt8(ascii: "'") else { return text }
        return BorrowedText(UnsafeBufferPointer(rebasing: text.bytes.dropFirst()))
    }

    /// The variant's key inside its cell (`variant_pattern`'s first group), else the cell.
    private func variantKey(in text: BorrowedText) -> BorrowedText {
        guard let variantExpression else { return text }
        let string = text.string
        guard let match = variantExpression.firstMatch(in: string, range: NSRange(string.startIndex..., in: string)),
              match.numberOfRanges > 1, let group = Range(match.range(at: 1), in: string) else { return text }
        let start = string.utf8.distance(from: string.startIndex, to: group.lowerBound)
        let end = string.utf8.distance(from: string.startIndex, to: group.upperBound)
        guard start < end, end <= text.bytes.count else { return text }
        return BorrowedText(UnsafeBufferPointer(rebasing: text.bytes[start ..< end]))
    }

    /// `occurred_at`, with its time of day joined after a space where a column of its own holds it.
    private func timestamp(_ row: SourceRow) -> BorrowedText? {
        guard let date = value(.occurredAt, row) else { return nil }
        guard hasTimeColumn, let time = value(.occurredTime, row) else { return date }
        joinedTimestamp.removeAll()
        date.withBytes { joinedTimestamp.append(UnsafeRawBufferPointer($0)) }
        joinedTimestamp.append(0x20)
        time.withBytes { joinedTimestamp.append(UnsafeRawBufferPointer($0)) }
        return BorrowedText(joinedTimestamp.contents)
    }

    /// The row with its fill-down columns' blank cells taken from the rows above.
    private func filled(_ row: SourceRow) -> SourceRow {
        filledRow.removeAll()
        for column in 0 ..< row.count {
            let cell = row.bytes(column)
            if fillDownColumns.contains(column) {
                if row.trimmed(column) == nil, let above = lastFilled[column] {
                    above.withUnsafeBytes { filledRow.append($0) }
                    continue
                }
                lastFilled[column] = Array(cell)
            }
            filledRow.append(UnsafeRawBufferPointer(cell))
        }
        return filledRow.row(line: row.line, record: row.record)
    }

    /// The row with its fill-down columns' blank cells taken from the rows above (the row itself
    /// when the mapping fills none), lent to `body`: rows are filled in the order they come, so
    /// a row held back to be read later is held filled, and read with `fillingDown: false`.
    public func withFilledDown(_ row: SourceRow, _ body: (SourceRow) throws -> Void) rethrows {
        try body(fillDownColumns.isEmpty ? row : filled(row))
    }

    /// The row's variant, as `input(from:)` reads it (of a filled row: `withFilledDown`), and
    /// the kind of key it is; on a wide sheet, every input's.
    public func variant(of row: SourceRow) -> (key: BorrowedText, kind: VariantKeyKind)? {
        variantCell(of: row).map { cell in
            let columns = source.variantColumns
            return (cell.key, columns.indices.contains(cell.alternative) ? columns[cell.alternative].kind : .variantID)
        }
    }

    /// The first variant column filled in, and the key in it.
    private func variantCell(of row: SourceRow) -> (key: BorrowedText, alternative: Int)? {
        for (alternative, column) in variantColumns.enumerated() {
            if let text = row.trimmed(column).map(unguarded) { return (variantKey(in: text), alternative) }
        }
        return nil
    }

    public func input(from row: SourceRow, addingRepeatedItems: Bool = true, fillingDown: Bool = true) -> AdjustmentInput<BorrowedText> {
        var input: AdjustmentInput<BorrowedText>?
        withInput(from: row, addingRepeatedItems: addingRepeatedItems, fillingDown: fillingDown) { input = $0 }
        return input ?? AdjustmentInput(source: source, line: row.line, record: row.record)
    }

    /// The row's input, lent to `body`: returned, it was copied a row through the generic
    /// struct's value witnesses. `fillingDown`: false for a row `withFilledDown` has filled already.
    public func withInput(
        from row: SourceRow, addingRepeatedItems: Bool = true, fillingDown: Bool = true,
        _ body: (AdjustmentInput<BorrowedText>) throws -> Void
    ) rethrows {
        let row = fillDownColumns.isEmpty || !fillingDown ? row : filled(row)
        var input = AdjustmentInput<BorrowedText>(source: source, line: row.line, record: row.record)
        if let (key, alternative) = variantCell(of: row) {
            input.variant = key
            input.variantColumn = alternative
        }
        if setsOnHand { input.mode = .set }
        if let type = value(.transactionType, row)?.string {
            if let mode = transactionTypes[type.lowercased()] {
                input.mode = mode
            } else {
                input.invalidChoice = InvalidChoice(
                    column: source.column(.transactionType), text: type, allowed: transactionTypes.keys.sorted())
            }
        }
        input.quantity = input.mode == .set ? value(.quantityAfter, row) ?? value(.quantity, row) : value(.quantity, row)
        input.adjustmentType = value(.adjustmentType, row)
        input.location = value(.location, row)
        input.site = value(.site, row)
        input.reasonCode = value(.reason, row)
        input.reasonDescription = value(.reasonDescription, row)
        input.reference = value(.reference, row)
        if let minor = value(.unitCostMinor, row) {
            input.unitCost = minor
            input.isUnitCostInMinorUnits = true
        } else {
            input.unitCost = value(.unitCost, row)
        }
        input.totalCost = value(.totalCost, row)
        input.notes = value(.notes, row)
        input.occurredAt = timestamp(row)
        input.naturalKey = value(.idempotencyKey, row)
        if addsRepeatedItems, addingRepeatedItems { addRepeatedItem(&input) }
        try body(input)
    }
}

extension MappedField {
    /// The field's index in `allCases`.
    var position: Int {
        switch self {
        case .variant: return 0
        case .quantity: return 1
        case .quantityAfter: return 2
        case .transactionType: return 3
        case .adjustmentType: return 4
        case .location: return 5
        case .site: return 6
        case .reason: return 7
        case .reasonDescription: return 8
        case .reference: return 9
        case .unitCost: return 10
        case .unitCostMinor: return 11
        case .totalCost: return 12
        case .occurredAt: return 13
        case .notes: return 14
        case .idempotencyKey: return 15
        case .occurredTime: return 16
        }
    }
}

extension BoundMapping {
    /// The columns this file's changes and new on-hands come from, for diagnostics.
    public var quantityColumns: (delta: String, set: String) {
        let delta = source.column(.quantity)
        return (delta, mapping.names(.quantityAfter).isEmpty ? delta : source.column(.quantityAfter))
    }
}
