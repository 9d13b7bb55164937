#if canImport(Glibc)
import Glibc
#endif

/// A one-line progress bar on standard error, drawn only when standard error is a terminal.
public final class ProgressBar: @unchecked Sendable {
    private var lastPercent = -1

    public init() {}

    public static var isWanted: Bool { isatty(STDERR_FILENO) != 0 }

    public func update(file: String, bytesRead: Int, totalBytes: Int) {
        guard totalBytes > 0 else { return }
        let percent = min(100, bytesRead * 100 / totalBytes)
        guard percent != lastPercent else { return }
        lastPercent = percent
        let filled = percent * 30 / 100
        let bar = String(repeating: "#", count: filled) + String(repeating: ".", count: 30 - filled)
        writeError("\r\(file) [\(bar)] \(percent)%")
        if percent == 100 {
            writeError("\r\u{1B}[K")
            lastPercent = -1
        }
    }
}

/// Writes text to standard error, unbuffered.
public func writeError(_ text: String) {
    var bytes = Array(text.utf8)
    _ = bytes.withUnsafeMutableBytes { write(STDERR_FILENO, $0.baseAddress, $0.count) }
}
