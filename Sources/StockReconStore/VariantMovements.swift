import StockReconCore

/// One variant's movements, found without walking the ledger, on both backends. `variant_movements` holds the
/// ledger ids of each group of 64 variants (by internal id) in ascending runs, one row per run,
/// written with the ledger rows in the same transaction. Each entry is 8 bytes, little-endian:
/// the movement's id above the variant's 6 low bits.
///
/// An index on `ledger (variant)` did this at one B-tree insert per movement: 40% more time for
/// an import of 1,000,000 movements. A row per variant per flush was still one row per five
/// movements over a catalog of 100,000 variants (22% more time). A row per group of variants per
/// flush is a few thousand rows per million movements; a read filters its group's entries.
/// (On PostgreSQL an index on `ledger (variant, id)` doubled the time of a 1,000,000-row COPY.)
package enum VariantMovements {

    static let groupBits = 6
    static let entriesPerRun = 4096
    static let movementsPerFlush = 1 << 18

    static func group(of variant: Int64) -> Int64 { variant >> Int64(groupBits) }
    static func entry(variant: Int64, id: Int64) -> Int64 { id << Int64(groupBits) | variant & (1 << Int64(groupBits) - 1) }

    /// Movements noted as they are appended, written as runs when `movementsPerFlush` are held
    /// and at `flush`, which must come before the transaction commits.
    package struct Runs {
        private let db: any SQLConnection
        /// Each movement's group and entry, in ledger order (ids ascending). Appended flat and
        /// sorted by group when written: a dictionary of arrays by group cost a hash, a
        /// uniqueness check and a likely cache miss a movement.
        private var held: [GroupEntry] = []
        /// The positions in `held` of each group's entries, built only when asked
        /// (`heldIDs`, for a file's backdated rows), up to `indexed`.
        private var byGroup: [Int64: [Int]] = [:]
        private var indexed = 0

        fileprivate struct GroupEntry {
            var group: Int64
            var entry: Int64
        }

        package init(_ db: any SQLConnection) {
            self.db = db
        }

        package mutating func add(variant: Int64, id: Int64) throws {
            held.append(GroupEntry(group: VariantMovements.group(of: variant), entry: VariantMovements.entry(variant: variant, id: id)))
            if held.count >= VariantMovements.movementsPerFlush { try flush() }
        }

        /// The ids of `variant`'s movements noted and not written yet, ascending.
        package mutating func heldIDs(variant: Int64) -> [Int64] {
            while indexed < held.count {
                byGroup[held[indexed].group, default: []].append(indexed)
                indexed += 1
            }
            let low = variant & (1 << Int64(VariantMovements.groupBits) - 1)
            return (byGroup[VariantMovements.group(of: variant)] ?? []).map { held[$0].entry }
                .filter { $0 & (1 << Int64(VariantMovements.groupBits) - 1) == low }.map { $0 >> Int64(VariantMovements.groupBits) }
        }

        /// Writes the runs as rejections are (COPY on PostgreSQL): over a catalog of a million
        /// variants a thousand movements touch a thousand groups, a round trip each as statements.
        package mutating func flush() throws {
            guard !held.isEmpty else { return }
            // Stable: a group's entries stay in ledger order. Groups are not negative (ids are not).
            held.withUnsafeMutableBufferPointer { RadixSort.sort($0) { UInt64(bitPattern: $0.group) } }
            let rows = try RowInserter(db, table: "variant_movements", columns: ["variant_group", "last_id", "entries"], binary: true)
            var start = 0
            while start < held.count {
                let group = held[start].group
                var end = start + 1
                while end < held.count, held[end].group == group, end - start < VariantMovements.entriesPerRun { end += 1 }
                var entries: [UInt8] = []
                entries.reserveCapacity((end - start) * 8)
                for item in held[start..<end] { PackedWords.append(item.entry, to: &entries) }
                try rows.append(values: [.integer(group), .integer(held[end - 1].entry >> Int64(VariantMovements.groupBits)), .blob(entries)])
                start = end
            }
            try rows.finish()
            held.removeAll(keepingCapacity: true)
            byGroup.removeAll()
            indexed = 0
        }
    }

    /// Notes movements written outside an import (decisions, reversals): one run each.
    static func record(variant: Int64, id: Int64, in db: any SQLConnection) throws {
        var runs = Runs(db)
        try runs.add(variant: variant, id: id)
        try runs.flush()
    }

    /// The ids of a variant's movements after `sinceID`, at `location` when given, ascending,
    /// at most `limit`.
    static func ids(variant: Int64, location: Int64?, after sinceID: Int64, limit: Int, in db: any SQLConnection) throws -> [Int64] {
        var found: [Int64] = []
        let runs = try db.fetchAll(sql: """
            SELECT entries FROM variant_movements WHERE variant_group = ? AND last_id > ? ORDER BY last_id
            """, arguments: [group(of: variant), sinceID])
        let low = entry(variant: variant, id: 0)
        for row in runs where found.count < limit {
            let blob: [UInt8] = try row[0]
            var candidates = try decode(blob).filter { $0.low == low && $0.id > sinceID }.map(\.id)
            if let location, !candidates.isEmpty {
                // Numbers only, and no arguments: a text that differs each time is not kept
                // among the prepared statements (a file's backdated rows ask once an item).
                candidates = try db.fetchValues(Int64.self, sql: """
                    SELECT id FROM ledger WHERE location = \(location) AND id IN (\(candidates.map(String.init).joined(separator: ",")))
                    ORDER BY id
                    """)
            }
            found += candidates.prefix(limit - found.count)
        }
        return found
    }

    /// A run's entries: each movement's id and its variant's low bits.
    static func decode(_ blob: [UInt8]) throws -> [(id: Int64, low: Int64)] {
        try PackedWords.words(in: blob, perEntry: 1, table: "variant_movements", part: "a run").map { entry in
            (entry >> Int64(groupBits), entry & (1 << Int64(groupBits) - 1))
        }
    }
}
