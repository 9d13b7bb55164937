import Foundation
import StockReconCore

/// The natural keys a file added, as packed rows of up to 65,536 keys: writing a
/// million keys is one row of blobs instead of a million B-tree entries, and reading them
/// back copies bytes instead of stepping rows. A
/// tenant's blocks are read whole; once a tenant has more keys than are held in memory they
/// are moved into `idempotency_keys`, which is then looked up key by key.
enum KeyBlocks {

    /// A block holds at most this many keys, or this many bytes of keys (or one longer key).
    static let keysPerBlock = 1 << 16
    static let bytesPerBlock = 4 << 20
    /// A file's keys are written in blocks of this many while its rows are posted: a
    /// smaller block needs less memory beside the file's.
    static let keysPerEarlyBlock = 1 << 14

    /// How many keys the tenant's blocks hold, and how many bytes their keys take stored
    /// (fewer than the keys' own once front-coded: a first guess of the memory they need).
    static func totals(tenant: Int64, in db: any SQLConnection) throws -> (count: Int, bytes: Int) {
        let row = try db.fetchOne(
            sql: "SELECT coalesce(sum(count), 0), coalesce(sum(length(keys)), 0) FROM key_blocks WHERE tenant = ?",
            arguments: [tenant])
        return (try row?[0] ?? 0, try row?[1] ?? 0)
    }

    /// How a block's keys are stored: the first blocks held each key's bytes and where each
    /// ends; blocks are written front-coded now (a third of the bytes for keys that count up).
    enum Format: Int64 {
        case withEnds = 0
        case frontCoded = 1
    }

