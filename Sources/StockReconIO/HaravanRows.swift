import StockReconCore

/// Haravan's adjustorset as rows: `{"inventory": {…}}` (one adjustment), `{"adjustments":
/// […]}` (the listing), an array of adjustments, or adjustments one per line. Each line item
/// is one row, with its adjustment's fields beside its own (`header`); its position among the
/// file's line items is its line. An adjustment's line items are held until the adjustment
/// ends (JSON members come in any order), so memory holds one adjustment, not the file.
final class HaravanRows: JSONEventSink {
    /// The columns of each row, as the haravan mapping names them.
    static let header = [
        "product_variant_id", "sku", "barcode", "quantity", "cost_amount", "line_item_key",
        "location_id", "type", "reason", "note", "adjust_number", "tags", "tran_date", "created_at",
    ]
    private static let lineItemFields = ["product_variant_id", "sku", "barcode", "quantity", "cost_amount", "id"]
    private static let adjustmentFields = ["location_id", "type", "reason", "note", "adjust_number", "tags", "tran_date", "created_at", "id"]

    private let file: String
    private let onRow: (SourceRow) throws -> Void
    private(set) var failure: Error?
    private var shape = JSONShape()

    /// An adjustment being read: its fields, then its line items.
    private struct Frame {
        var depth: Int
        var fields: [[UInt8]?] = Array(repeating: nil, count: HaravanRows.adjustmentFields.count)
        var items: [[[UInt8]?]] = []
    }
    private var frames: [Frame] = []
    private var item: [[UInt8]?]?
    private var itemDepth = 0
    private var pendingKey = ""
    /// Depth of the `adjustments` array (its objects are adjustments), and of the `line_items` array.
    private var adjustmentsArrayDepth: Int?
    private var lineItemsArrayDepth: Int?
    private var tagsArrayDepth: Int?
    private var position = 0
    private var record = RecordBuffer()

    init(file: String, row: @escaping (SourceRow) throws -> Void) {
        self.file = file
        onRow = row
    }

    private func fail(_ message: String) -> Bool {
        failure = FileReadError(SourceLocation(file: file, line: position + 1), message)
        return false
    }

    func startObject() -> Bool {
        if let message = shape.begin(isObject: true, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if let lineItemsArrayDepth, depth == lineItemsArrayDepth + 1 {
            item = Array(repeating: nil, count: Self.lineItemFields.count)
            itemDepth = depth
        } else if depth == 1 || depth == adjustmentsArrayDepth.map({ $0 + 1 })
                    || (depth == 2 && frames.last?.depth == 1 && pendingKey == "inventory") {
            frames.append(Frame(depth: depth))
        }
        return true
    }

    func endObject() -> Bool {
        defer { shape.end() }
        let depth = shape.depth
        if item != nil, depth == itemDepth, let finished = item {
            frames[frames.count - 1].items.append(finished)
            item = nil
        } else if let frame = frames.last, frame.depth == depth {
            frames.removeLast()
            return emit(frame)
        }
        return true
    }

    func startArray() -> Bool {
        if let message = shape.begin(isObject: false, isContainer: true) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        guard let frame = frames.last, item == nil else {
            if depth == 1 { adjustmentsArrayDepth = 1 }
            return true
        }
        if depth == frame.depth + 1 {
            switch pendingKey {
            case "line_items": lineItemsArrayDepth = depth
            case "adjustments" where frame.depth == 1: adjustmentsArrayDepth = depth
            case "tags": tagsArrayDepth = depth
            default: break
            }
        }
        return true
    }

    func endArray() -> Bool {
        defer { shape.end() }
        let depth = shape.depth
        if depth == lineItemsArrayDepth { lineItemsArrayDepth = nil }
        if depth == adjustmentsArrayDepth { adjustmentsArrayDepth = nil }
        if depth == tagsArrayDepth { tagsArrayDepth = nil }
        return true
    }

    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        pendingKey = String(decoding: bytes, as: UTF8.self)
        return true
    }

    func scalar(_ value: JSONScalar) -> Bool {
        if let message = shape.begin(isObject: false, isContainer: false) { return fail("malformed JSON: \(message)") }
        let depth = shape.depth
        if depth == 0 { return fail("expected a haravan adjustment object, found \(value.kindName)") }
        let bytes: [UInt8]?
        switch value {
        case .string(let text), .number(let text): bytes = Array(text)
        case .bool(let flag): bytes = Array((flag ? "true" : "false").utf8)
        case .null: bytes = nil
        }
        if item != nil, depth == itemDepth, let index = Self.lineItemFields.firstIndex(of: pendingKey) {
            item?[index] = bytes
        } else if item == nil, let frame = frames.last, let bytes {
            if depth == frame.depth, let index = Self.adjustmentFields.firstIndex(of: pendingKey) {
                frames[frames.count - 1].fields[index] = bytes
            } else if depth == tagsArrayDepth, let tags = Self.adjustmentFields.firstIndex(of: "tags") {
                let earlier = frames[frames.count - 1].fields[tags]
                frames[frames.count - 1].fields[tags] = earlier.map { $0 + Array(", ".utf8) + bytes } ?? bytes
            }
        }
        return true
    }

    /// Hands each line item of a finished adjustment on as a row.
    private func emit(_ frame: Frame) -> Bool {
        func field(_ name: String) -> [UInt8]? { Self.adjustmentFields.firstIndex(of: name).flatMap { frame.fields[$0] } }
        let adjustmentID = field("id")
        for (index, item) in frame.items.enumerated() {
            position += 1
            record.removeAll()
            func append(_ bytes: [UInt8]?) {
                guard let bytes, !bytes.isEmpty else { return record.appendEmpty() }
                bytes.withUnsafeBytes { record.append($0) }
            }
            for value in item.dropLast() { append(value) }  // lineItemFields but the id, in header order
            // The key: the line item's id, else its adjustment's id and position, else none
            // (the file's hash and position).
            if let id = item.last ?? nil {
                append(id)
            } else {
                append(adjustmentID.map { $0 + Array(":\(index + 1)".utf8) })
            }
            for name in ["location_id", "type", "reason", "note", "adjust_number", "tags", "tran_date", "created_at"] {
                append(field(name))
            }
            do {
                try onRow(record.row(line: position, record: position))
            } catch {
                failure = error
                return false
            }
        }
        return true
    }
}
