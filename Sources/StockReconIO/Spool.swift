import Foundation
import StockReconCore
#if canImport(Glibc)
import Glibc
#endif

/// A temporary file that is gone however the process ends (SIGTERM, SIGKILL, a crash): its
/// name is removed as soon as it is open, and it is read through `/proc/self/fd`, so only the
/// open descriptor keeps it. Standard input and transcoded copies are spooled here.
struct Spool {
    let descriptor: Int32
    /// A path that opens the file while the descriptor is open.
    var path: String { "/proc/self/fd/\(descriptor)" }

    init(prefix: String, displayName: String) throws {
        let template = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-XXXXXX").path
        var name = Array(template.utf8CString)
        let descriptor = name.withUnsafeMutableBufferPointer { buffer in buffer.baseAddress.map { mkstemp($0) } ?? -1 }
        guard descriptor >= 0 else {
            throw FileReadError(SourceLocation(file: displayName), "cannot make a temporary file in \(template): \(String(cString: strerror(errno)))")
        }
        name.withUnsafeBufferPointer { buffer in _ = buffer.baseAddress.map { unlink($0) } }
        self.descriptor = descriptor
    }

    func write(_ bytes: UnsafeRawBufferPointer, displayName: String) throws {
        var offset = 0
        while offset < bytes.count {
            let written = Glibc.write(descriptor, bytes.baseAddress.map { $0 + offset }, bytes.count - offset)
            if written < 0 {
                if errno == EINTR { continue }
                throw FileReadError(SourceLocation(file: displayName), "cannot write a temporary copy: \(String(cString: strerror(errno)))")
            }
            offset += written
        }
    }

    func write(_ data: Data, displayName: String) throws {
        try data.withUnsafeBytes { try write($0, displayName: displayName) }
    }

    /// The spool as an input file; `cleanUp` closes it, and with it the file goes.
    func inputFile(displayName: String) -> InputFile {
        var file = InputFile(path: path, displayName: displayName)
        file.spoolDescriptor = descriptor
        return file
    }
}
