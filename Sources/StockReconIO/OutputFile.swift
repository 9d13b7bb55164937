import Foundation

/// A file a command writes (`-o`: a report, a blind sheet), written so that nothing already at
/// the path is lost: a directory is refused, and a file is replaced only once its new
/// contents are complete (written beside it, then renamed over it).
public enum OutputFile {
    public struct IsDirectory: Error, CustomStringConvertible {
        public var path: String
        public var description: String { "it is a directory: name a file to write in it, nothing in it is touched" }
    }

    /// Writes through `body`, which writes the whole file at the URL it is given.
    public static func write(to path: String, _ body: (URL) throws -> Void) throws {
        // A symbolic link is followed: its target is what gets replaced.
        let target = URL(fileURLWithPath: path).resolvingSymlinksInPath()
        var status = stat()
        if stat(target.path, &status) == 0 {
            switch status.st_mode & S_IFMT {
            case S_IFDIR: throw IsDirectory(path: path)
            case S_IFREG: break
            // A device or a pipe (/dev/stdout, a FIFO) is written in place: it cannot be renamed over.
            default: return try body(target)
            }
        }
        let temporary = target.deletingLastPathComponent()
            .appendingPathComponent(".\(target.lastPathComponent).\(UUID().uuidString.prefix(8)).partial")
        do {
            try body(temporary)
            guard rename(temporary.path, target.path) == 0 else {
                throw NSError(domain: NSPOSIXErrorDomain, code: Int(errno))
            }
        } catch {
            try? FileManager.default.removeItem(at: temporary)
            throw error
        }
    }

    /// Writes `data` as the whole file.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { url in try data.write(to: url) }
    }
}
