import StockReconCore

/// A mistake in a mapping or pipeline file, at its line and column, with a hint.
public struct ConfigurationProblem: Sendable, Hashable, CustomStringConvertible {
    public var file: String
    public var line: Int?
    public var column: Int?
    public var message: String

    public init(file: String, line: Int?, column: Int?, _ message: String) {
        self.file = file
        self.line = line
        self.column = column
        self.message = message
    }

    /// `pipelines/mappings/pos.yaml:5:12: error: …`, like a compiler.
    public var description: String {
        var text = file
        if let line { text += ":\(line)" }
        if let column { text += ":\(column)" }
        return text + ": error: " + message
    }
}

/// Every problem found in a configuration file, reported together before anything runs.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    public var problems: [ConfigurationProblem]
    public init(_ problems: [ConfigurationProblem]) { self.problems = problems }
    public var description: String { problems.map(\.description).joined(separator: "\n") }
}

/// The known word closest to a misspelt one (`quantiy` → `quantity`), if any is close.
func closest(to word: String, in candidates: [String]) -> String? {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
    let lowered = Array(word.lowercased())
    let scored = candidates.map { ($0, distance(lowered, Array($0))) }.min { $0.1 < $1.1 }
    guard let (candidate, score) = scored, score <= max(2, word.count / 3) else { return nil }
    return candidate
}
