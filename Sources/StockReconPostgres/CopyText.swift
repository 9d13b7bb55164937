import StockReconCore

/// PostgreSQL's COPY text format: tab-separated, `\N` for NULL, backslash escapes.
enum CopyText {
    /// A tab, then the number (or `\N` for nil).
    static func appendField(_ value: Int64?, to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\t"))
        guard let value else { return appendNull(to: &buffer) }
        appendNumber(value, to: &buffer)
    }

    /// The number, without a tab before it.
    static func appendNumber(_ value: Int64, to buffer: inout [UInt8]) {
        // Digits written backwards into a small buffer, then appended in one piece.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var magnitude = value.magnitude
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
            } while magnitude > 0
            if value < 0 { buffer.append(UInt8(ascii: "-")) }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: digits[start...]))
        }
    }

    /// A non-negative number in `width` digits, zero-padded, over the bytes at `start`.
    static func write(_ value: Int64, width: Int, into buffer: UnsafeMutableBufferPointer<UInt8>, at start: Int) {
        var magnitude = value.magnitude
        for offset in stride(from: start + width - 1, through: start, by: -1) {
            buffer[offset] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        }
    }

    /// Bytes as bytea's hex form, `\\x` and two digits a byte, its backslash escaped for COPY.
    static func appendBytea(_ bytes: [UInt8], to buffer: inout [UInt8]) {
        buffer.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\"), UInt8(ascii: "x")])
        Hex.append(bytes, to: &buffer)
    }

    static func appendNull(to buffer: inout [UInt8]) {
        buffer.append(UInt8(ascii: "\\"))
        buffer.append(UInt8(ascii: "N"))
    }

    /// The bytes as COPY text: a backslash, tab, newline or carriage return escaped; the
    /// runs between them copied whole.
    static func appendEscaped(_ bytes: UnsafeBufferPointer<UInt8>, to buffer: inout [UInt8]) {
        var runStart = 0
        for (index, byte) in bytes.enumerated() {
            let escape: UInt8
            switch byte {
            case UInt8(ascii: "\\"): escape = UInt8(ascii: "\\")
            case UInt8(ascii: "\t"): escape = UInt8(ascii: "t")
            case UInt8(ascii: "\n"): escape = UInt8(ascii: "n")
            case UInt8(ascii: "\r"): escape = UInt8(ascii: "r")
            default: continue
            }
            buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart..<index]))
            buffer.append(UInt8(ascii: "\\"))
            buffer.append(escape)
            runStart = index + 1
        }
        buffer.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[runStart...]))
    }
}
