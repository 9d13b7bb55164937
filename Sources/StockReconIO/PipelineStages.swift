import StockReconCore
import Yams

// The `count` and `report` stages of a pipeline file (SPEC section 7).

/// A `count` stage: start a count, add its sheets (the stage's files), and maybe complete it.
public struct CountStage: Sendable, Hashable {
    public var type: CountType
    public var name: String
    public var locationID: String?
    /// The manager who starts and completes it (default: the pipeline's user).
    public var userID: String?
    public var notes: String?
    /// Nil: the count is left in progress.
    public var complete: (apply: Bool, uncounted: UncountedPolicy)?
    /// How its sheets are read (a mapping's counted column, locations by name); nil for count sheets' own columns.
    public var mapping: ColumnMapping?
    /// When it was taken (UTC text); nil: when it starts.
    public var countedAt: String?

    public static func == (lhs: CountStage, rhs: CountStage) -> Bool {
        lhs.type == rhs.type && lhs.name == rhs.name && lhs.locationID == rhs.locationID && lhs.userID == rhs.userID
            && lhs.notes == rhs.notes && lhs.countedAt == rhs.countedAt && lhs.complete?.apply == rhs.complete?.apply && lhs.complete?.uncounted == rhs.complete?.uncounted
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(name) }
}

/// A `report` stage: which report, in which format, written where (resolved path).
/// The formats a report is written in.
public enum ReportFormat: String, Sendable, CaseIterable {
    case md, csv, json, html
}

public struct ReportStage: Sendable, Hashable {
    public enum Kind: String, Sendable, CaseIterable { case variance, summary, receipts }
    public var kind: Kind
    public var format: ReportFormat
    public var output: String
    public var from: String?
    public var to: String?
    /// The receipts report's purchase order, nil for all.
    public var po: String?
}

/// A `receive` stage: purchase orders to load first, then receipt files (the stage's
/// files) read as receipts or through a named mapping.
public struct ReceiveStage: Sendable {
    public var purchaseOrders: [InputFile]
    /// Nil: the receipts format.
    public var mapping: ColumnMapping?
    /// How the purchase orders are read (`orders_mapping:`); nil for their own columns.
    public var ordersMapping: ColumnMapping?
}

extension PipelineFile {
    static func readCountStage(
        _ body: Node, mappings: [String: (mapping: ColumnMapping, node: Node)], paths: PathResolver, reader: inout ConfigurationReader
    ) -> PipelineStage? {
        guard let entries = reader.mapping(body, allowed: countStageKeys, what: "the count stage") else { return nil }
        var isComplete = true
        func required(_ key: String, _ what: String) -> Node? {
            if let node = entries[key] { return node }
            reader.problem(body, "the count stage needs `\(key):`, \(what)")
            isComplete = false
            return nil
        }
        let typeNode = required("type", "FULL, CYCLE, SPOT or ANNUAL")
        let type = typeNode.flatMap { reader.choice($0, CountType.allCases.map(\.rawValue), ignoringCase: true) }
            .flatMap { CountType(rawValue: $0.uppercased()) }
        let name = required("name", "the count's name").flatMap { reader.string($0) }
        let sheets = required("sheets", "a list of count sheets or globs").flatMap { matchFiles($0, paths: paths, reader: &reader) }
        var stage = CountStage(
            type: type ?? .cycle, name: name ?? "", locationID: entries["location"].flatMap { reader.string($0) },
            userID: entries["user"].flatMap { reader.string($0) }, notes: entries["notes"].flatMap { reader.string($0) })
        if let node = entries["counted_at"], let text = reader.string(node) {
            if let moment = Timestamp.moment(text, dayMeansItsEnd: true) {
                stage.countedAt = moment
            } else {
                reader.problem(node, "`counted_at:` must be an ISO-8601 time such as 2026-08-14T18:00:00Z, or a day (its end)")
                isComplete = false
            }
        }
        if let node = entries["mapping"], let name = reader.string(node) {
            if let named = mappings[name] {
                stage.mapping = named.mapping
            } else {
                reader.problem(node, "no mapping named `\(name)`: name it under `mappings:` first")
                isComplete = false
            }
        }
        if let completeNode = entries["complete"] {
            if let flag = ConfigurationReader.scalarBool(completeNode) {
                stage.complete = flag ? (false, .keep) : nil
            } else if let options = reader.mapping(completeNode, allowed: ["apply", "uncounted"], what: "complete") {
                let apply = options["apply"].flatMap { reader.bool($0) } ?? false
                let uncounted = options["uncounted"].flatMap { reader.choice($0, UncountedPolicy.allCases.map(\.rawValue)) }
                    .flatMap(UncountedPolicy.init(rawValue:)) ?? .keep
                stage.complete = (apply, uncounted)
            } else {
                isComplete = false
            }
        }
        guard isComplete, type != nil, name != nil, let sheets else { return nil }
        return PipelineStage(work: .count(stage), files: sheets, label: "count \(stage.type.rawValue) \"\(stage.name)\"")
    }

