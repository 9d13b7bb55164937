import CLibCrypto
import StockReconCore

#if canImport(Glibc)
import Glibc
#endif

/// SHA-256 of a file's bytes, streamed: with the record number, the default idempotency key.
public enum FileDigest {
    public static func sha256Hex(path: String, displayName: String) throws -> String {
        let descriptor = Glibc.open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FileReadError(SourceLocation(file: displayName), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { Glibc.close(descriptor) }
        guard let context = EVP_MD_CTX_new() else {
            throw FileReadError(SourceLocation(file: displayName), "cannot start SHA-256")
        }
        defer { EVP_MD_CTX_free(context) }
        EVP_DigestInit_ex(context, EVP_sha256(), nil)
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 {
                throw FileReadError(SourceLocation(file: displayName), "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            buffer.withUnsafeBytes { _ = EVP_DigestUpdate(context, $0.baseAddress, count) }
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
