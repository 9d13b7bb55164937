import CLibCrypto
import StockReconCore

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a file's bytes, streamed: with the record number, the default idempotency key.
public enum FileDigest {
    public static func sha256Hex(path: String, displayName: String) throws -> String {
        guard let context = EVP_MD_CTX_new() else {
            throw FileReadError(SourceLocation(file: displayName), "cannot start SHA-256")
        }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        try FileChunks.read(path: path, displayName: displayName, skippingByteOrderMark: false) { chunk, _ in
            _ = EVP_DigestUpdate(context, chunk.baseAddress, chunk.count)
        }
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context, &digest, &length)
        let hexDigits = Array("0123456789abcdef".utf8)
        var hex: [UInt8] = []
        hex.reserveCapacity(64)
        for byte in digest.prefix(Int(length)) {
            hex.append(hexDigits[Int(byte >> 4)])
            hex.append(hexDigits[Int(byte & 0x0F)])
        }
        return String(decoding: hex, as: UTF8.self)
    }
}
