import Foundation
import ZIPFoundation

/// An entry's compressed bytes, located through the archive's central directory, for
/// inflating with a provider that stops where the entry ends: ZIPFoundation's own extraction
/// reads on past the entry, and on a deflate stream that never ends it reads an empty chunk at
/// the end of the file forever (a 2 KB workbook from the fuzzer did not finish).
struct ZipEntryBytes {
    let offset: UInt64
    let count: UInt64
    let isDeflated: Bool

    /// The entry named `name` in the archive at `path`; nil when the central directory does
    /// not say (a ZIP64 archive, or none that reads), and ZIPFoundation is left to it.
    static func locate(_ name: String, in path: String) -> ZipEntryBytes? {
        guard let file = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? file.close() }
        guard let size = try? file.seekToEnd(), size >= 22 else { return nil }
        // The end of central directory record: in the last 64 KB + 22 bytes.
        let tail = min(size, 65_557)
        guard (try? file.seek(toOffset: size - tail)) != nil, let end = try? file.read(upToCount: Int(tail)) else { return nil }
        let bytes = [UInt8](end)
        guard let record = stride(from: bytes.count - 22, through: 0, by: -1).first(where: { bytes[$0 ..< $0 + 4] == [0x50, 0x4B, 0x05, 0x06] })
        else { return nil }
        let entries = Int(le16(bytes, record + 10))
        let directorySize = UInt64(le32(bytes, record + 12))
        let directoryOffset = UInt64(le32(bytes, record + 16))
        guard directoryOffset != 0xFFFF_FFFF, directoryOffset + directorySize <= size,
              (try? file.seek(toOffset: directoryOffset)) != nil, let directoryData = try? file.read(upToCount: Int(directorySize))
        else { return nil }
        let directory = [UInt8](directoryData)
        var at = 0
        for _ in 0 ..< entries {
            guard at + 46 <= directory.count, directory[at ..< at + 4] == [0x50, 0x4B, 0x01, 0x02] else { return nil }
            let method = le16(directory, at + 10)
            let compressed = UInt64(le32(directory, at + 20))
            let nameLength = Int(le16(directory, at + 28))
            let extraLength = Int(le16(directory, at + 30))
            let commentLength = Int(le16(directory, at + 32))
            let localHeader = UInt64(le32(directory, at + 42))
            guard at + 46 + nameLength <= directory.count else { return nil }
            let entryName = String(decoding: directory[at + 46 ..< at + 46 + nameLength], as: UTF8.self)
            if entryName == name {
                guard compressed != 0xFFFF_FFFF, localHeader != 0xFFFF_FFFF, localHeader + 30 <= size,
                      (try? file.seek(toOffset: localHeader)) != nil, let header = try? file.read(upToCount: 30), header.count == 30
                else { return nil }
                let local = [UInt8](header)
                guard local[0 ..< 4] == [0x50, 0x4B, 0x03, 0x04] else { return nil }
                let offset = localHeader + 30 + UInt64(le16(local, 26)) + UInt64(le16(local, 28))
                guard offset + compressed <= size else { return nil }
                return ZipEntryBytes(offset: offset, count: compressed, isDeflated: method == 8)
            }
            at += 46 + nameLength + extraLength + commentLength
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
}
