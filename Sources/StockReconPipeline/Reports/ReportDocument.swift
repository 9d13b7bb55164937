import StockReconCore
import StockReconIO

/// One value of a report, typed so that each format writes it right: money exact from
/// minor units, numbers as numbers, text escaped for where it goes.
public enum ReportCell: Sendable, Hashable {
    case null
    case text(String)
    case integer(Int64)
    case money(minor: Int64)
    /// 9,750 is 97.50%.
    case percent(basisPoints: Int64)
    case flag(Bool)

    /// Text, or an empty cell for none.
    static func optionalText(_ text: String?) -> ReportCell { text.map(ReportCell.text) ?? .null }

    /// As people read it (Markdown, HTML, CSV).
    var plain: String {
        switch self {
        case .null: return ""
        case .text(let text): return text
        case .integer(let value): return String(value)
        case .money(let minor): return Money.format(minorUnits: minor)
        case .percent(let basisPoints): return Money.format(minorUnits: basisPoints) + "%"
        case .flag(let value): return value ? "yes" : ""
        }
    }

    var isNumeric: Bool {
        switch self {
        case .integer, .money, .percent: return true
        case .null, .text, .flag: return false
        }
    }
}

/// What a column's or fact's numbers are, for its JSON key: money as `<key>_minor`,
/// percentages as `<key>_basis_points`, so that every row has the same keys.
public enum ReportUnit: Sendable, Hashable {
    case plain, money, percent

    func jsonKey(_ key: String) -> String {
        switch self {
        case .plain: return key
        case .money: return key + "_minor"
        case .percent: return key + "_basis_points"
        }
    }
}

/// A column: `key` names it in CSV and JSON, `label` for people.
public struct ReportColumn: Sendable, Hashable {
    public var key: String
    public var label: String
    public var unit: ReportUnit
    public init(_ key: String, _ label: String, _ unit: ReportUnit = .plain) {
        self.key = key
        self.label = label
        self.unit = unit
    }
}

public struct ReportTable {
    public var key: String
    public var title: String
    public var columns: [ReportColumn]
    /// The rows held; a table too long to hold goes on in `spilled`.
    public var rows: [[ReportCell]]
    /// Said instead of an empty table.
    public var emptyText: String
    var spilled: SpilledRows? = nil

    /// Adds a row, held while the table holds fewer than `limit` (the first always: a table's
    /// head is written from it), and spilled to a file after.
    mutating func append(_ row: [ReportCell], holding limit: Int) throws {
        guard rows.count >= max(limit, 1) else { return rows.append(row) }
        if spilled == nil { spilled = try SpilledRows() }
        try spilled?.append(row)
    }

    var firstRow: [ReportCell]? { rows.first }

    /// Every row in order, those held and then those spilled.
    func forEachRow(_ body: ([ReportCell]) throws -> Void) throws {
        for row in rows { try body(row) }
        try spilled?.forEach(body)
    }
}

/// One labelled figure of a report's header.
public struct ReportFact: Sendable, Hashable {
    public var key: String
    public var label: String
    public var value: ReportCell
    public var unit: ReportUnit
    public init(_ key: String, _ label: String, _ value: ReportCell, _ unit: ReportUnit = .plain) {
        self.key = key
        self.label = label
        self.value = value
        switch value {
        case .money: self.unit = .money
        case .percent: self.unit = .percent
        default: self.unit = unit
        }
    }
}

/// A bar chart of signed money values (the largest variances by value).
public struct ReportChart: Sendable, Hashable {
    public var title: String
    public var bars: [(label: String, valueMinor: Int64)]

    public static func == (lhs: ReportChart, rhs: ReportChart) -> Bool {
        lhs.title == rhs.title && lhs.bars.map(\.label) == rhs.bars.map(\.label) && lhs.bars.map(\.valueMinor) == rhs.bars.map(\.valueMinor)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(title)
        for bar in bars {
            hasher.combine(bar.label)
            hasher.combine(bar.valueMinor)
        }
    }

    /// The `limit` largest |values|, largest first (ties by label), zeros left out.
    public static func largest(_ title: String, _ values: [(label: String, valueMinor: Int64)], limit: Int = 10) -> ReportChart {
        var largest = Largest(limit: limit)
        for value in values { largest.add(value.valueMinor) { value.label } }
        return ReportChart(title: title, bars: largest.bars)
    }

    /// The bars of `largest`, chosen as the values go by, holding only the `limit` kept so far;
    /// a label is made only for a value that may be kept.
    struct Largest {
        let limit: Int
        private(set) var bars: [(label: String, valueMinor: Int64)] = []

        init(limit: Int) { self.limit = limit }

        mutating func add(_ valueMinor: Int64, label: () -> String) {
            guard valueMinor != 0, limit > 0 else { return }
            if bars.count == limit, let last = bars.last, valueMinor.magnitude < last.valueMinor.magnitude { return }
            let bar = (label: label(), valueMinor: valueMinor)
            let index = bars.firstIndex { (bar.valueMinor.magnitude, $0.label) > ($0.valueMinor.magnitude, bar.label) } ?? bars.endIndex
            guard index < limit else { return }
            bars.insert(bar, at: index)
            if bars.count > limit { bars.removeLast() }
        }
    }
}

/// Where a report is written: a string, or a file a megabyte at a time.
public protocol ReportSink {
    mutating func write(_ text: String) throws
}

extension String: ReportSink {}
extension BufferedOutput: ReportSink {}

/// A report: its figures once, for every format to render.
public struct ReportDocument {
    /// `variance`, `summary`.
    public var kind: String
    public var title: String
    public var facts: [ReportFact]
    public var chart: ReportChart
    public var tables: [ReportTable]

    public func write(as format: ReportFormat, to out: inout some ReportSink) throws {
        switch format {
        case .md: try writeMarkdown(to: &out)
        case .csv: try writeCSV(to: &out)
        case .json: try writeJSON(to: &out)
        case .html: try writeHTML(to: &out)
        }
    }

    /// Writes the report to `out` and closes it.
    public func write(as format: ReportFormat, to out: BufferedOutput) throws {
        var sink = out
        try write(as: format, to: &sink)
        try out.close()
    }

    public func rendered(as format: ReportFormat) throws -> String {
        var text = ""
        try write(as: format, to: &text)
        return text
    }
}
