#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A map from text ids to small integers, for the catalog lookups every row makes: open
/// addressing with a multiply-mix hash over the UTF-8 bytes, keys kept in one byte arena.
/// Several times cheaper than `Dictionary<String, Int>` with its SipHash on ids such as
/// UUIDs, and looked up by bytes, so that a row's id needs no string.
public struct TextIndex: Sendable {
    private var arena: [UInt8] = []
    /// Where each entry's key ends in the arena; it starts where the one before ends (keys
    /// are appended in entry order), so one array of offsets serves both.
    private var ends = KeyEnds()
    /// Each entry's value; nil while every value is its entry's number (as for keys indexed
    /// in the order they are stored), which saves 8 bytes a key.
    private var values: [Int]?
    /// A slot holds an entry's number plus one in its low bits, as many as the table's size
    /// takes (zero: empty), and bits of the entry's hash above them, so that a probe seldom
    /// reads the arena before the hashes agree (one cache miss per lookup in a table of a
    /// million keys). Four bytes a slot: a million keys held twice (a tenant's and a file's)
    /// took 34 MB of slots at eight. A key's first slot comes from the hash's top half.
    private var slots: [UInt32] = Array(repeating: 0, count: 16)

    public init() {}

    /// Room for `count` entries without growing (when the count is known, as in a scan).
    public init(capacity count: Int, bytes: Int) {
        arena.reserveCapacity(bytes)
        ends.reserveCapacity(count)
        slots = HugePageArray.filled(UInt32(0), count: Self.slotCount(for: count))
    }

    /// An index of distinct stored keys, each key's value its entry number: `arena` holds
    /// the keys one after another and `ends` where each ends.
    public init(arena: [UInt8], ends: KeyEnds) {
        self.arena = arena
        self.ends = ends
        slots = Self.slots(count: Self.slotCount(for: ends.count), arena: arena, ends: ends)
    }

    /// Slots for `count` entries: a power of two, at most half full. (`VariantIndexFile`'s
    /// tables as well.)
    static func slotCount(for count: Int) -> Int {
        var size = 16
        while size < count * 2 { size *= 2 }
        return size
    }

    public var count: Int { ends.count }

    /// Lends the keys as stored: all bytes one after another, and where each key ends.
    public func withStorage<Result>(_ body: (UnsafeBufferPointer<UInt8>, KeyEnds) throws -> Result) rethrows -> Result {
        try arena.withUnsafeBufferPointer { arena in try body(arena, ends) }
    }

    public subscript(key: String) -> Int? {
        get { value(for: key) }
        set {
            guard let newValue else { return }  // entries are never removed
            _ = key.withBytes { bytes in set(bytes, to: newValue) }
        }
    }

    /// Sets `key`'s value, adding the key when it is new; its entry.
    public mutating func setting(_ key: String, to value: Int) -> Int {
        key.withBytes { bytes in set(bytes, to: value) }
    }

    /// Entry `entry`'s key, as a string.
    public func key(ofEntry entry: Int) -> String { withKey(ofEntry: entry) { String(decoding: $0, as: UTF8.self) } }

    private mutating func set(_ bytes: UnsafeBufferPointer<UInt8>, to value: Int) -> Int {
        if let entry = entry(for: bytes) {
            storeValue(value, of: entry)
            return entry
        }
        return insert(bytes, value: value)
    }

    /// The value of a key given as any input text (a string, or bytes lent by a reader).
    public func value(for key: some InputText) -> Int? {
        key.withBytes { bytes in entry(for: bytes).map(value(of:)) }
    }

    /// The value of a key lent by a reader (a concrete overload: callers in other modules
    /// get this module's specialized lookup instead of a generic one).
    public func value(for key: BorrowedText) -> Int? { entry(for: key.bytes).map(value(of:)) }

