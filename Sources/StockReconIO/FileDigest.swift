import CLibCrypto
import StockReconCore

/// SHA-256 of a file's bytes, streamed: with the record number, the default idempotency key.
public enum FileDigest {
    public static func sha256Hex(path: String, displayName: String) throws -> String {
        try FileHash(path: path, displayName: displayName).sha256
    }
}

/// A file's SHA-256, and the digest of any prefix of it without hashing the file again:
/// the hash's state is kept at the start of every chunk, so a prefix costs at most one
/// chunk read. A re-export that begins with an earlier file's bytes is found by it.
public final class FileHash {
    public let path: String
    public let displayName: String
    public private(set) var sha256 = ""
    public private(set) var size = 0
    private let chunkSize: Int
    /// The hash's state before chunk i (at offset i × chunkSize).
    private var checkpoints: [OpaquePointer] = []

    public init(path: String, displayName: String, chunkSize: Int = 1 << 20) throws {
        self.path = path
        self.displayName = displayName
        self.chunkSize = chunkSize
        let context = try Self.newContext(displayName)
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        size = try FileChunks.read(path: path, displayName: displayName, chunkSize: chunkSize, skippingByteOrderMark: false) { chunk, _ in
            let checkpoint = try Self.newContext(displayName)
            checkpoints.append(checkpoint)
            EVP_MD_CTX_copy_ex(checkpoint, context)
            _ = EVP_DigestUpdate(context, chunk.baseAddress, chunk.count)
        }
        sha256 = Self.finish(context)
    }

    deinit {
        for checkpoint in checkpoints { EVP_MD_CTX_free(checkpoint) }
    }

    /// SHA-256 of the file's first `length` bytes; nil past its end.
    public func sha256(ofFirst length: Int) throws -> String? {
        guard length >= 0, length <= size else { return nil }
        if length == size { return sha256 }
        let index = length / chunkSize
        guard index < checkpoints.count else { return nil }
        let context = try Self.newContext(displayName)
        defer { EVP_MD_CTX_free(context) }
        EVP_MD_CTX_copy_ex(context, checkpoints[index])
        try FileChunks.read(
            path: path, displayName: displayName, chunkSize: chunkSize, range: index * chunkSize ..< length, skippingByteOrderMark: false
        ) { chunk, _ in
            _ = EVP_DigestUpdate(context, chunk.baseAddress, chunk.count)
        }
        return Self.finish(context)
    }

    private static func newContext(_ displayName: String) throws -> OpaquePointer {
        guard let context = EVP_MD_CTX_new() else {
            throw FileReadError(SourceLocation(file: displayName), "cannot start SHA-256")
        }
        return context
    }

    private static func finish(_ context: OpaquePointer) -> String {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        return Hex.encode(digest.prefix(Int(length)))
    }
}
