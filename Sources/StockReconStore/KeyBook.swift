import GRDB
import StockReconCore

/// The natural keys a tenant had used before a file: each key's content digest and outcome.
/// Read in one scan and never changed, so the checking thread can settle a row it already
/// knows before validating it while the posting thread reads the same keys.
public final class KnownKeys: Sendable {
    private let index: TextIndex
    private let digests: [Int64]
    private let outcomes: [Outcome]

    /// At most this many keys are held in memory; a tenant with more is looked up key by key.
    static let scanLimit = 1_200_000

    /// The tenant's keys, or nil when there are more than `limit`.
    static func load(_ db: Database, tenant: Int64, limit: Int = scanLimit) throws -> KnownKeys? {
        let row = try Row.fetchOne(
            db, sql: "SELECT count(*), coalesce(sum(length(CAST(key AS BLOB))), 0) FROM idempotency_keys WHERE tenant = ?",
            arguments: [tenant])
        let (count, bytes): (Int, Int) = (row?[0] ?? 0, row?[1] ?? 0)
        guard count <= limit else { return nil }
        var index = TextIndex(capacity: count, bytes: bytes)
        var digests: [Int64] = []
        var outcomes: [Outcome] = []
        digests.reserveCapacity(count)
        outcomes.reserveCapacity(count)
        if count > 0 {
            var scan = try FastStatement(db, sql: "SELECT key, content_digest, \(Outcome.codeSQL) FROM idempotency_keys WHERE tenant = ?")
            scan.reset()
            scan.bind(tenant, at: 1)
            while try scan.step() {
                scan.withText(column: 0) { index.append(unique: $0, value: digests.count) }
                digests.append(scan.int64(column: 1))
                outcomes.append(Outcome(code: scan.int64(column: 2)))
            }
        }
        return KnownKeys(index: index, digests: digests, outcomes: outcomes)
    }

    private init(index: TextIndex, digests: [Int64], outcomes: [Outcome]) {
        self.index = index
        self.digests = digests
        self.outcomes = outcomes
    }

    public var count: Int { digests.count }

    /// What a key saw before the file, nil for a key not used before.
    public func earlier(_ key: BorrowedText) -> EarlierKey? {
        index.value(for: key).map { EarlierKey(contentDigest: digests[$0], outcome: outcomes[$0]) }
    }
}

/// The natural keys for the rows of one file: what each key saw before (the known keys,
/// or, for a tenant with too many to hold, the table key by key) and the keys this file
/// adds. The added keys are written when the file finishes, in key order, so that the
/// table's B-tree takes them page by page instead of one random page per key.
struct KeyBook {
    let known: KnownKeys?
    private var lookup: FastStatement?
    private var added = TextIndex()
    private var digests: [Int64] = []
    private var outcomes: [Outcome] = []
    private let tenant: Int64
    private let run: Int64
    private var insertOne: FastStatement?
    private var insertMany: FastStatement?
    static let rowsPerInsert = 32

    static var placeholder: KeyBook { KeyBook() }

    private init() {
        known = nil
        tenant = 0
        run = 0
    }

    init(_ db: Database, tenant: Int64, run: Int64, scanLimit: Int = KnownKeys.scanLimit) throws {
        self.tenant = tenant
        self.run = run
        known = try KnownKeys.load(db, tenant: tenant, limit: scanLimit)
        if known == nil {
            lookup = try FastStatement(db, sql: "SELECT content_digest, \(Outcome.codeSQL) FROM idempotency_keys WHERE tenant = ? AND key = ?")
        }
        let values = "(?, ?, ?, ?, ?)"
        let sql = "INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run) VALUES "
        insertOne = try FastStatement(db, sql: sql + values)
        insertMany = try FastStatement(db, sql: sql + Array(repeating: values, count: Self.rowsPerInsert).joined(separator: ", "))
    }

