import Foundation
import StockReconCore
import Yams

/// Reads values out of a YAML document while collecting every problem with its place.
struct ConfigurationReader {
    let file: String
    private(set) var problems: [ConfigurationProblem] = []
    /// Aliases are refused: an aliased document can grow without bound ("billion laughs").
    static let maxBytes = 1 << 20

    init(file: String) { self.file = file }

    /// A YAML mapping's members by key, with their key nodes for locating problems.
    struct Members {
        var pairs: [(key: String, value: Node)]
        subscript(key: String) -> Node? { pairs.first { $0.key == key }?.value }
    }

    func location(_ node: Node) -> SourceLocation {
        SourceLocation(file: file, line: node.mark?.line, field: nil, column: node.mark?.column)
    }

    mutating func problem(_ node: Node?, _ message: String) {
        problems.append(ConfigurationProblem(file: file, line: node?.mark?.line, column: node?.mark?.column, message))
    }

    /// A problem found in another file (a mapping file the pipeline names).
    mutating func add(_ problem: ConfigurationProblem) { problems.append(problem) }

    mutating func problem(line: Int?, column: Int?, _ message: String) {
        problems.append(ConfigurationProblem(file: file, line: line, column: column, message))
    }

    /// The document's root, or nil with a located problem when it is not YAML.
    mutating func document(_ text: String) -> Node? {
        guard text.utf8.count <= Self.maxBytes else {
            problem(line: nil, column: nil, "the file is larger than 1 MB: a configuration file should be small")
            return nil
        }
        if let refusal = YAMLShape.refusal(in: text) {
            problem(line: refusal.line, column: refusal.column, refusal.message)
            return nil
        }
        do {
            guard let root = try Yams.compose(yaml: text) else {
                problem(line: 1, column: 1, "the file is empty")
                return nil
            }
            return root
        } catch let error as YamlError {
            switch error {
            case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
                self.problem(line: mark.line, column: mark.column, "malformed YAML: \(problem)")
            case .duplicatedKeysInMapping(let duplicates, let context):
                // Yams marks where the mapping starts; the second use of the key is the mistake.
                let (line, column) = duplicates.first.flatMap { Self.secondUse(of: $0, in: text, from: context.mark.line) }
                    ?? (context.mark.line, context.mark.column)
                self.problem(line: line, column: column, "\(duplicates.map { "`\($0)`" }.joined(separator: ", ")) given twice in one mapping: keep one")
            default:
                problem(line: nil, column: nil, "malformed YAML: \(error)")
            }
            return nil
        } catch {
            problem(line: nil, column: nil, "malformed YAML: \(error)")
            return nil
        }
    }

    /// Where `key` starts a line the second time from line `first` on (a block mapping's keys).
    static func secondUse(of key: String, in text: String, from first: Int) -> (line: Int, column: Int)? {
        var uses = 0
        for (offset, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where offset + 1 >= first {
            let indent = line.prefix { $0 == " " }.count
            let rest = line.dropFirst(indent)
            guard rest.hasPrefix(key + ":") || rest.hasPrefix("\"\(key)\":") || rest.hasPrefix("'\(key)':") else { continue }
            uses += 1
            if uses == 2 { return (offset + 1, indent + 1) }
        }
        return nil
    }

    /// A mapping's members; an unknown key is a problem naming the key it was probably meant to be.
    mutating func mapping(_ node: Node, allowed: [String]?, what: String) -> Members? {
        guard case .mapping(let mapping) = node else {
            problem(node, "\(what) must be a mapping of keys to values")
            return nil
        }
        var pairs: [(String, Node)] = []
        for (keyNode, value) in mapping {
            guard let key = keyNode.scalar?.string else {
                problem(keyNode, "a key of \(what) must be plain text")
                continue
            }
            if let allowed, !allowed.contains(key) {
                let hint = closest(to: key, in: allowed).map { "did you mean `\($0)`?" } ?? "the keys are \(allowed.joined(separator: ", "))"
                problem(keyNode, "unknown key `\(key)` in \(what): \(hint)")
                continue
            }
            pairs.append((key, value))
        }
        return Members(pairs: pairs)
    }

    mutating func string(_ node: Node) -> String? {
        guard case .scalar(let scalar) = node else {
            problem(node, "expected a single value here, not a list or a mapping")
            return nil
        }
        return scalar.string
    }

    mutating func bool(_ node: Node) -> Bool? {
        guard let text = string(node) else { return nil }
        switch text.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default:
            problem(node, "expected true or false, found \(text)")
            return nil
        }
    }

    /// A scalar `true`/`false` (yes/no, on/off), nil for anything else, without reporting.
    static func scalarBool(_ node: Node) -> Bool? {
        guard case .scalar(let scalar) = node else { return nil }
        switch scalar.string.lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: return nil
        }
    }

    /// A value that may be one item or a list of items, as a list.
    static func items(_ node: Node) -> [Node] {
        if case .sequence(let list) = node { return Array(list) }
        return [node]
    }

    /// An adjustment type named in any case, or a problem with the closest type's name.
    mutating func adjustmentType(_ node: Node) -> AdjustmentType? {
        guard let name = string(node) else { return nil }
        guard let type = AdjustmentType(named: name) else {
            let hint = closest(to: name, in: AdjustmentType.names.map { $0.lowercased() }).map { ": did you mean \($0.uppercased())?" } ?? ""
            problem(node, "\(name) is not an adjustment type: use one of \(AdjustmentType.names.joined(separator: ", "))\(hint)")
            return nil
        }
        return type
    }

    /// A `reasons:` map, source reason to adjustment type (a mapping file's or a pipeline's).
    mutating func reasonTypes(_ node: Node, what: String) -> [String: AdjustmentType] {
        guard let entries = mapping(node, allowed: nil, what: what) else { return [:] }
        var types: [String: AdjustmentType] = [:]
        var seen: [String: String] = [:]
        for (reason, value) in entries.pairs {
            // Reasons match in any case: two spellings of one would map it twice.
            if let earlier = seen.updateValue(reason, forKey: reason.lowercased()) {
                problem(value, "\(reason) and \(earlier) are one reason (reasons match in any case): keep one")
                continue
            }
            if let type = adjustmentType(value) { types[reason] = type }
        }
        return types
    }

    /// A configuration file's text; a file that cannot be read or is not UTF-8 is a problem
    /// without a line (`what`: "mapping file", "pipeline file").
    static func text(ofFile path: String, displayName: String, what: String) throws -> String {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigurationError([ConfigurationProblem(file: displayName, line: nil, column: nil, "cannot read the \(what)")])
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ConfigurationError([ConfigurationProblem(file: displayName, line: nil, column: nil, "the \(what) is not UTF-8")])
        }
        return text
    }

    mutating func choice(_ node: Node, _ allowed: [String], ignoringCase: Bool = false) -> String? {
        guard let text = string(node) else { return nil }
        guard allowed.contains(ignoringCase ? text.uppercased() : text) else {
            let shown = allowed.map { $0 == "\t" ? "\"\\t\"" : $0 }
            let hint = closest(to: text, in: allowed).map { ": did you mean \($0)?" } ?? ""
            problem(node, "\(text) is not one of \(shown.joined(separator: ", "))\(hint)")
            return nil
        }
        return text
    }
}