    /// Asks for the slot a lookup of a key with this `hash` probes first, without waiting:
    /// a table of a million keys outgrows the cache, and a lookup a few rows later then
    /// finds its slot there.
    public func prefetch(hash: UInt64) {
        slots.withUnsafeBufferPointer { slots in
            if let base = slots.baseAddress { prefetchCacheLine(base + (Self.home(hash) & (slots.count - 1))) }
        }
    }

    /// The value of a key whose `hash` was computed already (on another thread).
    public func value(for key: BorrowedText, hash: UInt64) -> Int? { entry(for: key.bytes, hash: hash).map(value(of:)) }

    /// Adds a key known not to be in the index yet, with its hash computed already.
    public mutating func append(unique key: BorrowedText, value: Int, hash: UInt64) { _ = insert(key.bytes, value: value, hash: hash) }

    /// Adds a key known not to be in the index yet (the rows of a unique column).
    public mutating func append(unique key: BorrowedText, value: Int) { _ = insert(key.bytes, value: value) }

    /// Lends the bytes of entry `entry`'s key.
    public func withKey<Result>(ofEntry entry: Int, _ body: (UnsafeBufferPointer<UInt8>) throws -> Result) rethrows -> Result {
        try arena.withUnsafeBufferPointer { arena in
            try body(UnsafeBufferPointer(rebasing: arena[ends.range(of: entry)]))
        }
    }

    /// The entries in the order of their keys' bytes (SQLite's BINARY collation), for
    /// writing keys to a B-tree page by page. Each entry is sorted packed in one word, the
    /// key's first bytes above and its number below, so that the sort moves 8 bytes an
    /// entry and compares whole keys only where those first bytes tie.
    public func entriesInByteOrder() -> [Int] {
        let entryBits = UInt64(max(1, Int.bitWidth - (ends.count - 1).leadingZeroBitCount))
        let entryMask: UInt64 = (1 << entryBits) - 1
        var order = [UInt64](repeating: 0, count: ends.count)
        for entry in 0 ..< ends.count {
            let prefix = withKey(ofEntry: entry) { bytes in
                var value: UInt64 = 0
                for index in 0 ..< 8 { value = value << 8 | UInt64(index < bytes.count ? bytes[index] : 0) }
                return value
            }
            order[entry] = prefix & ~entryMask | UInt64(entry)
        }
        order.sort { left, right in
            let (leftPrefix, rightPrefix) = (left & ~entryMask, right & ~entryMask)
            if leftPrefix != rightPrefix { return leftPrefix < rightPrefix }
            return withKey(ofEntry: Int(left & entryMask)) { a in
                withKey(ofEntry: Int(right & entryMask)) { b in a.lexicographicallyPrecedes(b) }
            }
        }
        return order.map { Int($0 & entryMask) }
    }

    private static let entryMask: UInt64 = 0xFFFF_FFFF

    private func entry(for bytes: UnsafeBufferPointer<UInt8>) -> Int? { entry(for: bytes, hash: Self.hash(bytes)) }

    private func entry(for bytes: UnsafeBufferPointer<UInt8>, hash: UInt64) -> Int? {
        let mask = slots.count - 1
        let entryMask = Self.entryMask(slotCount: slots.count)
        let tag = Self.tag(hash) & ~entryMask
        var slot = Self.home(hash) & mask
        return slots.withUnsafeBufferPointer { slots in
            arena.withUnsafeBufferPointer { arena in
                while true {
                    let content = slots[slot]
                    if content == 0 { return nil }
                    if content & ~entryMask == tag {
                        let entry = Int(content & entryMask) - 1
                        let key = ends.range(of: entry)
                        if key.count == bytes.count, Self.equal(arena, at: key.lowerBound, bytes) { return entry }
                    }
                    slot = (slot + 1) & mask
                }
            }
        }
    }


    private static func equal(_ arena: UnsafeBufferPointer<UInt8>, at start: Int, _ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
        guard bytes.count > 0 else { return true }
        guard let stored = arena.baseAddress, let key = bytes.baseAddress else { return false }
        return memcmp(stored + start, key, bytes.count) == 0
    }

