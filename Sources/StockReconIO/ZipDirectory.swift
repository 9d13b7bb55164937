import Foundation
import ZIPFoundation

/// An entry's compressed bytes, located through the archive's central directory, for
/// inflating with a provider that stops where the entry ends: ZIPFoundation's own extraction
/// reads on past the entry, and on a deflate stream that never ends it reads an empty chunk at
/// the end of the file forever (2 KB workbooks from the fuzzer did not finish), so it is
/// never used to extract.
struct ZipEntryBytes {
    let offset: UInt64
    let count: UInt64
    let isDeflated: Bool

    /// The entry named `name` in the archive at `path`, ZIP64 records read where they stand;
    /// nil when the central directory does not say where the entry lies within the file.
    static func locate(_ name: String, in path: String) -> ZipEntryBytes? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let size = try? file.seekToEnd(), size >= 22 else { return nil }
        func bytes(at offset: UInt64, count: UInt64) -> [UInt8]? {
            guard offset <= size, count <= size - offset, (try? file.seek(toOffset: offset)) != nil,
                  let data = try? file.read(upToCount: Int(count)), data.count == Int(count) else { return nil }
            return [UInt8](data)
        }
        // The end of central directory record: in the last 64 KB + 22 bytes.
        let tailStart = size - min(size, 65_557)
        guard let tail = bytes(at: tailStart, count: size - tailStart),
              let record = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail[$0 ..< $0 + 4] == [0x50, 0x4B, 0x05, 0x06] })
        else { return nil }
        var entries = UInt64(le16(tail, record + 10))
        var directorySize = UInt64(le32(tail, record + 12))
        var directoryOffset = UInt64(le32(tail, record + 16))
        if directoryOffset == 0xFFFF_FFFF || entries == 0xFFFF || directorySize == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the ZIP64 end record.
            guard record >= 20, tail[record - 20 ..< record - 16] == [0x50, 0x4B, 0x06, 0x07],
                  let end64 = bytes(at: le64(tail, record - 12), count: 56), end64[0 ..< 4] == [0x50, 0x4B, 0x06, 0x06]
            else { return nil }
            (entries, directorySize, directoryOffset) = (le64(end64, 32), le64(end64, 40), le64(end64, 48))
        }
        guard let directory = bytes(at: directoryOffset, count: directorySize) else { return nil }
        var at = 0
        for _ in 0 ..< min(entries, UInt64(directory.count / 46)) {
            guard at + 46 <= directory.count, directory[at ..< at + 4] == [0x50, 0x4B, 0x01, 0x02] else { return nil }
            let nameLength = Int(le16(directory, at + 28))
            let extraLength = Int(le16(directory, at + 30))
            let commentLength = Int(le16(directory, at + 32))
            guard at + 46 + nameLength + extraLength <= directory.count else { return nil }
            if String(decoding: directory[at + 46 ..< at + 46 + nameLength], as: UTF8.self) == name {
                var compressed = UInt64(le32(directory, at + 20))
                var localHeader = UInt64(le32(directory, at + 42))
                if compressed == 0xFFFF_FFFF || localHeader == 0xFFFF_FFFF {
                    let extra = Array(directory[at + 46 + nameLength ..< at + 46 + nameLength + extraLength])
                    guard let zip64 = zip64Fields(extra, uncompressed: le32(directory, at + 24) == 0xFFFF_FFFF,
                                                  compressed: compressed == 0xFFFF_FFFF, offset: localHeader == 0xFFFF_FFFF)
                    else { return nil }
                    (compressed, localHeader) = (zip64.compressed ?? compressed, zip64.offset ?? localHeader)
                }
                guard let local = bytes(at: localHeader, count: 30), local[0 ..< 4] == [0x50, 0x4B, 0x03, 0x04] else { return nil }
                let offset = localHeader + 30 + UInt64(le16(local, 26)) + UInt64(le16(local, 28))
                guard offset <= size, compressed <= size - offset else { return nil }
                return ZipEntryBytes(offset: offset, count: compressed, isDeflated: le16(directory, at + 10) == 8)
            }
            at += 46 + nameLength + extraLength + commentLength
        }
        return nil
    }

    /// The ZIP64 extra field's sizes and offset, each present only where the entry's own field
    /// is full (0xFFFFFFFF), in the order the format gives.
    private static func zip64Fields(_ extra: [UInt8], uncompressed: Bool, compressed: Bool, offset: Bool) -> (compressed: UInt64?, offset: UInt64?)? {
        var at = 0
        while at + 4 <= extra.count {
            let id = le16(extra, at), length = Int(le16(extra, at + 2))
            guard at + 4 + length <= extra.count else { return nil }
            if id == 0x0001 {
                var field = at + 4
                func next(_ present: Bool) -> UInt64?? {
                    guard present else { return .some(nil) }
                    guard field + 8 <= at + 4 + length else { return nil }
                    defer { field += 8 }
                    return .some(le64(extra, field))
                }
                guard next(uncompressed) != nil, let size = next(compressed), let local = next(offset) else { return nil }
                return (size, local)
            }
            at += 4 + length
        }
        return nil
    }

    /// Inflates (or copies) the entry, chunk by chunk, to `consumer`; a stream that runs past
    /// the entry's bytes, or whose checksum is not `checksum`, throws.
    func read(from path: String, checksum: CRC32, consumer: (Data) throws -> Void) throws {
        guard let file = FileHandle(forReadingAtPath: path) else { throw Truncated() }
        defer { try? file.close() }
        try file.seek(toOffset: offset)
        let chunkSize = 64 << 10
        guard isDeflated else {
            var left = count
            var crc: CRC32 = 0
            while left > 0 {
                guard let chunk = try file.read(upToCount: Int(min(UInt64(chunkSize), left))), !chunk.isEmpty else { throw Truncated() }
                left -= UInt64(chunk.count)
                crc = chunk.crc32(checksum: crc)
                try consumer(chunk)
            }
            guard crc == checksum else { throw Truncated() }
            return
        }
        var read: UInt64 = 0
        let crc = try Data.decompress(size: Int64(count), bufferSize: chunkSize, skipCRC32: false, provider: { _, size in
            guard read < count, let chunk = try file.read(upToCount: Int(min(UInt64(size), count - read))), !chunk.isEmpty else {
                throw Truncated()
            }
            read += UInt64(chunk.count)
            return chunk
        }, consumer: consumer)
        guard crc == checksum else { throw Truncated() }
    }

    struct Truncated: Error {}

    private static func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    private static func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16 }
    private static func le64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(le32(bytes, at)) | UInt64(le32(bytes, at + 4)) << 32 }
}