    /// Writes `entries` of `index`, in that order, each with its digest and outcome (entry
    /// numbers index `digests` and `outcomes`; every entry given has an outcome).
    static func write(
        _ entries: [Int], of index: TextIndex, digests: [Int64], outcomes: [Outcome?], tenant: Int64, run: Int64, in db: any SQLConnection
    ) throws {
        try index.withStorage { arena, ends in
            func key(_ entry: Int) -> Range<Int> { ends.range(of: entry) }
            var first = 0
            while first < entries.count {
                var (last, bytes) = (first + 1, key(entries[first]).count)
                while last < entries.count, last - first < keysPerBlock, bytes + key(entries[last]).count <= bytesPerBlock {
                    bytes += key(entries[last]).count
                    last += 1
                }
                let block = entries[first ..< last]
                // Closures, not key paths: `map(\.littleEndian)` looks up generic metadata for every key.
                let blockDigests = block.map { digests[$0].littleEndian }
                let blockOutcomes = block.compactMap { outcomes[$0]?.storageCode }
                guard blockOutcomes.count == block.count else {
                    throw SQLDecodingError(message: "a natural key was written before its row ended")
                }
                try db.execute(
                    sql: "INSERT INTO key_blocks (tenant, run, count, keys, ends, digests, outcomes, format) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                    arguments: [
                        tenant, run, block.count, FrontCodedKeys.encode(arena, keys: block.lazy.map(key)), [UInt8](),
                        blockDigests.withUnsafeBytes { Array($0) }, blockOutcomes,
                        Format.frontCoded.rawValue,
                    ])
                first = last
            }
        }
    }

    /// The keys of some blocks, in the arrays a `KnownKeys` is built from.
    struct Keys {
        var arena: [UInt8] = []
        var ends = KeyEnds()
        var digests: [Int64] = []
        var outcomes: [Outcome] = []
    }

    private static let columns = "count, keys, ends, digests, outcomes, format"

    /// Appends the tenant's blocks, oldest first, one block in memory at a time.
    static func read(tenant: Int64, in db: any SQLConnection, into keys: inout Keys) throws {
        for block in try db.fetchValues(Int64.self, sql: "SELECT id FROM key_blocks WHERE tenant = ? ORDER BY id", arguments: [tenant]) {
            if let row = try db.fetchOne(sql: "SELECT \(columns) FROM key_blocks WHERE id = ?", arguments: [block]) {
                try append(row, to: &keys)
            }
        }
    }

    /// Moves the tenant's blocks into `idempotency_keys`, each block in key order (a key
    /// already in the table keeps the table's row: it is the newer, as an approval's).
    static func moveIntoTable(tenant: Int64, in db: any SQLConnection) throws {
        let rows = try db.keyRowWriter(tenant: tenant, keepingStored: true)
        for (block, run) in try db.fetchAll(sql: "SELECT id, run FROM key_blocks WHERE tenant = ? ORDER BY id", arguments: [tenant])
            .map({ (try $0[0] as Int64, try $0[1] as Int64) }) {
            var keys = Keys()
            if let row = try db.fetchOne(sql: "SELECT \(columns) FROM key_blocks WHERE id = ?", arguments: [block]) {
                try append(row, to: &keys)
            }
            let index = TextIndex(arena: keys.arena, ends: keys.ends)
            try rows.insert(index.entriesInByteOrder(), of: index, digests: keys.digests, outcomes: keys.outcomes, run: run)
            try db.execute(sql: "DELETE FROM key_blocks WHERE id = ?", arguments: [block])
        }
    }

    private static func append(_ row: SQLRow, to keys: inout Keys) throws {
        let count: Int = try row[0]
        let (bytes, endBytes, digestBytes, outcomeBytes): ([UInt8], [UInt8], [UInt8], [UInt8]) = (try row[1], try row[2], try row[3], try row[4])
        let format: Int64 = try row[5]
        guard digestBytes.count == count * 8, outcomeBytes.count == count else {
            throw SQLDecodingError(message: "a row of key_blocks is damaged: its blobs do not hold \(count) keys")
        }
        switch Format(rawValue: format) {
        case .frontCoded:
            guard FrontCodedKeys.decode(bytes, count: count, into: &keys.arena, ends: &keys.ends) else {
                throw SQLDecodingError(message: "a row of key_blocks is damaged: its keys do not decode to \(count) keys")
            }
        case .withEnds:
            try appendWithEnds(bytes, endBytes: endBytes, count: count, to: &keys)
        case nil:
            throw SQLDecodingError(message: "a row of key_blocks has format \(format), which this stockrecon does not know: use a newer one")
        }
        digestBytes.withUnsafeBytes { raw in
            for entry in 0 ..< count {
                keys.digests.append(Int64(littleEndian: raw.loadUnaligned(fromByteOffset: entry * 8, as: Int64.self)))
            }
        }
        for byte in outcomeBytes {
            guard let outcome = Outcome(storageCode: byte) else {
                throw SQLDecodingError(message: "a row of key_blocks is damaged: it holds outcome \(byte), which no outcome has")
            }
            keys.outcomes.append(outcome)
        }
    }

    /// The first format: the keys' bytes one after another, and where each ends.
    private static func appendWithEnds(_ bytes: [UInt8], endBytes: [UInt8], count: Int, to keys: inout Keys) throws {
        guard endBytes.count == count * 4 else {
            throw SQLDecodingError(message: "a row of key_blocks is damaged: its blobs do not hold \(count) keys")
        }
        let base = keys.arena.count
        keys.arena.append(contentsOf: bytes)
        try endBytes.withUnsafeBytes { raw in
            var previous = 0
            for entry in 0 ..< count {
                let end = Int(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: entry * 4, as: UInt32.self)))
                guard end >= previous, end <= bytes.count else {
                    throw SQLDecodingError(message: "a row of key_blocks is damaged: its key ends are out of order")
                }
                keys.ends.append(base + end)
                previous = end
            }
        }
    }
}

extension Outcome {
    /// The outcome's byte in `key_blocks` (fixed here: the blobs outlive any reordering of cases).
    var storageCode: UInt8 {
        switch self {
        case .posted: return 0
        case .pending: return 1
        case .rejected: return 2
        case .unchanged: return 3
        case .duplicate: return 4
        }
    }

    /// nil for a byte no outcome has: a damaged row, never read as some default.
    init?(storageCode: UInt8) {
        switch storageCode {
        case 0: self = .posted
        case 1: self = .pending
        case 2: self = .rejected
        case 3: self = .unchanged
        case 4: self = .duplicate
        default: return nil
        }
    }
}
