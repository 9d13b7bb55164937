/// Lowercased words (reasons, choices) to small integers, looked up on a row's bytes: a text
/// in plain ASCII is lowercased into a small buffer and found in one probe, where the string
/// path lowercases, hashes and compares strings row after row (a tenth of the checking
/// thread of a haravan import, whose rows all carry a reason).
struct LowercasedIndex: Sendable {
    private var index = TextIndex()
    private static let longest = 64

    /// Adds a word, already lowercased; a word added before keeps its value.
    mutating func add(_ word: String, value: Int) {
        if index[word] == nil { index[word] = value }
    }

    /// The value of the text lowercased (`.some(nil)`: no such word); nil when the text is
    /// not plain ASCII or is long, which the string path decides (Unicode has its own cases).
    func value(for text: some InputText) -> Int?? {
        text.withBytes { bytes in
            guard bytes.count <= Self.longest, !bytes.contains(where: { $0 >= 0x80 }) else { return nil }
            return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: Self.longest) { buffer in
                for (offset, byte) in bytes.enumerated() {
                    buffer[offset] = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
                }
                let lowered = BorrowedText(UnsafeBufferPointer(UnsafeMutableBufferPointer(rebasing: buffer[0 ..< bytes.count])))
                return .some(index.value(for: lowered))
            }
        }
    }
}
