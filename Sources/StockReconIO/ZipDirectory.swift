import Foundation
import ZIPFoundation

/// A zip archive's central directory, read from its own bytes with every size and offset
/// checked against the file, for reading a workbook: ZIPFoundation's `Archive` trapped on a
/// malformed directory (an unchecked integer conversion) and its extraction read an empty
/// chunk at the end of the file forever, both on 2 KB files from the fuzzer. ZIPFoundation is
/// left only its inflate, driven by a provider that stops where the entry ends.
struct ZipDirectory {
    /// The entries by name; of two with one name, the first.
    let entries: [String: ZipEntry]

    /// The directory of the archive at `path`, ZIP64 records read where they stand; nil when
    /// the file is not a zip archive or its directory does not read.
    static func read(_ path: String) -> ZipDirectory? {
        guard let file = ZipFile(path) else { return nil }
        // The end of central directory record: in the last 64 KB + 22 bytes.
        let tailStart = file.size - min(file.size, 65_557)
        guard file.size >= 22, let tail = file.bytes(at: tailStart, count: file.size - tailStart),
              let record = stride(from: tail.count - 22, through: 0, by: -1).first(where: { tail[$0 ..< $0 + 4] == [0x50, 0x4B, 0x05, 0x06] })
        else { return nil }
        var count = UInt64(le16(tail, record + 10))
        var directorySize = UInt64(le32(tail, record + 12))
        var directoryOffset = UInt64(le32(tail, record + 16))
        if directoryOffset == 0xFFFF_FFFF || count == 0xFFFF || directorySize == 0xFFFF_FFFF {
            // ZIP64: a locator just before the record points at the ZIP64 end record.
            guard record >= 20, tail[record - 20 ..< record - 16] == [0x50, 0x4B, 0x06, 0x07],
                  let end64 = file.bytes(at: le64(tail, record - 12), count: 56), end64[0 ..< 4] == [0x50, 0x4B, 0x06, 0x06]
            else { return nil }
            (count, directorySize, directoryOffset) = (le64(end64, 32), le64(end64, 40), le64(end64, 48))
        }
        guard let directory = file.bytes(at: directoryOffset, count: directorySize), count <= UInt64(directory.count / 46) else { return nil }
        var entries: [String: ZipEntry] = [:]
        var at = 0
        for _ in 0 ..< count {
            guard at + 46 <= directory.count, directory[at ..< at + 4] == [0x50, 0x4B, 0x01, 0x02] else { return nil }
            let nameLength = Int(le16(directory, at + 28))
            let extraLength = Int(le16(directory, at + 30))
            let commentLength = Int(le16(directory, at + 32))
            guard at + 46 + nameLength + extraLength + commentLength <= directory.count else { return nil }
            var compressed = UInt64(le32(directory, at + 20))
            var localHeader = UInt64(le32(directory, at + 42))
            if compressed == 0xFFFF_FFFF || localHeader == 0xFFFF_FFFF {
                let extra = Array(directory[at + 46 + nameLength ..< at + 46 + nameLength + extraLength])
                guard let zip64 = zip64Fields(extra, uncompressed: le32(directory, at + 24) == 0xFFFF_FFFF,
                                              compressed: compressed == 0xFFFF_FFFF, offset: localHeader == 0xFFFF_FFFF)
                else { return nil }
                (compressed, localHeader) = (zip64.compressed ?? compressed, zip64.offset ?? localHeader)
            }
            let name = String(decoding: directory[at + 46 ..< at + 46 + nameLength], as: UTF8.self)
            if entries[name] == nil {
                entries[name] = ZipEntry(localHeader: localHeader, compressedSize: compressed,
                                         isDeflated: le16(directory, at + 10) == 8, checksum: le32(directory, at + 16))
            }
            at += 46 + nameLength + extraLength + commentLength
        }
        return ZipDirectory(entries: entries)
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
}

/// One entry of a `ZipDirectory`.
struct ZipEntry {
    let localHeader: UInt64
    let compressedSize: UInt64
    let isDeflated: Bool
    let checksum: UInt32

    /// Inflates (or copies) the entry, chunk by chunk, to `consumer`; an entry whose bytes are
    /// not within the file, a stream that runs past them, or a checksum that differs throws.
    func read(from path: String, consumer: (Data) throws -> Void) throws {
        guard let file = ZipFile(path), let local = file.bytes(at: localHeader, count: 30), local[0 ..< 4] == [0x50, 0x4B, 0x03, 0x04] else {
            throw Damaged()
        }
        let offset = localHeader + 30 + UInt64(le16(local, 26)) + UInt64(le16(local, 28))
        guard offset <= file.size, compressedSize <= file.size - offset else { throw Damaged() }
        try file.handle.seek(toOffset: offset)
        let chunkSize = 64 << 10
        guard isDeflated else {
            var left = compressedSize
            var crc: CRC32 = 0
            while left > 0 {
                guard let chunk = try file.handle.read(upToCount: Int(min(UInt64(chunkSize), left))), !chunk.isEmpty else { throw Damaged() }
                left -= UInt64(chunk.count)
                crc = chunk.crc32(checksum: crc)
                try consumer(chunk)
            }
            guard crc == checksum else { throw Damaged() }
            return
        }
        var read: UInt64 = 0
        let crc = try Data.decompress(size: Int64(compressedSize), bufferSize: chunkSize, skipCRC32: false, provider: { _, size in
            guard read < compressedSize, let chunk = try file.handle.read(upToCount: Int(min(UInt64(size), compressedSize - read))), !chunk.isEmpty else {
                throw Damaged()
            }
            read += UInt64(chunk.count)
            return chunk
        }, consumer: consumer)
        guard crc == checksum else { throw Damaged() }
    }

    struct Damaged: Error {}
}

/// An open file and its size, read by checked ranges; closed when released.
private final class ZipFile {
    let handle: FileHandle
    let size: UInt64

    init?(_ path: String) {
        guard let handle = FileHandle(forReadingAtPath: path), let size = try? handle.seekToEnd() else { return nil }
        (self.handle, self.size) = (handle, size)
    }

    deinit { try? handle.close() }

    /// `count` bytes at `offset`, nil unless all of them lie within the file.
    func bytes(at offset: UInt64, count: UInt64) -> [UInt8]? {
        guard offset <= size, count <= size - offset, (try? handle.seek(toOffset: offset)) != nil,
              let data = try? handle.read(upToCount: Int(count)), data.count == Int(count) else { return nil }
        return [UInt8](data)
    }
}

private func le16(_ bytes: [UInt8], _ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
private func le32(_ bytes: [UInt8], _ at: Int) -> UInt32 { UInt32(le16(bytes, at)) | UInt32(le16(bytes, at + 2)) << 16 }
private func le64(_ bytes: [UInt8], _ at: Int) -> UInt64 { UInt64(le32(bytes, at)) | UInt64(le32(bytes, at + 4)) << 32 }
