/// A map from text ids to small integers, for the catalog lookups every row makes: open
/// addressing with a multiply-mix hash over the UTF-8 bytes, several times cheaper than
/// the SipHash of Swift's `Dictionary` on ids such as UUIDs (measured: the variant lookup
/// was a seventh of the checking thread's time).
public struct TextIndex: Sendable {
    private var keys: [String] = []
    private var values: [Int] = []
    private var hashes: [UInt64] = []
    /// Slots hold an index into `keys` plus one; zero is empty.
    private var slots: [Int32] = Array(repeating: 0, count: 16)

    public init() {}

    public var count: Int { keys.count }

    public subscript(key: String) -> Int? {
        get {
            let hash = Self.hash(key)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while true {
                let entry = Int(slots[slot])
                if entry == 0 { return nil }
                if hashes[entry - 1] == hash, keys[entry - 1] == key { return values[entry - 1] }
                slot = (slot + 1) & mask
            }
        }
        set {
            guard let newValue else { return }  // entries are never removed
            let hash = Self.hash(key)
            let mask = slots.count - 1
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 {
                let entry = Int(slots[slot]) - 1
                if hashes[entry] == hash, keys[entry] == key {
                    values[entry] = newValue
                    return
                }
                slot = (slot + 1) & mask
            }
            keys.append(key)
            values.append(newValue)
            hashes.append(hash)
            slots[slot] = Int32(keys.count)
            if keys.count * 2 > slots.count { rehash() }
        }
    }

    private mutating func rehash() {
        slots = Array(repeating: 0, count: slots.count * 2)
        let mask = slots.count - 1
        for (entry, hash) in hashes.enumerated() {
            var slot = Int(truncatingIfNeeded: hash) & mask
            while slots[slot] != 0 { slot = (slot + 1) & mask }
            slots[slot] = Int32(entry + 1)
        }
    }

    /// Eight bytes at a time, multiplied and folded (not for hostile input: the keys are
    /// the tenant's own catalog).
    static func hash(_ key: String) -> UInt64 {
        var key = key
        return key.withUTF8 { bytes in
            var hash: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(bytes.count)
            var index = 0
            let raw = UnsafeRawBufferPointer(bytes)
            while index + 8 <= raw.count {
                let word = raw.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                hash = (hash ^ word) &* 0xFF51_AFD7_ED55_8CCD
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
}