    /// What a key saw before: in this file, before it, or (for a large tenant) in the table.
    mutating func earlier(_ key: BorrowedText) throws -> EarlierKey? {
        if let entry = added.value(for: key) { return EarlierKey(contentDigest: digests[entry], outcome: outcomes[entry]) }
        if let known { return known.earlier(key) }
        lookup?.reset()
        lookup?.bind(tenant, at: 1)
        key.withBytes { bytes in lookup?.bindTransient(bytes, at: 2) }
        guard try lookup?.step() == true, let digest = lookup?.int64(column: 0) else { return nil }
        return EarlierKey(contentDigest: digest, outcome: Outcome(code: lookup?.int64(column: 1) ?? 0))
    }

    /// Records how a new key's row ended; it is written at `flush`.
    mutating func remember(_ key: BorrowedText, digest: Int64, outcome: Outcome) {
        let entry = added.set(key, to: digests.count)
        if entry == digests.count {
            digests.append(digest)
            outcomes.append(outcome)
        } else {
            (digests[entry], outcomes[entry]) = (digest, outcome)
        }
    }

    /// Writes the keys this file added, in the table's order (SQLite's BINARY collation:
    /// bytes, then length), 32 to a statement.
    mutating func flush() throws {
        guard !digests.isEmpty else { return }
        let (order, entryMask) = packedSortedEntries()
        var next = 0
        while next + Self.rowsPerInsert <= order.count {
            insertMany?.reset()
            for slot in 0 ..< Self.rowsPerInsert {
                bind(Int(order[next + slot] & entryMask), to: &insertMany, offset: Int32(slot) * 5)
            }
            try insertMany?.step()
            next += Self.rowsPerInsert
        }
        for packed in order[next...] {
            insertOne?.reset()
            bind(Int(packed & entryMask), to: &insertOne, offset: 0)
            try insertOne?.step()
        }
        added = TextIndex()
        digests.removeAll()
        outcomes.removeAll()
    }

    /// The entries in the order of their keys' bytes (SQLite's BINARY collation).
    func sortedEntries() -> [Int] {
        let (order, entryMask) = packedSortedEntries()
        return order.map { Int($0 & entryMask) }
    }

    /// The entries sorted by key, each packed in one word: the key's first bytes above, the
    /// entry's number in the low `entryMask` bits, so that the sort moves 8 bytes an entry
    /// and compares whole keys only where those first bytes tie (a million keys: 8 MB).
    func packedSortedEntries() -> (order: [UInt64], entryMask: UInt64) {
        let entryBits = UInt64(max(1, Int.bitWidth - (digests.count - 1).leadingZeroBitCount))
        let entryMask: UInt64 = (1 << entryBits) - 1
        var order = [UInt64](repeating: 0, count: digests.count)
        for entry in digests.indices {
            let prefix = added.withKey(ofEntry: entry) { bytes in
                var value: UInt64 = 0
                for index in 0 ..< 8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
                return value
            }
            order[entry] = prefix & ~entryMask | UInt64(entry)
        }
        order.sort { left, right in
            let (leftPrefix, rightPrefix) = (left & ~entryMask, right & ~entryMask)
            if leftPrefix != rightPrefix { return leftPrefix < rightPrefix }
            return added.withKey(ofEntry: Int(left & entryMask)) { a in
                added.withKey(ofEntry: Int(right & entryMask)) { b in a.lexicographicallyPrecedes(b) }
            }
        }
        return (order, entryMask)
    }

    private func bind(_ entry: Int, to statement: inout FastStatement?, offset: Int32) {
        statement?.bind(tenant, at: offset + 1)
        added.withKey(ofEntry: entry) { statement?.bindTransient($0, at: offset + 2) }
        statement?.bind(digests[entry], at: offset + 3)
        outcomes[entry].rawValue.withBytes { statement?.bindTransient($0, at: offset + 4) }
        statement?.bind(run, at: offset + 5)
    }
}

extension Outcome {
    /// The `outcome` column as a number (its place among the cases), read without a string.
    fileprivate static let codeSQL = "CASE outcome "
        + allCases.enumerated().map { "WHEN '\($1.rawValue)' THEN \($0) " }.joined() + "ELSE 0 END"

    fileprivate init(code: Int64) {
        self = Outcome.allCases.indices.contains(Int(code)) ? Outcome.allCases[Int(code)] : .posted
    }
}
