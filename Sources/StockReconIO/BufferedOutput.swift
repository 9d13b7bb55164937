import Foundation

/// A file written a megabyte at a time.
public final class BufferedOutput {
    private let handle: FileHandle
    private let closesHandle: Bool
    private var buffer: [UInt8] = []

    /// Creates or truncates the file (a device, such as /dev/stdout, is written as it is).
    public convenience init(_ url: URL) throws {
        let descriptor = open(url.path, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard descriptor >= 0 else { throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno), userInfo: [NSFilePathErrorKey: url.path]) }
        self.init(FileHandle(fileDescriptor: descriptor, closeOnDealloc: true), closes: true)
    }

    /// Standard output, after what `print` has buffered; `close` leaves it open.
    public static func standardOutput() -> BufferedOutput {
        fflush(nil)  // every stream: naming `stdout` is not concurrency-safe
        return BufferedOutput(.standardOutput, closes: false)
    }

    private init(_ handle: FileHandle, closes: Bool) {
        self.handle = handle
        closesHandle = closes
        buffer.reserveCapacity(1 << 20)
    }

    public func write(_ text: String) throws {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func close() throws {
        try flush()
        if closesHandle { try handle.close() }
    }

    private func flush() throws {
        try handle.write(contentsOf: buffer)
        buffer.removeAll(keepingCapacity: true)
    }
}