    static func readReceiveStage(
        _ body: Node, mappings: [String: (mapping: ColumnMapping, node: Node)], paths: PathResolver, reader: inout ConfigurationReader
    ) -> PipelineStage? {
        guard let entries = reader.mapping(body, allowed: receiveStageKeys, what: "the receive stage") else { return nil }
        guard entries["files"] != nil || entries["purchase_orders"] != nil else {
            reader.problem(body, "the receive stage needs `files:` (receipts), `purchase_orders:`, or both")
            return nil
        }
        var isComplete = true
        let orders = entries["purchase_orders"].map { matchFiles($0, paths: paths, reader: &reader) } ?? []
        let files = entries["files"].map { matchFiles($0, paths: paths, reader: &reader) } ?? []
        if orders == nil || files == nil { isComplete = false }
        func named(_ key: String) -> ColumnMapping? {
            guard let node = entries[key], let name = reader.string(node) else { return nil }
            guard let named = mappings[name] else {
                reader.problem(node, "no mapping named `\(name)`: name it under `mappings:` first")
                isComplete = false
                return nil
            }
            return named.mapping
        }
        let mapping = named("mapping")
        let ordersMapping = named("orders_mapping")
        if let node = entries["orders_mapping"], entries["purchase_orders"] == nil {
            reader.problem(node, "`orders_mapping:` reads the stage's `purchase_orders:`: name them too")
            isComplete = false
        }
        guard isComplete, let orders, let files else { return nil }
        let label = mapping.map { "receive --mapping \($0.name)" } ?? "receive"
        let stage = ReceiveStage(purchaseOrders: orders, mapping: mapping, ordersMapping: ordersMapping)
        return PipelineStage(work: .receive(stage), files: files, label: label)
    }

    static func readReportStage(_ body: Node, paths: PathResolver, reader: inout ConfigurationReader) -> PipelineStage? {
        guard let entries = reader.mapping(body, allowed: reportStageKeys, what: "the report stage") else { return nil }
        guard let kindNode = entries["kind"] else {
            reader.problem(body, "the report stage needs `kind:` (variance, summary or receipts)")
            return nil
        }
        guard let kindName = reader.choice(kindNode, ReportStage.Kind.allCases.map(\.rawValue)),
              let kind = ReportStage.Kind(rawValue: kindName) else { return nil }
        var po: String?
        if let node = entries["po"] {
            guard kind == .receipts else {
                reader.problem(node, "`po:` belongs to the receipts report")
                return nil
            }
            po = reader.string(node)
        }
        let format = entries["format"].flatMap { reader.choice($0, ReportFormat.allCases.map(\.rawValue)) }.flatMap(ReportFormat.init(rawValue:))
        guard entries["format"] == nil || format != nil else { return nil }
        guard let outputNode = entries["output"], let output = reader.string(outputNode) else {
            reader.problem(body, "the report stage needs `output:`, the file to write (relative to the pipeline file)")
            return nil
        }
        var days: [String?] = []
        for key in ["from", "to"] {
            guard let node = entries[key] else { days.append(nil); continue }
            guard let text = reader.string(node) else { return nil }
            guard kind == .summary else {
                reader.problem(node, "`\(key):` belongs to the summary report")
                return nil
            }
            guard Timestamp.isDay(text) else {
                reader.problem(node, "`\(key):` must be a date such as 2026-11-23")
                return nil
            }
            days.append(text)
        }
        let chosen = format ?? (ReportFormat.allCases.first { output.lowercased().hasSuffix("." + $0.rawValue) } ?? .md)
        let stage = ReportStage(kind: kind, format: chosen, output: paths.display(output), from: days[0], to: days[1], po: po)
        return PipelineStage(work: .report(stage), files: [], label: "report \(kind.rawValue) (\(chosen.rawValue))")
    }
}