    private mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, value: Int) -> Int {
        insert(bytes, value: value, hash: Self.hash(bytes))
    }

    private mutating func insert(_ bytes: UnsafeBufferPointer<UInt8>, value: Int, hash: UInt64) -> Int {
        let entry = ends.count
        arena.append(contentsOf: bytes)
        ends.append(arena.count)
        if values != nil || value != entry { storeValue(value, of: entry) }
        if ends.count * 2 > slots.count { rehash(capacity: slots.count * 2) }
        place(entry, hash: hash)
        return entry
    }

    private func value(of entry: Int) -> Int { values?[entry] ?? entry }

    /// Sets an entry's value (the entry exists, or is the next one): the values are stored
    /// from the first that is not its entry's number.
    private mutating func storeValue(_ value: Int, of entry: Int) {
        if values == nil {
            guard value != entry else { return }
            values = Array(0 ..< ends.count)
        }
        if entry < values?.count ?? 0 { values?[entry] = value } else { values?.append(value) }
    }

    private mutating func place(_ entry: Int, hash: UInt64) {
        slots.withUnsafeMutableBufferPointer { Self.place(entry, hash: hash, in: $0) }
    }

    /// Puts an entry in the first free slot from its key's home.
    private static func place(_ entry: Int, hash: UInt64, in slots: UnsafeMutableBufferPointer<UInt32>) {
        let mask = slots.count - 1
        var slot = home(hash) & mask
        while slots[slot] != 0 { slot = (slot + 1) & mask }
        slots[slot] = tag(hash) & ~entryMask(slotCount: slots.count) | UInt32(truncatingIfNeeded: entry + 1)
    }

    /// A table of `count` slots holding every entry of the arena.
    private static func slots(count: Int, arena: [UInt8], ends: KeyEnds) -> [UInt32] {
        var slots = HugePageArray.filled(UInt32(0), count: count)
        arena.withUnsafeBufferPointer { arena in
            slots.withUnsafeMutableBufferPointer { slots in
                var start = 0
                for entry in 0 ..< ends.count {
                    let end = ends[entry]
                    place(entry, hash: hash(UnsafeBufferPointer(rebasing: arena[start ..< end])), in: slots)
                    start = end
                }
            }
        }
        return slots
    }

    /// The bits of a slot that hold its entry (plus one) in a table of `slotCount` slots, at
    /// most half full: as many as the table's size takes. The rest hold `tag`'s.
    @inline(__always)
    private static func entryMask(slotCount: Int) -> UInt32 {
        UInt32(truncatingIfNeeded: (UInt64(1) << UInt64(slotCount.trailingZeroBitCount)) - 1)
    }

    /// The hash's bits a slot keeps: its lower half, which its home does not use.
    @inline(__always)
    private static func tag(_ hash: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: hash) }

    /// Where a key with this hash (or a slot holding its top half) is looked for first.
    @inline(__always)
    static func home(_ hash: UInt64) -> Int { Int(truncatingIfNeeded: hash >> 32) }

    /// A slot of `VariantIndexFile`'s for an entry whose key has this hash (never zero, which
    /// is empty): its format changes with this.
    @inline(__always)
    static func slot(entry: Int, hash: UInt64) -> UInt64 { (hash & ~entryMask) | UInt64(entry + 1) }

    /// The entry a slot of `VariantIndexFile`'s holds when its key's hash has this top half, else nil.
    @inline(__always)
    static func entry(inSlot content: UInt64, hash: UInt64) -> Int? {
        content & ~entryMask == hash & ~entryMask ? Int(content & entryMask) - 1 : nil
    }

    /// The keys are hashed again: a slot holds too few of a hash's bits to place it.
    private mutating func rehash(capacity: Int) {
        slots = []
        slots = Self.slots(count: capacity, arena: arena, ends: ends)
    }

    /// `WordHash`: eight bytes at a time (not for hostile input: the keys are the tenant's
    /// own catalog and files).
    public static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        WordHash.mixing(bytes, into: 0x9E37_79B9_7F4A_7C15)
    }
}
