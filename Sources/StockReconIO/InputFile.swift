import Foundation
#if canImport(Glibc)
import Glibc
#endif
import StockReconCore

/// A file named on the command line; `-` is standard input, spooled to a temporary file
/// so that it can be hashed and read like any other.
public struct InputFile: Sendable {
    public var path: String
    public var displayName: String
    /// A copy made for reading (standard input spooled, a file copied as UTF-8): the open
    /// descriptor of a `Spool`, which `cleanUp` closes (its name is gone already).
    var spoolDescriptor: Int32?
    /// The most standard input is spooled (2 GB; `STOCKRECON_STDIN_LIMIT` bytes where set):
    /// past it, give the file by name.
    public static var standardInputLimit: Int {
        ProcessInfo.processInfo.environment["STOCKRECON_STDIN_LIMIT"].flatMap { Int($0) }.map { max(0, $0) } ?? 2 << 30
    }

    public init(path: String, displayName: String) {
        self.path = path
        self.displayName = displayName
    }

    public static func resolve(_ argument: String) throws -> InputFile {
        guard argument == "-" else { return InputFile(path: argument, displayName: argument) }
        let spool = try Spool(prefix: "stockrecon-stdin", displayName: "<stdin>")
        let file = spool.inputFile(displayName: "<stdin>")
        var total = 0
        let limit = standardInputLimit
        do {
            while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
                total += chunk.count
                guard total <= limit else {
                    throw FileReadError(
                        SourceLocation(file: "<stdin>"),
                        "standard input is larger than the \(limit) bytes it may spool: save it to a file and give the file by name")
                }
                try spool.write(chunk, displayName: "<stdin>")
            }
        } catch {
            file.cleanUp()
            throw error
        }
        return file
    }

    /// Why a path cannot be read as a data file: it is a FIFO, a device, a socket or a
    /// directory (reading one may never end, or never stop: `/dev/zero`). Nil for a regular
    /// file, or for one that does not exist (opening it says so).
    public static func irregularity(of path: String, displayName: String) -> FileReadError? {
        var status = stat()
        guard stat(path, &status) == 0 else { return nil }
        let kind: String
        switch status.st_mode & S_IFMT {
        case S_IFREG: return nil
        case S_IFDIR: kind = "a directory"
        case S_IFIFO: kind = "a pipe (FIFO)"
        case S_IFCHR, S_IFBLK: kind = "a device"
        case S_IFSOCK: kind = "a socket"
        default: kind = "not a regular file"
        }
        return FileReadError(
            SourceLocation(file: displayName),
            "\(path) is \(kind), not a file: give a regular file, or `-` to read standard input", input: path)
    }

    /// Removes a temporary copy; a named file is left alone.
    public func cleanUp() {
        if let spoolDescriptor { close(spoolDescriptor) }
    }

    public enum Kind: String, Sendable { case csv = "CSV", json = "JSON", xlsx = "XLSX" }

    /// XLSX by its zip signature, JSON by extension or a first byte of `{` or `[`; CSV otherwise.
    public func kind() -> Kind {
        // A pipe or a device is not read here (it may block, or never end); its reader says why.
        guard Self.irregularity(of: path, displayName: displayName) == nil, let handle = FileHandle(forReadingAtPath: path) else { return .csv }
        defer { try? handle.close() }
        let head = (try? handle.read(upToCount: 512)) ?? Data()
        let lowered = path.lowercased()
        // A workbook by its zip signature, or by its name (a damaged one is then reported as a workbook that cannot be read).
        if head.starts(with: [0x50, 0x4B, 0x03, 0x04]) || lowered.hasSuffix(".xlsx") { return .xlsx }
        if lowered.hasSuffix(".json") || lowered.hasSuffix(".jsonl") || lowered.hasSuffix(".ndjson") { return .json }
        if lowered.hasSuffix(".csv") || lowered.hasSuffix(".tsv") || lowered.hasSuffix(".txt") { return .csv }
        let first = head.first { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        return first == UInt8(ascii: "{") || first == UInt8(ascii: "[") ? .json : .csv
    }

    public var size: Int {
        ((try? FileManager.default.attributesOfItem(atPath: path))?[.size] as? NSNumber)?.intValue ?? 0
    }
}
