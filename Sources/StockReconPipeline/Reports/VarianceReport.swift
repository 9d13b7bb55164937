import StockReconCore
import StockReconStore

/// `report variance COUNT_ID`: a count's figures and every line, with what moved during the
/// count beside the variance, so that nobody mistakes a delivery for a miscount.
enum VarianceReport {
    static let columns = [
        ReportColumn("variant_id", "Variant"), ReportColumn("sku", "SKU"), ReportColumn("name", "Name"), ReportColumn("location_id", "Location"),
        ReportColumn("batch", "Batch"), ReportColumn("system_quantity", "System"),
        ReportColumn("moved_during_count", "Moved during count"), ReportColumn("counted_quantity", "Counted"),
        ReportColumn("variance", "Variance"), ReportColumn("unit_cost", "Unit cost", .money),
        ReportColumn("variance_value", "Variance value", .money), ReportColumn("line_status", "Status"),
        ReportColumn("review", "Review"), ReportColumn("reason", "Reason"), ReportColumn("notes", "Notes"),
    ]

    /// Reads the count's items once, through `items`: their figures are summed and their
    /// lines kept, the first `holding` in memory and the rest in a file (`ReportTable.append`).
    static func document(
        _ session: CountSession, rules: CountRules, withdrawn: [(sheet: String, replacedBy: String)] = [],
        absorbed: [AbsorbedMovement] = [], holding limit: Int = 10_000,
        items: (_ each: (StoredCountItem) throws -> Void) throws -> Void
    ) throws -> ReportDocument {
        var totals = CountTotals()
        var largest = ReportChart.Largest(limit: 10)
        var lines = ReportTable(key: "lines", title: "Lines", columns: columns, rows: [], emptyText: "Nothing was counted.")
        // What the books held of each item a backdated movement changed.
        let absorbedKeys = Set(absorbed.map { "\($0.variantID)@\($0.locationID)" })
        var system: [String: Int64] = [:]
        try items { stored in
            let item = stored.item
            try totals.add(item, rules: rules)
            if let value = item.varianceValueMinor { largest.add(value) { "\(item.sku ?? item.variantID) @ \(item.locationID)" } }
            if !absorbedKeys.isEmpty {
                let key = "\(item.variantID)@\(item.locationID)"
                if absorbedKeys.contains(key) { system[key] = item.systemQuantity }
            }
            try lines.append(line(item, rules: rules), holding: limit)
        }
        var facts = [
            ReportFact("count_id", "Count", .integer(session.id)),
            ReportFact("name", "Name", .text(session.name)),
            ReportFact("type", "Type", .text(session.type.rawValue)),
            ReportFact("status", "Status", .text(session.status.rawValue)),
            ReportFact("org_id", "Org", .text(session.orgID)),
            ReportFact("location_id", "Location", .text(session.locationID ?? "every location")),
            ReportFact("started_at", "Started", .text(session.startedAt)),
            ReportFact("counted_at", "Counted at", .text(session.countedAt)),
            ReportFact("started_by", "Started by", .optionalText(session.startedBy)),
            ReportFact("completed_at", "Completed", .optionalText(session.finishedAt)),
            ReportFact("completed_by", "Completed by", .optionalText(session.finishedBy)),
        ]
        if let applied = session.applied { facts.append(ReportFact("applied", "Variance posted", .flag(applied))) }
        if !withdrawn.isEmpty {
            let text = withdrawn.map { "\($0.sheet) (replaced by \($0.replacedBy))" }.joined(separator: "; ")
            facts.append(ReportFact("sheets_withdrawn", "Sheets withdrawn", .text(text)))
        }
        facts += [
            ReportFact("items_counted", "Items counted", .integer(Int64(totals.itemsCounted))),
            ReportFact("items_with_discrepancy", "Items with discrepancy", .integer(Int64(totals.itemsWithDiscrepancy))),
            ReportFact("items_uncounted", "Items with stock not counted", .integer(Int64(totals.itemsUncounted))),
            ReportFact("accuracy", "Accuracy", totals.accuracyBasisPoints.map { .percent(basisPoints: $0) } ?? .null, .percent),
            ReportFact("units_missing", "Units missing", .integer(totals.unitsMissing)),
            ReportFact("units_excess", "Units in excess", .integer(totals.unitsExcess)),
            ReportFact("missing_value", "Missing value", .money(minor: totals.missingValueMinor)),
            ReportFact("excess_value", "Excess value", .money(minor: totals.excessValueMinor)),
            ReportFact("net_variance", "Net variance", .money(minor: totals.netVarianceMinor)),
            ReportFact("review_over_value", "Review over value", .money(minor: rules.reviewOverValueMinor)),
            ReportFact("items_for_review", "Items for review", .integer(Int64(totals.itemsFlagged))),
        ]
        if !absorbed.isEmpty { facts.append(ReportFact("movements_absorbed", "Backdated movements absorbed", .integer(Int64(absorbed.count)))) }
        return ReportDocument(
            kind: "variance", title: "Variance report: count \(session.id), \(session.name)", facts: facts,
            chart: ReportChart(title: "Largest variances by value", bars: largest.bars),
            tables: [lines] + (absorbed.isEmpty ? [] : [absorbedTable(absorbed, system: system)]))
    }

    static func line(_ item: CountItem, rules: CountRules) -> [ReportCell] {
        [
            .text(item.variantID), .optionalText(item.sku), .optionalText(item.name), .text(item.locationID), .optionalText(item.batch),
            .integer(item.systemQuantity), .integer(item.movedDuringCount), item.countedQuantity.map(ReportCell.integer) ?? .null,
            item.variance.map(ReportCell.integer) ?? .null, item.unitCostMinor.map { .money(minor: $0) } ?? .null,
            item.varianceValueMinor.map { .money(minor: $0) } ?? .null, .text(lineStatus(item)), .flag(item.needsReview(rules)),
            .optionalText(item.reason), .optionalText(item.notes),
        ]
    }

    static let absorbedColumns = [
        ReportColumn("movement_id", "Movement"), ReportColumn("variant_id", "Variant"), ReportColumn("location_id", "Location"),
        ReportColumn("quantity_delta", "Change"), ReportColumn("occurred_at", "Dated"), ReportColumn("recorded_at", "Posted"),
        ReportColumn("absorbed_by_id", "Absorbed by"), ReportColumn("revised_system_quantity", "Revised system"),
    ]

    /// Movements dated before the count and posted after it: each changed what the books held
    /// then (the revised system quantity, running from `system`, "variant@location" to the
    /// item's system quantity), not what the count found.
    static func absorbedTable(_ absorbed: [AbsorbedMovement], system: [String: Int64]) -> ReportTable {
        var system = system
        let rows = absorbed.map { movement -> [ReportCell] in
            let key = "\(movement.variantID)@\(movement.locationID)"
            let revised = system[key, default: 0] + movement.delta
            system[key] = revised
            return [
                .integer(movement.id), .text(movement.variantID), .text(movement.locationID), .integer(movement.delta),
                .text(movement.occurredAt), .text(movement.recordedAt), .integer(movement.absorbedBy), .integer(revised),
            ]
        }
        return ReportTable(key: "absorbed", title: "Backdated movements absorbed", columns: absorbedColumns, rows: rows, emptyText: "")
    }

    /// The same words as the `variance_report` view's `status_of_line`.
    static func lineStatus(_ item: CountItem) -> String {
        guard let variance = item.variance else { return "uncounted" }
        return variance == 0 ? "match" : variance < 0 ? "missing" : "excess"
    }
}
