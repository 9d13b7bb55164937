import StockReconCore

/// Haravan's adjustorset as rows: `{"inventory": {…}}` (one adjustment), `{"adjustments":
/// […]}` (the listing), an array of adjustments, or adjustments one per line. Each line item
/// is one row, with its adjustment's fields beside its own (`header`); its position among the
/// file's line items is its line. An adjustment's line items are held until the adjustment
/// ends (JSON members come in any order), so memory holds one adjustment, not the file.
final class HaravanRows: JSONEventSink {
    /// The columns of each row, as the haravan mapping names them.
    static let header = ItemField.allCases.filter { $0 != .id }.map(\.rawValue) + ["line_item_key"]
        + AdjustmentField.allCases.filter { $0 != .id }.map(\.rawValue)

    private let file: String
    private let onRow: (SourceRow) throws -> Void
    private(set) var failure: Error?
    /// All the reader's state in one value, so that each event is one access to `self`.
    /// Accessed only from yajl's callbacks, one at a time on the reading thread: unchecked
    /// (see `FlatJSONRows.state`).
    @exclusivity(unchecked) private var state = HaravanState()

    init(file: String, row: @escaping (SourceRow) throws -> Void) {
        self.file = file
        onRow = row
    }

    private func check(_ message: String?) -> Bool {
        guard let message else { return true }
        failure = FileReadError(SourceLocation(file: file, line: state.position + 1), message)
        return false
    }

    func startObject() -> Bool { check(state.startObject()) }
    func startArray() -> Bool { check(state.startArray()) }
    func endArray() -> Bool { state.endArray(); return true }
    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { state.key(bytes); return true }
    func scalar(_ value: JSONScalar) -> Bool { check(state.scalar(value)) }
    var rowsEmitted: Int { state.position }
    var resumeState: JSONResumeState? { state.resumeState }
    func skipRows(_ count: Int) { state.position += count }

    func endObject() -> Bool {
        do {
            try state.endObject(onRow)
            return true
        } catch {
            failure = error
            return false
        }
    }
}

/// A line item's fields, in the order of the rows' columns (the id becomes `line_item_key`).
enum ItemField: String, CaseIterable {
    case product_variant_id, sku, barcode, quantity, cost_amount, id
}

/// An adjustment's fields, in the order of the rows' columns after the line item's.
enum AdjustmentField: String, CaseIterable {
    case location_id, type, reason, note, adjust_number, tags, tran_date, created_at, id
}

/// The member names the reader acts on, matched as bytes; a field by its place among its
/// enum's cases.
private enum HaravanKey {
    case item(Int), adjustment(Int), lineItems, adjustments, inventory, other

    private static let names: [([UInt8], HaravanKey, HaravanKey)] = {
        var names: [([UInt8], HaravanKey, HaravanKey)] = []
        // The same name may be a line item's field and an adjustment's (`id`).
        let items = ItemField.allCases.map(\.rawValue)
        let adjustments = AdjustmentField.allCases.map(\.rawValue)
        for (index, name) in adjustments.enumerated() {
            let item = items.firstIndex(of: name).map(HaravanKey.item) ?? .other
            names.append((Array(name.utf8), item, .adjustment(index)))
        }
        for (index, name) in items.enumerated() where !adjustments.contains(name) {
            names.append((Array(name.utf8), .item(index), .other))
        }
        for (name, key) in [("line_items", HaravanKey.lineItems), ("adjustments", .adjustments), ("inventory", .inventory)] {
            names.append((Array(name.utf8), key, key))
        }
        return names
    }()

    /// Each name's place in `names`, found in one probe (a scan comparing bytes generically
    /// was a twentieth of the reader: every member of every line item is looked up).
    private static let index: TextIndex = {
        var index = TextIndex()
        for (place, name) in names.enumerated() { index[String(decoding: name.0, as: UTF8.self)] = place }
        return index
    }()

    /// The key a member name stands for inside a line item and inside an adjustment.
    static func of(_ bytes: UnsafeBufferPointer<UInt8>) -> (inItem: HaravanKey, inAdjustment: HaravanKey) {
        guard let place = index.value(for: BorrowedText(bytes)) else { return (.other, .other) }
        return (names[place].1, names[place].2)
    }
}

/// A value's bytes in an adjustment's arena; `count` -1 is absent.
private struct Span {
    var start = 0
    var count = -1
}

