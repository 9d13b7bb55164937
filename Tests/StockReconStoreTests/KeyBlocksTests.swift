import Foundation
import Testing
import StockReconBackends
@testable import StockReconStore
import StockReconCore
import TestSupport

struct KeyBlocksTests {
    let folder = TemporaryDirectory(prefix: "stockrecon-store")
    /// Keys that share prefixes, one that is a prefix of the key before, an empty one, and
    /// one long enough that its length takes two varint bytes.
    static let keys = ["li-1041", "li-1042", "li-10420", "li-1042", "", "x", String(repeating: "é", count: 200), "li-1043"]

    @Test func frontCodedKeysDecodeToTheSameKeys() throws {
        let (coded, ends) = Self.encoded(Self.keys)
        var arena: [UInt8] = Array("before".utf8)
        var decodedEnds = KeyEnds()
        decodedEnds.append(6)
        #expect(FrontCodedKeys.decode(coded, count: Self.keys.count, into: &arena, ends: &decodedEnds))
        #expect(decodedEnds.count == Self.keys.count + 1)
        let decoded = (1 ..< decodedEnds.count).map { String(decoding: arena[decodedEnds.range(of: $0)], as: UTF8.self) }
        #expect(decoded == Self.keys)
        #expect(coded.count < ends.last ?? 0)  // smaller than the keys' own bytes, ends aside
        #expect(coded.starts(with: [0, 7] + Array("li-1041".utf8) + [6, 1] + Array("2".utf8)))
    }

    @Test func damagedFrontCodedKeysAreRefused() {
        let (coded, _) = Self.encoded(Self.keys)
        func decodes(_ bytes: [UInt8], count: Int = Self.keys.count) -> Bool {
            var (arena, ends): ([UInt8], KeyEnds) = ([], KeyEnds())
            return FrontCodedKeys.decode(bytes, count: count, into: &arena, ends: &ends)
        }
        #expect(decodes(coded))
        #expect(!decodes(Array(coded.dropLast())))  // a key cut short
        #expect(!decodes(coded + [0]))  // bytes beyond the last key
        #expect(!decodes(coded, count: Self.keys.count + 1))
        #expect(!decodes([3, 0]))  // shares three bytes with no key before it
        #expect(!decodes([0, 0x80, 0x80, 0x80, 0x80, 0x80, 1]))  // a length past 32 bits
    }

