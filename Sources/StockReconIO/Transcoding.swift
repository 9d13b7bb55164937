import Foundation
import StockReconCore

/// Files written in another encoding than UTF-8 (a till's Windows-1252, a spreadsheet's
/// UTF-16), copied as UTF-8 before anything reads them, a megabyte at a time: the readers,
/// the file's hash and its exactly-once identity all see the UTF-8 copy.
public enum Transcoding {
    /// The file as UTF-8: itself when it is UTF-8 already (or a workbook, which says its own
    /// encoding), else a temporary copy that `cleanUp` removes.
    public static func utf8(_ file: InputFile, encoding: ColumnMapping.Encoding) throws -> InputFile {
        guard file.kind() != .xlsx else { return file }
        let head = try firstBytes(of: file, count: 2)
        let source: ColumnMapping.Encoding
        if head == [0xFF, 0xFE] {
            source = .utf16LittleEndian
        } else if head == [0xFE, 0xFF] {
            source = .utf16BigEndian
        } else {
            source = encoding
        }
        guard source != .utf8 else { return file }
        return try copy(file, from: source)
    }

    /// Runs `body` with the file as UTF-8, and removes the copy, if one was made, after.
    public static func withUTF8<T>(_ file: InputFile, encoding: ColumnMapping.Encoding, _ body: (InputFile) throws -> T) throws -> T {
        let readable = try utf8(file, encoding: encoding)
        defer { if readable.path != file.path { readable.cleanUp() } }
        return try body(readable)
    }

    private static func firstBytes(of file: InputFile, count: Int) throws -> [UInt8] {
        if let irregular = InputFile.irregularity(of: file.path, displayName: file.displayName) { throw irregular }
        guard let handle = FileHandle(forReadingAtPath: file.path) else { return [] }
        defer { try? handle.close() }
        return Array((try handle.read(upToCount: count)) ?? Data())
    }

    private static func copy(_ file: InputFile, from encoding: ColumnMapping.Encoding) throws -> InputFile {
        guard let input = FileHandle(forReadingAtPath: file.path) else {
            throw FileReadError(SourceLocation(file: file.displayName), "cannot open the file to copy it as UTF-8")
        }
        defer { try? input.close() }
        let spool = try Spool(prefix: "stockrecon-utf8", displayName: file.displayName)
        let copied = spool.inputFile(displayName: file.displayName)
        var decoder = Decoder(encoding: encoding)
        var isFirst = true
        do {
            while let chunk = try input.read(upToCount: 1 << 20), !chunk.isEmpty {
                var bytes = Array(chunk)
                if isFirst, encoding.isUTF16, bytes.count >= 2 { bytes.removeFirst(2) }  // the byte-order mark
                isFirst = false
                try spool.write(Data(decoder.utf8(bytes)), displayName: file.displayName)
            }
            try spool.write(Data(decoder.finish()), displayName: file.displayName)
        } catch let failure as FileReadError {
            copied.cleanUp()
            throw FileReadError(SourceLocation(file: file.displayName), failure.message)
        } catch {
            copied.cleanUp()
            throw error
        }
        return copied
    }

    /// Turns bytes of one encoding into UTF-8, keeping what a chunk cuts off for the next.
    struct Decoder {
        let encoding: ColumnMapping.Encoding
        private var pending: [UInt8] = []

        init(encoding: ColumnMapping.Encoding) { self.encoding = encoding }

        mutating func utf8(_ bytes: [UInt8]) throws -> Data {
            var out = [UInt8]()
            out.reserveCapacity(bytes.count + bytes.count / 4)
            switch encoding {
            case .utf8:
                return Data(bytes)
            case .latin1:
                for byte in bytes { append(Unicode.Scalar(byte), to: &out) }
            case .windows1252:
                for byte in bytes { append(Self.windows1252(byte), to: &out) }
            case .utf16LittleEndian, .utf16BigEndian:
                let all = pending + bytes
                let usable = all.count - all.count % 2
                var units = [UInt16]()
                units.reserveCapacity(usable / 2)
                for index in stride(from: 0, to: usable, by: 2) {
                    let (first, second) = (UInt16(all[index]), UInt16(all[index + 1]))
                    units.append(encoding == .utf16LittleEndian ? first | second << 8 : first << 8 | second)
                }
                // A high surrogate at the end waits for its pair in the next chunk.
                var keep = Array(all[usable...])
                if let last = units.last, UTF16.isLeadSurrogate(last) {
                    units.removeLast()
                    keep = Array(all[(usable - 2)...])
                }
                pending = keep
                var iterator = units.makeIterator()
                var parser = UTF16.ForwardParser()
                while true {
                    switch parser.parseScalar(from: &iterator) {
                    case .valid(let encoded): append(UTF16.decode(encoded), to: &out)
                    case .error: throw FileReadError(SourceLocation(file: ""), "the file is not valid UTF-16: an unpaired surrogate")
                    case .emptyInput: return Data(out)
                    }
                }
            }
            return Data(out)
        }

        mutating func finish() throws -> Data {
            guard pending.isEmpty else {
                throw FileReadError(SourceLocation(file: ""), "the file is not valid UTF-16: it ends inside a character")
            }
            return Data()
        }

        private func append(_ scalar: Unicode.Scalar, to out: inout [UInt8]) {
            if let encoded = UTF8.encode(scalar) { out.append(contentsOf: encoded) }
        }

        /// Windows-1252 as WHATWG maps it: Latin-1 but for 0x80–0x9F, mostly punctuation.
        static func windows1252(_ byte: UInt8) -> Unicode.Scalar {
            guard (0x80...0x9F).contains(byte) else { return Unicode.Scalar(byte) }
            let table: [UInt32] = [
                0x20AC, 0x81, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0x8D, 0x017D, 0x8F,
                0x90, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x9D, 0x017E, 0x0178,
            ]
            return Unicode.Scalar(table[Int(byte - 0x80)]) ?? Unicode.Scalar(byte)
        }
    }
}