/// An adjustment being read: its fields and its line items' fields, in one byte arena.
private struct Frame {
    var depth: Int
    var arena: [UInt8] = []
    var fields = [Span](repeating: Span(), count: HaravanState.adjustmentWidth)
    /// `ItemField.allCases.count` spans per line item.
    var items: [Span] = []

    init(depth: Int) { self.depth = depth }

    mutating func store(_ value: JSONScalar) -> Span {
        let start = arena.count
        switch value {
        case .string(let bytes), .number(let bytes): arena.append(contentsOf: bytes)
        case .bool(let flag): arena.append(contentsOf: (flag ? "true" : "false").utf8)
        case .null: return Span()
        }
        return Span(start: start, count: arena.count - start)
    }
}

private struct HaravanState: ~Copyable {
    private var shape = JSONShape()
    private var frames: [Frame] = []
    /// Inside a line item: the depth of its object.
    private var itemDepth: Int?
    private var pendingKey: (inItem: HaravanKey, inAdjustment: HaravanKey) = (.other, .other)
    /// Depth of the `adjustments` array (its objects are adjustments), of the `line_items`
    /// array, and of an adjustment's `tags` array.
    private var adjustmentsArrayDepth: Int?
    private var lineItemsArrayDepth: Int?
    private var tagsArrayDepth: Int?
    var position = 0
    private var record = RecordBuffer()
    static let itemWidth = ItemField.allCases.count
    static let adjustmentWidth = AdjustmentField.allCases.count
    private static let tagsIndex = AdjustmentField.allCases.firstIndex(of: .tags) ?? 0

    mutating func startObject() -> String? {
        if let message = shape.begin(isObject: true, isContainer: true) { return "malformed JSON: \(message)" }
        let depth = shape.depth
        if let problem = nestedValueProblem(depth: depth, kind: "an object") { return problem }
        if let lineItemsArrayDepth, depth == lineItemsArrayDepth + 1, !frames.isEmpty {
            itemDepth = depth
            frames[frames.count - 1].items.append(contentsOf: repeatElement(Span(), count: Self.itemWidth))
        } else if depth == 1 || depth == adjustmentsArrayDepth.map({ $0 + 1 })
                    || (depth == 2 && frames.last?.depth == 1 && isKey(.inventory)) {
            frames.append(Frame(depth: depth))
        }
        return nil
    }

    /// A field the rows read holding an object or an array (tags may be an array): read as
    /// absent, a quantity was told it was empty.
    private func nestedValueProblem(depth: Int, kind: String) -> String? {
        if let itemDepth {
            guard depth == itemDepth + 1, case .item(let index) = pendingKey.inItem else { return nil }
            return "a line item's \(ItemField.allCases[index].rawValue) holds \(kind), where haravan has a value"
        }
        guard let frame = frames.last, depth == frame.depth + 1, case .adjustment(let index) = pendingKey.inAdjustment,
              index != Self.tagsIndex || kind != "an array" else { return nil }
        return "an adjustment's \(AdjustmentField.allCases[index].rawValue) holds \(kind), where haravan has a value"
    }

    private func isKey(_ key: HaravanKey) -> Bool {
        switch (pendingKey.inAdjustment, key) {
        case (.inventory, .inventory), (.lineItems, .lineItems), (.adjustments, .adjustments): return true
        default: return false
        }
    }

    mutating func endObject(_ onRow: (SourceRow) throws -> Void) throws {
        defer { shape.end() }
        let depth = shape.depth
        if depth == itemDepth {
            itemDepth = nil
        } else if let frame = frames.last, frame.depth == depth {
            frames.removeLast()
            try emit(frame, onRow)
        }
    }

    mutating func startArray() -> String? {
        if let message = shape.begin(isObject: false, isContainer: true) { return "malformed JSON: \(message)" }
        let depth = shape.depth
        if let problem = nestedValueProblem(depth: depth, kind: "an array") { return problem }
        guard let frame = frames.last, itemDepth == nil else {
            if depth == 1 { adjustmentsArrayDepth = 1 }
            return nil
        }
        if depth == frame.depth + 1 {
            switch pendingKey.inAdjustment {
            case .lineItems: lineItemsArrayDepth = depth
            case .adjustments where frame.depth == 1: adjustmentsArrayDepth = depth
            case .adjustment(Self.tagsIndex): tagsArrayDepth = depth
            default: break
            }
        }
        return nil
    }

