import GRDB
import StockReconCore

/// The natural keys a tenant has used, for the rows of one file: what each key saw before
/// (its content digest and outcome), and the keys this file adds, written 32 at a time.
/// A tenant with up to `scanLimit` keys is read in one scan (none at all on a first
/// import); a larger one key by key, by its primary key.
struct KeyBook {
    private var index = TextIndex()
    private var digests: [Int64] = []
    private var outcomes: [Outcome] = []
    private var lookup: FastStatement?
    private let db: Database?
    private let tenant: Int64
    private let run: Int64
    /// Keys added by this file and not yet written: their entries in `digests`.
    private var unwritten: [Int] = []
    private var keyTexts: [String] = []
    private var insertOne: FastStatement?
    private var insertMany: FastStatement?
    static let scanLimit = 1_200_000
    static let rowsPerInsert = 32

    static var placeholder: KeyBook { KeyBook() }

    private init() {
        db = nil
        tenant = 0
        run = 0
    }

    init(_ db: Database, tenant: Int64, run: Int64, scanLimit: Int = KeyBook.scanLimit) throws {
        self.db = db
        self.tenant = tenant
        self.run = run
        let stored = try Int.fetchOne(db, sql: "SELECT count(*) FROM idempotency_keys WHERE tenant = ?", arguments: [tenant]) ?? 0
        if stored <= scanLimit {
            if stored > 0 {
                var scan = try FastStatement(db, sql: "SELECT key, content_digest, outcome FROM idempotency_keys WHERE tenant = ?")
                scan.reset()
                scan.bind(tenant, at: 1)
                while try scan.step() {
                    add(scan.text(column: 0), digest: scan.int64(column: 1), outcome: Outcome(rawValue: scan.text(column: 2)) ?? .posted)
                }
            }
        } else {
            lookup = try FastStatement(db, sql: "SELECT content_digest, outcome FROM idempotency_keys WHERE tenant = ? AND key = ?")
        }
        let values = "(?, ?, ?, ?, ?)"
        let sql = "INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run) VALUES "
        insertOne = try FastStatement(db, sql: sql + values)
        insertMany = try FastStatement(db, sql: sql + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "))
    }

    private mutating func add(_ key: String, digest: Int64, outcome: Outcome) {
        index[key] = digests.count
        digests.append(digest)
        outcomes.append(outcome)
    }

    /// What a key saw before: in this file, in the book, or (for a large tenant) in the table.
    mutating func earlier(_ key: BorrowedText) throws -> EarlierKey? {
        if let entry = index.value(for: key) { return EarlierKey(contentDigest: digests[entry], outcome: outcomes[entry]) }
        guard lookup != nil else { return nil }
        lookup?.reset()
        lookup?.bind(tenant, at: 1)
        key.withBytes { bytes in lookup?.bindTransient(bytes, at: 2) }
        guard try lookup?.step() == true, let digest = lookup?.int64(column: 0) else { return nil }
        return EarlierKey(contentDigest: digest, outcome: Outcome(rawValue: lookup?.text(column: 1) ?? "") ?? .posted)
    }

    /// Records how a new key's row ended; it is written with the next 32, or at `flush`.
    mutating func remember(_ key: BorrowedText, digest: Int64, outcome: Outcome) throws {
        let text = key.string
        add(text, digest: digest, outcome: outcome)
        unwritten.append(digests.count - 1)
        keyTexts.append(text)
        if unwritten.count == Self.rowsPerInsert { try flush() }
    }

    /// Writes the keys not yet written.
    mutating func flush() throws {
        guard !unwritten.isEmpty else { return }
        defer {
            unwritten.removeAll(keepingCapacity: true)
            keyTexts.removeAll(keepingCapacity: true)
        }
        if unwritten.count == Self.rowsPerInsert, insertMany != nil {
            insertMany?.reset()
            for (slot, entry) in unwritten.enumerated() { bind(entry, text: keyTexts[slot], to: &insertMany, offset: Int32(slot) * 5) }
            try insertMany?.step()
            return
        }
        for (slot, entry) in unwritten.enumerated() {
            insertOne?.reset()
            bind(entry, text: keyTexts[slot], to: &insertOne, offset: 0)
            try insertOne?.step()
        }
    }

    private func bind(_ entry: Int, text: String, to statement: inout FastStatement?, offset: Int32) {
        statement?.bind(tenant, at: offset + 1)
        text.withBytes { statement?.bindTransient($0, at: offset + 2) }
        statement?.bind(digests[entry], at: offset + 3)
        outcomes[entry].rawValue.withBytes { statement?.bindTransient($0, at: offset + 4) }
        statement?.bind(run, at: offset + 5)
    }
}
