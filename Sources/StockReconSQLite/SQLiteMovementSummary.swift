import StockReconCore
import StockReconStore

extension SQLiteConnection {
    /// The `summary_report` view's figures for one tenant and period, summed over days. The
    /// view's GROUP BY sorts the whole ledger; this reads it
    /// once in ledger order and sums in memory, with the catalog's costs and the runs' days
    /// looked up in tables held in memory (the text columns, mostly equal from one row to
    /// the next, become strings only when they change).
    func movementSummary(tenant: Int64, from: String?, to: String?) throws -> [MovementSummaryRow] {
        let db = self
        var texts = TextIDs()
        // Scanned, not fetched whole: a million variants' costs as rows took the report to 377 MB.
        // Each posting's day as its id in `texts`: a tenant may have a posting a movement (a
        // million reversals).
        var postingDays: [Int64: Int32] = [:]
        var postings = try FastStatement(db, sql: """
            SELECT p.id, substr(r.started_at, 1, 10) FROM postings p JOIN run_log r ON r.id = p.run WHERE p.tenant = ?
            """)
        postings.reset()
        postings.bind(tenant, at: 1)
        var postingDay = RepeatedText()
        while try postings.step() {
            guard let day = postingDay.id(postings, column: 1, in: &texts) else { continue }
            postingDays[postings.int64(column: 0)] = Int32(day)
        }
        postings.reset()
        guard let first = postingDays.keys.min(), let last = postingDays.keys.max() else { return [] }
        var costs: [Int64: Int64] = [:]
        var variants = try FastStatement(db, sql: "SELECT id, unit_cost_minor FROM catalog_variants WHERE tenant = ? AND unit_cost_minor IS NOT NULL")
        variants.reset()
        variants.bind(tenant, at: 1)
        while try variants.step() { costs[variants.int64(column: 0)] = variants.int64(column: 1) }
        variants.reset()
        let locations = Dictionary(uniqueKeysWithValues: try db.fetchAll(
            sql: "SELECT id, location_id FROM catalog_locations WHERE tenant = ?", arguments: [tenant]).map { (try $0["id"] as Int64, try $0["location_id"] as String) })

        /// Text ids: index into `texts`, -1 for NULL.
        struct Key: Hashable {
            var kind: Int64
            var location: Int64
            var adjustmentType: Int
            var reason: Int
        }
        var groups: [MovementSummaryRow] = []
        var groupOfKey: [Key: Int] = [:]
        var lastKey: Key?
        var lastGroup = 0
        var statement = try FastStatement(db, sql: """
            SELECT posting, kind, location, variant, quantity_delta, unit_cost_minor, adjustment_type, reason_code, occurred_at FROM ledger
            """)
        defer { statement.reset() }
        var adjustmentTypes = RepeatedText(), reasons = RepeatedText(), days = RepeatedText()
        while try statement.step() {
            let posting = statement.int64(column: 0)
            guard posting >= first, posting <= last, let postingDay = postingDays[posting].map({ texts.text(of: Int($0)) }) else { continue }
            if from != nil || to != nil {
                let day = days.id(statement, column: 8, in: &texts).map { String(texts.text(of: $0).prefix(10)) } ?? postingDay
                if let from, day < from { continue }
                if let to, day > to { continue }
            }
            let key = Key(
                kind: statement.int64(column: 1), location: statement.int64(column: 2),
                adjustmentType: adjustmentTypes.id(statement, column: 6, in: &texts) ?? -1,
                reason: reasons.id(statement, column: 7, in: &texts) ?? -1)
            if key != lastKey {
                if let known = groupOfKey[key] {
                    lastGroup = known
                } else {
                    lastGroup = groups.count
                    groupOfKey[key] = lastGroup
                    groups.append(MovementSummaryRow(
                        transactionType: try Store.movementKind(key.kind).rawValue,
                        adjustmentType: key.adjustmentType < 0 ? nil : texts.text(of: key.adjustmentType),
                        reasonCode: key.reason < 0 ? nil : texts.text(of: key.reason),
                        locationID: locations[key.location] ?? String(key.location), movements: 0, unitsIn: 0, unitsOut: 0, valueMinor: 0))
                }
                lastKey = key
            }
            let delta = statement.int64(column: 4)
            let cost = statement.isNull(column: 5) ? costs[statement.int64(column: 3)] ?? 0 : statement.int64(column: 5)
            groups[lastGroup].movements += 1
            if delta > 0 { groups[lastGroup].unitsIn += delta } else { groups[lastGroup].unitsOut += delta }
            let (value, overflow) = delta.multipliedReportingOverflow(by: cost)
            if overflow { throw MoneyOverflow("the value of a movement (\(delta) × \(Money.format(minorUnits: cost)))") }
            groups[lastGroup].valueMinor = try groups[lastGroup].valueMinor.adding(value, exactly: "the value of the period's movements")
        }
        return groups
    }
}

/// Texts read from the ledger, each once, by small integer id.
private struct TextIDs {
    private var ids: [String: Int] = [:]
    private var texts: [String] = []

    mutating func id(of text: String) -> Int {
        if let id = ids[text] { return id }
        ids[text] = texts.count
        texts.append(text)
        return texts.count - 1
    }

    func text(of id: Int) -> String { texts[id] }
}

/// A text column read row after row: its id is looked up only when the bytes differ from
/// the last row's.
private struct RepeatedText {
    private var bytes: [UInt8] = []
    private var last: Int?

    mutating func id(_ statement: FastStatement, column: Int32, in texts: inout TextIDs) -> Int? {
        if statement.isNull(column: column) {
            last = nil
            return nil
        }
        return statement.withText(column: column) { text in
            let current = text.bytes
            if let last, current.elementsEqual(bytes) { return last }
            bytes = Array(current)
            let id = texts.id(of: String(decoding: current, as: UTF8.self))
            last = id
            return id
        }
    }
}