    mutating func endArray() {
        defer { shape.end() }
        let depth = shape.depth
        if depth == lineItemsArrayDepth { lineItemsArrayDepth = nil }
        if depth == adjustmentsArrayDepth { adjustmentsArrayDepth = nil }
        if depth == tagsArrayDepth { tagsArrayDepth = nil }
    }

    mutating func key(_ bytes: UnsafeBufferPointer<UInt8>) {
        pendingKey = HaravanKey.of(bytes)
    }

    mutating func scalar(_ value: JSONScalar) -> String? {
        if let message = shape.begin(isObject: false, isContainer: false) { return "malformed JSON: \(message)" }
        let depth = shape.depth
        if depth == 0 { return "expected a haravan adjustment object, found \(value.kindName)" }
        guard !frames.isEmpty else { return nil }
        let last = frames.count - 1
        if let itemDepth {
            if depth == itemDepth, case .item(let index) = pendingKey.inItem {
                let slot = frames[last].items.count - Self.itemWidth + index
                // Which of two values holds is not clear (the last was read, silently).
                if frames[last].items[slot].count >= 0 { return "a line item has \(ItemField.allCases[index].rawValue) twice: keep one" }
                frames[last].items[slot] = frames[last].store(value)
            }
        } else if depth == frames[last].depth, case .adjustment(let index) = pendingKey.inAdjustment {
            if frames[last].fields[index].count >= 0 { return "an adjustment has \(AdjustmentField.allCases[index].rawValue) twice: keep one" }
            let span = frames[last].store(value)
            if span.count >= 0 { frames[last].fields[index] = span }
        } else if depth == tagsArrayDepth, !value.isNull {
            // Tags are joined with ", ": they arrive one after another, so they stay contiguous.
            let index = Self.tagsIndex
            let earlier = frames[last].fields[index]
            if earlier.count >= 0, earlier.start + earlier.count == frames[last].arena.count {
                frames[last].arena.append(contentsOf: ", ".utf8)
                let span = frames[last].store(value)
                frames[last].fields[index].count += 2 + span.count
            } else {
                let span = frames[last].store(value)
                if span.count >= 0 { frames[last].fields[index] = span }
            }
        }
        return nil
    }

    /// Between adjustments: where they lie decides how the rest is read. Not where an
    /// enclosing object holds fields or line items of its own (they would be its rows).
    var resumeState: JSONResumeState? {
        guard itemDepth == nil, lineItemsArrayDepth == nil, tagsArrayDepth == nil,
              frames.allSatisfy({ $0.items.isEmpty && $0.fields.allSatisfy { $0.count < 0 } }) else { return nil }
        return shape.resumeState(SIMD4(adjustmentsArrayDepth ?? -1, frames.count, frames.last?.depth ?? -1, 0))
    }

    /// Hands each line item of a finished adjustment on as a row.
    private mutating func emit(_ frame: Frame, _ onRow: (SourceRow) throws -> Void) throws {
        let width = Self.itemWidth
        let adjustmentID = frame.fields[Self.adjustmentWidth - 1]
        try frame.arena.withUnsafeBytes { arena in
            func append(_ span: Span) {
                guard span.count > 0, let base = arena.baseAddress else { return record.appendEmpty() }
                record.append(UnsafeRawBufferPointer(start: base + span.start, count: span.count))
            }
            for item in 0 ..< frame.items.count / width {
                position += 1
                record.removeAll()
                let spans = frame.items[item * width ..< (item + 1) * width]
                for span in spans.dropLast() { append(span) }  // the item's fields but its id
                // The key: the line item's id, else its adjustment's id and position, else
                // none (the file's hash and position).
                if let id = spans.last, id.count > 0 {
                    append(id)
                } else if adjustmentID.count > 0, let base = arena.baseAddress {
                    var key = Array(UnsafeRawBufferPointer(start: base + adjustmentID.start, count: adjustmentID.count))
                    key.append(contentsOf: ":\(item + 1)".utf8)
                    key.withUnsafeBytes { record.append($0) }
                } else {
                    record.appendEmpty()
                }
                for span in frame.fields.dropLast() { append(span) }  // the adjustment's fields but its id
                try onRow(record.row(line: position, record: position))
            }
        }
    }
}