    /// Blocks written before front coding (format 0: bytes and ends) are still read.
    @Test func readsBlocksOfTheFirstFormat() throws {
        let store = try temporaryStore(in: folder)
        let keys = ["a-1", "a-2", "b"]
        let ends = [3, 6, 7].flatMap { withUnsafeBytes(of: UInt32($0).littleEndian, Array.init) }
        let digests = [11, 12, 13].flatMap { withUnsafeBytes(of: Int64($0).littleEndian, Array.init) }
        try store.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')")
            try db.execute(
                sql: "INSERT INTO key_blocks (tenant, run, count, keys, ends, digests, outcomes) VALUES (1, 1, 3, ?, ?, ?, ?)",
                arguments: [Array(keys.joined().utf8), ends, digests, [UInt8]([0, 1, 3])])
            var book = try KeyBook(db, tenant: 1, run: 2)
            for (index, key) in ["new-1", "new-2"].enumerated() {
                book.record(try claim(&book, key), digest: Int64(20 + index), outcome: .posted)
            }
            try book.flush(in: db)
            #expect(try db.fetchValues(Int64.self, sql: "SELECT format FROM key_blocks ORDER BY id") == [0, 1])
        }
        try store.read { db in
            let known = try #require(try KnownKeys.load(db, tenant: 1))
            #expect(known.count == 5)
            #expect(lookUp(known, "a-2") == EarlierKey(contentDigest: 12, outcome: .pending))
            #expect(lookUp(known, "b") == EarlierKey(contentDigest: 13, outcome: .unchanged))
            #expect(lookUp(known, "new-2") == EarlierKey(contentDigest: 21, outcome: .posted))
            #expect(lookUp(known, "a") == nil)
        }
    }

    @Test func aBlockOfAnUnknownFormatIsAnError() throws {
        let store = try temporaryStore(in: folder)
        try store.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')")
            try db.execute(sql: "INSERT INTO key_blocks (tenant, run, count, keys, ends, digests, outcomes, format) VALUES (1, 1, 0, x'', x'', x'', x'', 9)")
        }
        #expect(throws: SQLDecodingError.self) { try store.read { db in try KnownKeys.load(db, tenant: 1) } }
    }

    /// An outcome no case has is a damaged row, never read as posted (it once was).
    @Test func anUnknownStoredOutcomeIsAnErrorNotADefault() throws {
        let blocks = try temporaryStore(in: folder)
        try blocks.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')")
            try db.execute(
                sql: "INSERT INTO key_blocks (tenant, run, count, keys, ends, digests, outcomes) VALUES (1, 1, 1, ?, ?, ?, ?)",
                arguments: [Array("a".utf8), withUnsafeBytes(of: UInt32(1).littleEndian, Array.init), [UInt8](repeating: 0, count: 8), [UInt8]([9])])
        }
        #expect(throws: SQLDecodingError.self) { try blocks.read { db in try KnownKeys.load(db, tenant: 1) } }
        let table = try temporaryStore(in: folder)
        try table.write("seeding") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')")
            try db.execute(sql: "INSERT INTO idempotency_keys (tenant, key, content_digest, outcome, run) VALUES (1, 'a', 7, 'misplaced', 1)")
        }
        #expect(throws: SQLDecodingError.self) { try table.read { db in try KnownKeys.load(db, tenant: 1) } }
    }

    /// A file's keys are written a block at a time between batches; a key refused when its
    /// block was written is written at the end if a later row with it ended, else forgotten.
    @Test func writesBlocksAsRowsEndAndKeysRefusedBeforeLater() throws {
        let store = try temporaryStore(in: folder)
        try store.write("posting") { db in
            try db.execute(sql: "INSERT INTO tenants (id, tenant_id) VALUES (1, 't1')")
            var book = try KeyBook(db, tenant: 1, run: 1, keysPerEarlyBlock: 3)
            func end(_ key: String, _ digest: Int64, _ outcome: Outcome?) throws {
                let claim = try claim(&book, key)
                if let outcome { book.record(claim, digest: digest, outcome: outcome) }
            }
            try end("a", 1, .posted)
            try end("b", 2, nil)  // refused
            try book.writeEndedBlock(in: db)  // two keys: not yet a block
            try end("c", 3, .pending)
            try end("d", 4, nil)  // refused for good
            try book.writeEndedBlock(in: db)
            #expect(try db.fetchValue(Int.self, sql: "SELECT count(*) FROM key_blocks") == 1)
            try end("b", 5, .unchanged)  // b again, judged afresh: it ends this time
            try end("e", 6, .posted)
            try book.flush(in: db)
            #expect(try db.fetchValues(Int.self, sql: "SELECT count FROM key_blocks ORDER BY id") == [2, 1, 1])
            #expect(try db.fetchValues(String.self, sql: "SELECT key FROM idempotency_keys") == ["c"])
        }
        try store.read { db in
            let known = try #require(try KnownKeys.load(db, tenant: 1))
            #expect(known.count == 4)
            #expect(lookUp(known, "a") == EarlierKey(contentDigest: 1, outcome: .posted))
            #expect(lookUp(known, "b") == EarlierKey(contentDigest: 5, outcome: .unchanged))
            #expect(lookUp(known, "c") == EarlierKey(contentDigest: 3, outcome: .pending))
            #expect(lookUp(known, "d") == nil)
            #expect(lookUp(known, "e") == EarlierKey(contentDigest: 6, outcome: .posted))
        }
    }

    private static func encoded(_ keys: [String]) -> (coded: [UInt8], ends: [Int]) {
        let arena = keys.flatMap { Array($0.utf8) }
        var ends: [Int] = []
        for key in keys { ends.append((ends.last ?? 0) + key.utf8.count) }
        let ranges = zip([0] + ends, ends).map { $0 ..< $1 }
        let coded = arena.withUnsafeBufferPointer { FrontCodedKeys.encode($0, keys: ranges) }
        return (coded, ends)
    }
}
