import Foundation

/// Rows of a report too many to hold (the lines of a count of a million items): each is
/// written to a file as it is made and read back once, in order, as the report is written.
/// The file is unlinked as soon as it is opened, so nothing is left behind however the
/// process ends.
final class SpilledRows {
    private let handle: FileHandle
    private var pending: [UInt8] = []
    private(set) var count = 0

    init(directory: URL = FileManager.default.temporaryDirectory) throws {
        let path = directory.appendingPathComponent("stockrecon-report-\(UUID().uuidString).rows").path
        let descriptor = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw CannotSpill(path: path, reason: String(cString: strerror(errno))) }
        unlink(path)
        handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        pending.reserveCapacity(1 << 20)
    }

    func append(_ row: [ReportCell]) throws {
        put(UInt64(row.count))
        for cell in row {
            switch cell {
            case .null: pending.append(0)
            case .text(let text):
                pending.append(1)
                put(UInt64(text.utf8.count))
                pending.append(contentsOf: text.utf8)
            case .integer(let value): put(2, value)
            case .money(let minor): put(3, minor)
            case .percent(let basisPoints): put(4, basisPoints)
            case .flag(let value): pending.append(value ? 6 : 5)
            }
        }
        count += 1
        if pending.count >= 1 << 20 { try flush() }
    }

    /// The rows in the order they were appended.
    func forEach(_ body: ([ReportCell]) throws -> Void) throws {
        try flush()
        try handle.seek(toOffset: 0)
        defer { _ = try? handle.seekToEnd() }
        var reader = Reader(handle: handle)
        for _ in 0..<count { try body(reader.row()) }
    }

    private func put(_ tag: UInt8, _ value: Int64) {
        pending.append(tag)
        put(UInt64(bitPattern: value))
    }

    private func put(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { pending.append(contentsOf: $0) }
    }

    private func flush() throws {
        try handle.write(contentsOf: pending)
        pending.removeAll(keepingCapacity: true)
    }

    /// Reads back what `append` wrote, a megabyte at a time.
    private struct Reader {
        let handle: FileHandle
        var bytes: [UInt8] = []
        var position = 0

        mutating func row() throws -> [ReportCell] {
            guard let cells = Int(exactly: try word()) else { throw Damaged() }
            var row: [ReportCell] = []
            row.reserveCapacity(cells)
            for _ in 0..<cells {
                try need(1)
                let tag = bytes[position]
                position += 1
                switch tag {
                case 0: row.append(.null)
                case 1:
                    guard let length = Int(exactly: try word()) else { throw Damaged() }
                    try need(length)
                    row.append(.text(String(decoding: bytes[position..<position + length], as: UTF8.self)))
                    position += length
                case 2: row.append(.integer(Int64(bitPattern: try word())))
                case 3: row.append(.money(minor: Int64(bitPattern: try word())))
                case 4: row.append(.percent(basisPoints: Int64(bitPattern: try word())))
                case 5, 6: row.append(.flag(tag == 6))
                default: throw Damaged()
                }
            }
            return row
        }

        mutating func word() throws -> UInt64 {
            try need(8)
            var value: UInt64 = 0
            for index in 0..<8 { value |= UInt64(bytes[position + index]) << (8 * index) }
            position += 8
            return value
        }

        /// At least `count` unread bytes in `bytes`.
        mutating func need(_ count: Int) throws {
            guard bytes.count - position < count else { return }
            bytes.removeFirst(position)
            position = 0
            while bytes.count < count {
                guard let more = try handle.read(upToCount: max(1 << 20, count - bytes.count)), !more.isEmpty else { throw Damaged() }
                bytes.append(contentsOf: more)
            }
        }
    }

    struct CannotSpill: Error, CustomStringConvertible {
        var path: String
        var reason: String
        var description: String {
            "cannot write a report's lines to \(path) (\(reason)): set TMPDIR to a folder with room that stockrecon can write"
        }
    }

    /// The file ended early or holds what `append` never writes: it was changed under us.
    struct Damaged: Error, CustomStringConvertible {
        var description: String { "a report's spilled rows were cut short or changed while the report was written" }
    }
}
