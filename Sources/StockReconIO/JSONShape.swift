import StockReconCore

/// The rules every JSON source keeps, whatever its rows: at most `maxDepth` levels of
/// nesting, and after the first top-level value only more objects (JSON lines).
struct JSONShape {
    static let maxDepth = 64
    private(set) var depth = 0
    /// One bit a level of nesting, set where the container is an object.
    private(set) var objectLevels: UInt64 = 0
    private var topLevelValues = 0
    private var isTopLevelObject = false

    /// A value starts at the current depth; returns a message when the shape is broken.
    mutating func begin(isObject: Bool, isContainer: Bool) -> String? {
        if depth == 0 {
            topLevelValues += 1
            if topLevelValues > 1, !(isObject && isTopLevelObject) {
                return "more than one JSON value in the file: only objects, one per line (JSON lines), may follow one another"
            }
            isTopLevelObject = isObject
        }
        if isContainer {
            depth += 1
            if depth > Self.maxDepth { return "values nested more than \(Self.maxDepth) levels deep" }
            let bit: UInt64 = 1 << UInt64(depth - 1)
            objectLevels = isObject ? objectLevels | bit : objectLevels & ~bit
        }
        return nil
    }

    mutating func end() { depth -= 1 }

    /// The state between two records, with what the sink adds.
    func resumeState(_ sinkState: SIMD4<Int>) -> JSONResumeState {
        let mask: UInt64 = depth >= 64 ? ~0 : (1 << UInt64(depth)) - 1
        return JSONResumeState(depth: depth, objectLevels: objectLevels & mask, sinkState: sinkState)
    }
}

/// Accepts any JSON document that keeps `JSONShape`: what the reader's conformance rests on.
final class JSONDocumentChecker: JSONEventSink {
    private var shape = JSONShape()
    private let file: String
    private(set) var failure: Error?

    init(file: String) { self.file = file }

    private func check(_ message: String?) -> Bool {
        guard let message else { return true }
        failure = FileReadError(SourceLocation(file: file), "malformed JSON: \(message)")
        return false
    }

    func startObject() -> Bool { check(shape.begin(isObject: true, isContainer: true)) }
    func startArray() -> Bool { check(shape.begin(isObject: false, isContainer: true)) }
    func endObject() -> Bool { shape.end(); return true }
    func endArray() -> Bool { shape.end(); return true }
    func key(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool { true }
    func scalar(_ value: JSONScalar) -> Bool { check(shape.begin(isObject: false, isContainer: false)) }
    var rowsEmitted: Int { 0 }
    var resumeState: JSONResumeState? { nil }
    func skipRows(_ count: Int) {}
}
