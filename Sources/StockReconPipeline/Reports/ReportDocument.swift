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

public struct ReportTable: Sendable, Hashable {
    public var key: String
    public var title: String
    public var columns: [ReportColumn]
    public var rows: [[ReportCell]]
    /// Said instead of an empty table.
    public var emptyText: String
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
        let bars = values.filter { $0.valueMinor != 0 }
            .sorted { ($0.valueMinor.magnitude, $1.label) > ($1.valueMinor.magnitude, $0.label) }
        return ReportChart(title: title, bars: Array(bars.prefix(limit)))
    }
}

/// A report: its figures once, for every format to render.
public struct ReportDocument: Sendable, Hashable {
    /// `variance`, `summary`.
    public var kind: String
    public var title: String
    public var facts: [ReportFact]
    public var chart: ReportChart
    public var tables: [ReportTable]

    public func rendered(as format: ReportFormat) -> String {
        switch format {
        case .md: return markdown
        case .csv: return csv
        case .json: return json
        case .html: return html
        }
    }
}
