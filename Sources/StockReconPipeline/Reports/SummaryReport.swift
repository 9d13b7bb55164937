import StockReconCore
import StockReconStore

/// `report summary`: a tenant's movements over a period by type, reason and location
/// (quantities and values), and its completed counts with their accuracy.
enum SummaryReport {
    static let groupColumns = [
        ReportColumn("movements", "Movements"), ReportColumn("units_in", "Units in"), ReportColumn("units_out", "Units out"),
        ReportColumn("net_units", "Net units"), ReportColumn("value", "Value", .money),
    ]

    static let countColumns = [
        ReportColumn("count_id", "Count"), ReportColumn("name", "Name"), ReportColumn("type", "Type"),
        ReportColumn("location_id", "Location"), ReportColumn("counted_at", "Counted"), ReportColumn("completed_at", "Completed"),
        ReportColumn("items_counted", "Items counted"), ReportColumn("items_with_discrepancy", "With discrepancy"),
        ReportColumn("accuracy", "Accuracy", .percent), ReportColumn("missing_value", "Missing value", .money),
        ReportColumn("excess_value", "Excess value", .money), ReportColumn("net_variance", "Net variance", .money),
    ]

    static let importedCheckColumns = [ReportColumn("day", "Day"), ReportColumn("location_id", "Location"), ReportColumn("items", "Items set")]

    struct Group {
        var movements: Int64 = 0
        var unitsIn: Int64 = 0
        var unitsOut: Int64 = 0
        var valueMinor: Int64 = 0

        mutating func add(_ row: MovementSummaryRow) throws {
            movements += row.movements
            unitsIn += row.unitsIn
            unitsOut += row.unitsOut
            valueMinor = try valueMinor.adding(row.valueMinor, exactly: "the value of the period's movements")
        }

        var cells: [ReportCell] {
            [.integer(movements), .integer(unitsIn), .integer(unitsOut), .integer(unitsIn + unitsOut), .money(minor: valueMinor)]
        }
    }

    static func document(
        tenantID: String, from: String?, to: String?, movements: [MovementSummaryRow], counts: [CountSummaryRow],
        importedChecks: [(day: String, locationID: String, items: Int64)] = [], largestVariances: [(label: String, valueMinor: Int64)]
    ) throws -> ReportDocument {
        var total = Group()
        for row in movements { try total.add(row) }
        func table(_ key: String, _ title: String, _ label: String, by name: (MovementSummaryRow) -> String) throws -> ReportTable {
            var groups: [String: Group] = [:]
            for row in movements { try groups[name(row), default: Group()].add(row) }
            let rows = groups.keys.sorted().map { key in [ReportCell.text(key)] + (groups[key] ?? Group()).cells }
            return ReportTable(
                key: key, title: title, columns: [ReportColumn("group", label)] + groupColumns, rows: rows,
                emptyText: "No movements in this period.")
        }
        let countedItems = counts.reduce(0) { $0 + $1.itemsCounted }
        let matchedItems = counts.reduce(0) { $0 + $1.itemsCounted - $1.itemsWithDiscrepancy }
        let facts = [
            ReportFact("tenant_id", "Tenant", .text(tenantID)),
            ReportFact("from", "From", .text(from ?? "the beginning")),
            ReportFact("to", "To", .text(to ?? "today")),
            ReportFact("movements", "Movements", .integer(total.movements)),
            ReportFact("units_in", "Units in", .integer(total.unitsIn)),
            ReportFact("units_out", "Units out", .integer(total.unitsOut)),
            ReportFact("net_value", "Net value", .money(minor: total.valueMinor)),
            ReportFact("counts_completed", "Counts completed", .integer(Int64(counts.count))),
            ReportFact("count_accuracy", "Count accuracy", countedItems > 0 ? .percent(basisPoints: matchedItems * 10_000 / countedItems) : .null, .percent),
        ]
        let countRows = counts.map { count -> [ReportCell] in
            [
                .integer(count.id), .text(count.name), .text(count.type), count.locationID.map(ReportCell.text) ?? .text("every location"),
                .text(count.countedAt), .text(count.completedAt), .integer(count.itemsCounted), .integer(count.itemsWithDiscrepancy),
                count.itemsCounted > 0 ? .percent(basisPoints: (count.itemsCounted - count.itemsWithDiscrepancy) * 10_000 / count.itemsCounted) : .null,
                .money(minor: count.missingValueMinor), .money(minor: count.excessValueMinor), .money(minor: count.netVarianceMinor),
            ]
        }
        let period = "\(from ?? "the beginning") to \(to ?? "today")"
        return ReportDocument(
            kind: "summary", title: "Summary for \(tenantID), \(period)", facts: facts,
            chart: ReportChart.largest("Largest count variances by value", largestVariances),
            tables: [
                try table("by_type", "By type", "Type") { row in
                    row.adjustmentType.map { "\(row.transactionType) \($0)" } ?? row.transactionType
                },
                try table("by_reason", "By reason", "Reason") { $0.reasonCode ?? "(none)" },
                try table("by_location", "By location", "Location") { $0.locationID },
                ReportTable(key: "counts", title: "Counts", columns: countColumns, rows: countRows, emptyText: "No count was taken in this period."),
                ReportTable(
                    key: "imported_checks", title: "On-hand set by imports", columns: importedCheckColumns,
                    rows: importedChecks.map { [.text($0.day), .text($0.locationID), .integer($0.items)] },
                    emptyText: "No import set on-hand in this period."),
            ])
    }
}

/// Builds the reports from the store.
public struct Reporting {
    public let store: Store

    public init(store: Store) { self.store = store }

    /// Lines are flagged over `rules`' threshold; by default the one the count was completed
    /// with, else the default (100.00).
    public func variance(countID: Int64, tenantID: String, rules: CountRules? = nil) throws -> ReportDocument {
        try store.read { db in try Self.variance(countID: countID, tenantID: tenantID, rules: rules, in: db) }
    }

    public func summary(tenantID: String, from: String?, to: String?) throws -> ReportDocument {
        try store.read { db in try Self.summary(tenantID: tenantID, from: from, to: to, in: db) }
    }

    static func variance(countID: Int64, tenantID: String, rules: CountRules?, in db: any SQLConnection) throws -> ReportDocument {
        let session = try Store.countSession(countID, tenantID: tenantID, in: db)
        let chosen = rules ?? session.reviewOverMinor.map { CountRules(reviewOverValueMinor: $0) } ?? CountRules()
        return try VarianceReport.document(
            session, rules: chosen, withdrawn: try Store.withdrawnSheets(count: countID, in: db),
            absorbed: try Store.absorbedMovements(count: countID, in: db)
        ) { each in try Store.forEachCountItem(session, in: db, each) }
    }

    static func summary(tenantID: String, from: String?, to: String?, in db: any SQLConnection) throws -> ReportDocument {
        let counts = try Store.completedCounts(tenantID: tenantID, from: from, to: to, in: db)
        return try SummaryReport.document(
            tenantID: tenantID, from: from, to: to,
            movements: try Store.movementSummary(tenantID: tenantID, from: from, to: to, in: db), counts: counts,
            importedChecks: try Store.importedChecks(tenantID: tenantID, from: from, to: to, in: db),
            largestVariances: try Store.largestCountVariances(countIDs: counts.map(\.id), limit: 10, in: db))
    }
}
