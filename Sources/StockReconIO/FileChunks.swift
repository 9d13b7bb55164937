import StockReconCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A file read a chunk at a time into one reused buffer, in constant memory: what the CSV
/// and JSON readers and the file hash share.
enum FileChunks {
    /// Calls `body` with each chunk and the file offset of its first byte. With
    /// `skippingByteOrderMark`, a UTF-8 byte-order mark at the start is left out (as
    /// spreadsheets write one). With `range`, only those bytes are read. Returns the offset
    /// after the last byte read.
    @discardableResult
    static func read(
        path: String, displayName: String, chunkSize: Int = 1 << 20, range: Range<Int>? = nil, skippingByteOrderMark: Bool,
        onProgress: ((Int) -> Void)? = nil, _ body: (UnsafeBufferPointer<UInt8>, _ offset: Int) throws -> Void
    ) throws -> Int {
        if let irregular = InputFile.irregularity(of: path, displayName: displayName) { throw irregular }
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw FileReadError(SourceLocation(file: displayName), "cannot open the file: \(String(cString: strerror(errno)))")
        }
        defer { close(descriptor) }
        var total = range?.lowerBound ?? 0
        if total > 0, lseek(descriptor, off_t(total), SEEK_SET) < 0 {
            throw FileReadError(SourceLocation(file: displayName), "cannot seek in the file: \(String(cString: strerror(errno)))")
        }
        let end = range?.upperBound ?? Int.max
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        while total < end {
            let wanted = min(chunkSize, end - total)
            let count = chunk.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                throw FileReadError(SourceLocation(file: displayName), "read failed: \(String(cString: strerror(errno)))")
            }
            if count == 0 { break }
            try chunk.withUnsafeBufferPointer { buffer in
                guard let base = buffer.baseAddress else { return }
                var skip = 0
                if skippingByteOrderMark, total == 0, count >= 3, buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF { skip = 3 }
                if skippingByteOrderMark, total == 0, count >= 2, (buffer[0], buffer[1]) == (0xFF, 0xFE) || (buffer[0], buffer[1]) == (0xFE, 0xFF) {
                    throw FileReadError(
                        SourceLocation(file: displayName, line: 1),
                        "the file is UTF-16 (a spreadsheet's \"Unicode Text\"), not UTF-8: save it as UTF-8 (in a spreadsheet: CSV UTF-8)")
                }
                try body(UnsafeBufferPointer(start: base + skip, count: count - skip), total + skip)
            }
            total += count
            onProgress?(total)
        }
        return total
    }

    /// The line (from 1) that a byte offset falls on, counted by reading the file again:
    /// for error messages, so that no reader counts lines on its hot path to name one.
    static func line(atOffset offset: Int, path: String) -> Int {
        var line = 1
        _ = try? read(path: path, displayName: path, skippingByteOrderMark: false) { chunk, start in
            guard start < offset else { return }
            line += newlines(in: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: chunk.prefix(offset - start))))
        }
        return line
    }

    /// The newlines in some bytes; memchr skips runs without any at memory speed.
    static func newlines(in buffer: UnsafeRawBufferPointer) -> Int {
        guard let base = buffer.baseAddress else { return 0 }
        var count = 0
        var start = base
        var remaining = buffer.count
        while remaining > 0, let found = memchr(start, 0x0A, remaining) {
            count += 1
            let next = UnsafeRawPointer(found) + 1
            remaining -= next - start
            start = next
        }
        return count
    }
}
