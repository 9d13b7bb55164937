/// Hashing eight bytes at a time: each word multiplied in and folded, the last few bytes
/// read as one word (not for hostile input). Every step is a bijection of the state for
/// given bytes, so inputs that differ in one word never collide.
@usableFromInline enum WordHash {
    @usableFromInline static let wordPrime: UInt64 = 0xFF51_AFD7_ED55_8CCD
    @usableFromInline static let tailPrime: UInt64 = 0xC4CE_B9FE_1A85_EC53

    /// `bytes` folded into `hash`: each whole word, then the last bytes with the count in
    /// the top byte (so that fields laid end to end cannot be cut another way), read
    /// little-endian whatever the machine, since digests are stored.
    @inlinable @inline(__always)
    static func mixing(_ bytes: UnsafeBufferPointer<UInt8>, into hash: UInt64) -> UInt64 {
        let raw = UnsafeRawBufferPointer(bytes)
        var hash = hash
        var index = 0
        while index + 8 <= raw.count {
            hash = (hash ^ UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt64.self))) &* wordPrime
            hash ^= hash >> 32
            index += 8
        }
        hash = (hash ^ tail(raw, from: index) ^ UInt64(truncatingIfNeeded: raw.count) << 56) &* tailPrime
        return hash ^ (hash >> 29)
    }

    /// A word of codes (not text) folded into `hash`.
    @inlinable @inline(__always)
    static func mixing(word: UInt64, into hash: UInt64) -> UInt64 {
        let mixed = (hash ^ word) &* wordPrime
        return mixed ^ (mixed >> 32)
    }

    /// An absent field folded into `hash`: unlike any bytes, even none (whose last word is 0).
    @inlinable @inline(__always)
    static func mixingAbsent(into hash: UInt64) -> UInt64 {
        let mixed = (hash ^ 0x00FF_FFFF_FFFF_FFFF) &* tailPrime
        return mixed ^ (mixed >> 29)
    }

    /// The bytes from `index` to the end (fewer than eight) as one little-endian word.
    @inlinable @inline(__always)
    static func tail(_ raw: UnsafeRawBufferPointer, from index: Int) -> UInt64 {
        let left = raw.count - index
        guard left > 0 else { return 0 }
        if raw.count >= 8 {  // the last eight bytes, shifted past those already read
            let last = UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self))
            return last >> UInt64(8 * (8 - left))
        }
        if left >= 4 {  // two four-byte words, overlapping where fewer than eight are left
            let low = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: index, as: UInt32.self)))
            let high = UInt64(UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: raw.count - 4, as: UInt32.self)))
            return low | high << UInt64(8 * (left - 4))
        }
        let (first, middle, last) = (raw[index], raw[index + left / 2], raw[raw.count - 1])
        return UInt64(first) | UInt64(middle) << UInt64(8 * (left / 2)) | UInt64(last) << UInt64(8 * (left - 1))
    }
}
