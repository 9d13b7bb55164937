import StockReconCore

/// Keys stored as each one's difference from the key before: how many leading bytes it
/// shares with it and how many follow (both LEB128 varints), then the bytes that follow.
/// Natural keys of one file mostly count up (`li-1041`, `li-1042`), so that a key of nine
/// bytes and its 4-byte end take three bytes instead of thirteen.
enum FrontCodedKeys {
    /// The keys at `ranges` of `arena`, in that order.
    static func encode(_ arena: UnsafeBufferPointer<UInt8>, keys ranges: some Collection<Range<Int>>) -> [UInt8] {
        var coded: [UInt8] = []
        coded.reserveCapacity(ranges.reduce(2 * ranges.count) { $0 + $1.count })
        var previous = 0 ..< 0
        for key in ranges {
            var shared = 0
            let most = min(previous.count, key.count)
            while shared < most, arena[previous.lowerBound + shared] == arena[key.lowerBound + shared] { shared += 1 }
            appendVarint(shared, to: &coded)
            appendVarint(key.count - shared, to: &coded)
            coded.append(contentsOf: UnsafeBufferPointer(rebasing: arena[key.lowerBound + shared ..< key.upperBound]))
            previous = key
        }
        return coded
    }

    /// Appends `count` keys decoded from `coded` to `arena`, and where each ends to `ends`;
    /// false when the bytes do not hold `count` such keys exactly.
    static func decode(_ coded: [UInt8], count: Int, into arena: inout [UInt8], ends: inout KeyEnds) -> Bool {
        var position = 0
        var previous = arena.count ..< arena.count
        for _ in 0 ..< count {
            guard let shared = varint(coded, at: &position), shared <= previous.count,
                  let rest = varint(coded, at: &position), rest <= coded.count - position else { return false }
            let start = arena.count
            // Byte by byte: appending a slice of `arena` to itself would copy all of it.
            for offset in 0 ..< shared { arena.append(arena[previous.lowerBound + offset]) }
            arena.append(contentsOf: coded[position ..< position + rest])
            position += rest
            previous = start ..< arena.count
            ends.append(arena.count)
        }
        return position == coded.count
    }

    private static func appendVarint(_ value: Int, to bytes: inout [UInt8]) {
        var value = UInt(value)
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    /// The varint at `position`, moving past it; nil past the end or beyond 32 bits.
    private static func varint(_ bytes: [UInt8], at position: inout Int) -> Int? {
        var value = 0
        var shift = 0
        while position < bytes.count, shift <= 28 {
            let byte = bytes[position]
            position += 1
            value |= Int(byte & 0x7f) << shift
            if byte < 0x80 { return value }
            shift += 7
        }
        return nil
    }
}
