#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A map from text ids to small integers, for the catalog lookups every row makes: open
/// addressing with a multiply-mix hash over the UTF-8 bytes, keys kept in one byte arena.
/// Several times cheaper than `Dictionary<String, Int>` with its SipHash on ids such as
/// UUIDs (measured: the variant lookup was a seventh of the checking thread's time), and
/// looked up by bytes, so that a row's id needs no string.
public struct TextIndex: Sendable {
    private var arena: [UInt8] = []
    private var starts: [Int] = []
    private var lengths: [Int] = []
    private var values: [Int] = []
    private var hashes: [UInt64] = []
    /// Slots hold an index into the entries plus one; zero is empty.
    private var slots: [Int32] = Array(repeating: 0, count: 16)

    public init() {}

    public var count: Int { values.count }

    public subscript(key: String) -> Int? {
        get { value(for: key) }
        set {
            guard let newValue else { return }  // entries are never removed
            key.withBytes { bytes in
                if let entry = entry(for: bytes) {
                    values[entry] = newValue
                } else {
                    insert(bytes, value: newValue)
                }
            }
        }
    }

    /// The value of a key given as any input text (a string, or bytes lent by a reader).
    public func value(for key: some InputText) -> Int? {
        key.withBytes { bytes in entry(for: bytes).map { values[$0] } }
    }

    private func entry(for bytes: UnsafeBufferPointer<UInt8>) -> Int? {
        let hash = Self.hash(bytes)
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hash) & mask
        return arena.withUnsafeBufferPointer { arena in
            while true {
                let entry = Int(slots[slot]) - 1
                if entry < 0 { return nil }
                if hashes[entry] == hash, lengths[entry] == bytes.count, Self.equal(arena, at: starts[entry], bytes) {
                    return entry
                }
                slot = (slot + 1) & mask
            }
        }
    }

    private static func equal(_ arena: UnsafeBufferPointer<UInt8>, at start: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count > 0 else { return true }
        guard let stored = arena.baseAddress, let key = bytes.baseAddress else { return false }
        return memcmp(stored + start, key, bytes.count) == 0
    }

    private mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, value: Int) {
        starts.append(arena.count)
        lengths.append(bytes.count)
        arena.append(contentsOf: bytes)
        values.append(value)
        hashes.append(Self.hash(bytes))
        if values.count * 2 > slots.count {
            rehash(capacity: slots.count * 2)
        } else {
            place(values.count - 1)
        }
    }

    private mutating func place(_ entry: Int) {
        let mask = slots.count - 1
        var slot = Int(truncatingIfNeeded: hashes[entry]) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = Int32(entry + 1)
    }

    private mutating func rehash(capacity: Int) {
        slots = Array(repeating: 0, count: capacity)
        for entry in values.indices { place(entry) }
    }

    /// Eight bytes at a time, multiplied and folded (not for hostile input: the keys are
    /// the tenant's own catalog).
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
        var index = 0
        while index + 8 <= raw.count {
            hash = (hash ^ raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)) &* 0xFF51_AFD7_ED55_8CCD
            hash ^= hash >> 32
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < raw.count {
            tail |= UInt64(raw[index]) << shift
            shift += 8
            index += 1
        }
        hash = (hash ^ tail) &* 0xC4CE_B9FE_1A85_EC53
        return hash ^ (hash >> 29)
    }
}
