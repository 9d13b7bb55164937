import Foundation
import StockReconCore

/// A file named on the command line; `-` is standard input, spooled to a temporary file
/// so that it can be hashed and read like any other.
public struct InputFile: Sendable {
    public var path: String
    public var displayName: String
    /// A copy made for reading (standard input spooled, a file copied as UTF-8): `cleanUp` removes it.
    public var isTemporary = false

    public init(path: String, displayName: String) {
        self.path = path
        self.displayName = displayName
    }

    public static func resolve(_ argument: String) throws -> InputFile {
        guard argument == "-" else { return InputFile(path: argument, displayName: argument) }
        let spool = FileManager.default.temporaryDirectory
            .appendingPathComponent("stockrecon-stdin-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: spool.path, contents: nil),
              let output = try? FileHandle(forWritingTo: spool)
        else {
            throw FileReadError(SourceLocation(file: "<stdin>"), "cannot spool standard input to \(spool.path)")
        }
        defer { try? output.close() }
        while let chunk = try FileHandle.standardInput.read(upToCount: 1 << 20), !chunk.isEmpty {
            try output.write(contentsOf: chunk)
        }
        var spooled = InputFile(path: spool.path, displayName: "<stdin>")
        spooled.isTemporary = true
        return spooled
    }

    /// Removes a temporary copy; a named file is left alone.
    public func cleanUp() {
        if isTemporary { try? FileManager.default.removeItem(atPath: path) }
    }

    public enum Kind: String, Sendable { case csv = "CSV", json = "JSON", xlsx = "XLSX" }

    /// XLSX by its zip signature, JSON by extension or a first byte of `{` or `[`; CSV otherwise.
    public func kind() -> Kind {
        guard let handle = FileHandle(forReadingAtPath: path) else { return .csv }
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
