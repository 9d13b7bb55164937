/// Blobs of little-endian 8-byte words, a few to an entry: the variant runs' entries
/// (`variant_movements`), a checkpoint's balances (`checkpoint_blocks`).
enum PackedWords {
    static func append(_ value: Int64, to blob: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { blob.append(contentsOf: $0) }
    }

    /// The blob's words; an error naming `table` and what the blob is (`part`) when it is not a
    /// whole number of entries of `perEntry` words.
    static func words(in blob: [UInt8], perEntry: Int, table: String, part: String) throws -> [Int64] {
        guard blob.count % (8 * perEntry) == 0 else {
            throw SQLDecodingError(message: "\(table) holds \(part) of \(blob.count) bytes, not a whole number of entries")
        }
        return blob.withUnsafeBytes { raw in
            (0..<blob.count / 8).map { Int64(littleEndian: raw.loadUnaligned(fromByteOffset: $0 * 8, as: Int64.self)) }
        }
    }
}
