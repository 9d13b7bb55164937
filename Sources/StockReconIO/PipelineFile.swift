import Foundation
import StockReconCore
import Yams
#if canImport(Glibc)
import Glibc
#endif

/// A pipeline file (SPEC section 7) read and checked whole: every stage's files found, every
/// mapping loaded and fitted to its files. Nothing here touches the database.
public struct PipelineDefinition: Sendable {
    /// The file as it was named, for messages and for the runs its stages log.
    public var file: String
    public var tenantID: String
    public var orgID: String
    public var userID: String?
    /// The file's `database:` (a path relative to the pipeline file, or a `postgresql://` URL), if it names one.
    public var database: String?
    public var rules: AdjustmentRules
    /// `rules.receiving` (the receive stages' tolerances) and `rules.counts`.
    public var receiving = ReceivingPolicy()
    public var counts = CountRules()
    public var stages: [PipelineStage]
}

/// One stage of a pipeline, with the files its globs matched.
public struct PipelineStage: Sendable {
    public enum Work: Sendable {
        case catalog
        case importing(ColumnMapping)
        case receive(ReceiveStage)
        case count(CountStage)
        case report(ReportStage)
    }
    public var work: Work
    public var files: [InputFile]
    /// How the stage is named in summaries and in `runs`: `catalog`, `import --format synq`,
    /// `import --mapping pos`.
    public var label: String
}

public enum PipelineFile {
    static let topLevelKeys = ["tenant", "org", "user", "database", "rules", "mappings", "stages"]
    static let ruleKeys = ["approval", "require_reason", "forbid_negative_stock", "reasons", "strict_reasons", "receiving", "counts"]
    static let approvalKeys = ["max_units", "max_value", "always"]
    static let receivingKeys = ["over_receipt_tolerance", "price_variance_tolerance"]
    static let countKeys = ["review_over_value"]
    /// The kinds of stage a pipeline file may name.
    enum StageKind: String, CaseIterable { case catalog, `import`, receive, count, report }
    static let stageKinds = StageKind.allCases.map(\.rawValue)
    static let receiveStageKeys = ["purchase_orders", "orders_mapping", "files", "mapping"]
    static let countStageKeys = ["type", "name", "location", "user", "notes", "sheets", "mapping", "complete", "counted_at"]
    static let reportStageKeys = ["kind", "format", "output", "from", "to", "po"]

    /// Reads and checks a pipeline file; every problem is reported at once as a `ConfigurationError`.
    public static func load(path: String) throws -> PipelineDefinition {
        let text = try ConfigurationReader.text(ofFile: path, displayName: path, what: "pipeline file")
        return try parse(text, file: path, folder: (path as NSString).deletingLastPathComponent)
    }

    /// Reads a pipeline's text; `folder` is where its relative paths start.
    public static func parse(_ text: String, file: String, folder: String) throws -> PipelineDefinition {
        var reader = ConfigurationReader(file: file)
        guard let root = reader.document(text),
              let top = reader.mapping(root, allowed: topLevelKeys, what: "the pipeline")
        else { throw ConfigurationError(reader.problems) }
        let paths = PathResolver(folder: folder)
        func required(_ key: String, _ example: String) -> String? {
            guard let node = top[key] else {
                reader.problem(root, "the pipeline has no `\(key)`: add `\(key): \(example)`")
                return nil
            }
            return reader.string(node)
        }
        let tenantID = required("tenant", "acme")
        if let tenantID, let message = Diagnostic.tenantTooLong(tenantID) { reader.problem(top["tenant"], message) }
        let orgID = required("org", "northwind")
        let userID = top["user"].flatMap { reader.string($0) }
        // A server's URL is taken as it is; a file's path is relative to the pipeline file.
        let database = top["database"].flatMap { reader.string($0) }.map { $0.contains("://") ? $0 : paths.resolve($0) }
        var rules = AdjustmentRules()
        var receiving = ReceivingPolicy()
        var counts = CountRules()
        if let node = top["rules"] { readRules(node, into: &rules, &receiving, &counts, reader: &reader) }
        var mappings: [String: (mapping: ColumnMapping, node: Node)] = [:]
        if let node = top["mappings"], let entries = reader.mapping(node, allowed: nil, what: "mappings") {
            for (name, value) in entries.pairs {
                if let mapping = readMapping(name: name, value, paths: paths, reader: &reader) { mappings[name] = (mapping, value) }
            }
        }
        var stages: [PipelineStage] = []
        if let node = top["stages"] {
            if case .sequence(let list) = node, !list.isEmpty {
                for stage in list {
                    if let read = readStage(stage, mappings: mappings, paths: paths, reader: &reader) { stages.append(read) }
                }
            } else {
                reader.problem(node, "stages must be a list of stages, such as `- import: {format: synq, files: [exports/*.csv]}`")
            }
        } else {
            reader.problem(root, "the pipeline has no `stages`: add a list of stages (catalog, import)")
        }
        guard reader.problems.isEmpty, let tenantID, let orgID else { throw ConfigurationError(reader.problems) }
        return PipelineDefinition(
            file: file, tenantID: tenantID, orgID: orgID, userID: userID, database: database, rules: rules,
            receiving: receiving, counts: counts, stages: stages)
    }

    // MARK: - Rules

    private static func readRules(
        _ node: Node, into rules: inout AdjustmentRules, _ receiving: inout ReceivingPolicy, _ counts: inout CountRules,
        reader: inout ConfigurationReader
    ) {
        guard let members = reader.mapping(node, allowed: ruleKeys, what: "rules") else { return }
        if let node = members["approval"], let approval = reader.mapping(node, allowed: approvalKeys, what: "rules.approval") {
            if let node = approval["max_units"], let text = reader.string(node) {
                if let units = Int64(text), units >= 0 {
                    rules.approval.maxUnits = units
                } else {
                    reader.problem(node, "max_units must be a whole number of units, 0 or more, such as 50; found \(text)")
                }
            }
            if let node = approval["max_value"], let value = money(node, reader: &reader) { rules.approval.maxValueMinor = value }
            if let node = approval["always"] {
                rules.approval.alwaysRequiresApproval = Set(ConfigurationReader.items(node).compactMap { reader.adjustmentType($0) })
            }
        }
        if let node = members["require_reason"], let flag = reader.bool(node) { rules.isReasonRequired = flag }
        if let node = members["forbid_negative_stock"], let flag = reader.bool(node) { rules.isNegativeStockForbidden = flag }
        var isStrict = false
        if let node = members["strict_reasons"], let flag = reader.bool(node) { isStrict = flag }
        let reasons = members["reasons"].map { reader.reasonTypes($0, what: "rules.reasons") } ?? [:]
        rules.reasons = ReasonMap(reasons, isStrict: isStrict)
        if let node = members["receiving"], let entries = reader.mapping(node, allowed: receivingKeys, what: "rules.receiving") {
            if let node = entries["over_receipt_tolerance"], let value = percent(node, reader: &reader) {
                receiving.overReceiptToleranceBasisPoints = value
            }
            if let node = entries["price_variance_tolerance"], let value = percent(node, reader: &reader) {
                receiving.priceVarianceToleranceBasisPoints = value
            }
        }
        if let node = members["counts"], let entries = reader.mapping(node, allowed: countKeys, what: "rules.counts"),
           let value = entries["review_over_value"].flatMap({ money($0, reader: &reader) }) {
            counts.reviewOverValueMinor = value
        }
    }

    /// An exact, non-negative amount such as `"500.00"`, in minor units.
    private static func money(_ node: Node, reader: inout ConfigurationReader) -> Int64? {
        guard let text = reader.string(node) else { return nil }
        guard case .success(let money) = Money.parse(text), money.minorUnits >= 0 else {
            reader.problem(node, "expected an amount with at most 2 decimals, 0 or more, such as \"500.00\"; found \(text)")
            return nil
        }
        return money.minorUnits
    }

    /// A percentage such as `"2.5%"`, in basis points.
    private static func percent(_ node: Node, reader: inout ConfigurationReader) -> Int64? {
        guard let text = reader.string(node) else { return nil }
        guard let basisPoints = Percentage.basisPoints(text) else {
            reader.problem(node, "expected a percentage with at most 2 decimals, such as \"2.5%\"; found \(text)")
            return nil
        }
        return basisPoints
    }

    // MARK: - Mappings and stages

    /// A named mapping: a mapping file's path (relative to the pipeline) or a mapping written inline.
    private static func readMapping(name: String, _ node: Node, paths: PathResolver, reader: inout ConfigurationReader) -> ColumnMapping? {
        if case .mapping = node { return MappingFile.read(node, name: name, reader: &reader) }
        guard let path = reader.string(node) else { return nil }
        do {
            var mapping = try MappingFile.load(path: paths.resolve(path), displayName: paths.display(path))
            mapping.name = name
            return mapping
        } catch let error as ConfigurationError {
            if error.problems.contains(where: { $0.line == nil }) {
                reader.problem(node, "cannot read the mapping file \(paths.display(path)): check the path (relative to the pipeline file)")
            } else {
                for problem in error.problems { reader.add(problem) }
            }
            return nil
        } catch {
            reader.problem(node, "cannot read the mapping file \(paths.display(path)): \(error)")
            return nil
        }
    }

    private static func readStage(
        _ node: Node, mappings: [String: (mapping: ColumnMapping, node: Node)], paths: PathResolver,
        reader: inout ConfigurationReader
    ) -> PipelineStage? {
        guard let members = reader.mapping(node, allowed: stageKinds, what: "a stage"), let (kind, body) = members.pairs.first else { return nil }
        guard members.pairs.count == 1 else {
            reader.problem(node, "a stage has exactly one kind (\(stageKinds.joined(separator: ", "))): write each as its own `- ` item")
            return nil
        }
        guard let stageKind = StageKind(rawValue: kind) else { return nil }  // the mapping allowed only these
        switch stageKind {
        case .receive: return readReceiveStage(body, mappings: mappings, paths: paths, reader: &reader)
        case .count: return readCountStage(body, mappings: mappings, paths: paths, reader: &reader)
        case .report: return readReportStage(body, paths: paths, reader: &reader)
        case .catalog: return readCatalogStage(body, paths: paths, reader: &reader)
        case .import: return readImportStage(body, mappings: mappings, paths: paths, reader: &reader)
        }
    }

    /// `catalog: [globs]` or `catalog: {files: [globs]}`.
    private static func readCatalogStage(_ body: Node, paths: PathResolver, reader: inout ConfigurationReader) -> PipelineStage? {
        var filesNode = body
        if case .mapping = body {
            guard let entries = reader.mapping(body, allowed: ["files"], what: "the catalog stage"), let files = entries["files"] else {
                reader.problem(body, "the catalog stage needs `files:`, a list of catalog files or globs")
                return nil
            }
            filesNode = files
        }
        guard let files = matchFiles(filesNode, paths: paths, reader: &reader) else { return nil }
        return PipelineStage(work: .catalog, files: files, label: "catalog")
    }

    private static func readImportStage(
        _ body: Node, mappings: [String: (mapping: ColumnMapping, node: Node)], paths: PathResolver,
        reader: inout ConfigurationReader
    ) -> PipelineStage? {
        guard let entries = reader.mapping(body, allowed: ["format", "mapping", "files"], what: "the import stage") else { return nil }
        let mapping: ColumnMapping
        let label: String
        switch (entries["format"], entries["mapping"]) {
        case (let formatNode?, nil):
            guard let name = reader.choice(formatNode, SourceFormat.allCases.map(\.rawValue)),
                  let format = SourceFormat(rawValue: name) else { return nil }
            (mapping, label) = (format.mapping, "import --format \(name)")
        case (nil, let mappingNode?):
            guard let name = reader.string(mappingNode) else { return nil }
            guard let named = mappings[name] else {
                let names = mappings.keys.sorted()
                let hint = closest(to: name, in: names).map { "did you mean `\($0)`?" }
                    ?? (names.isEmpty ? "name it under `mappings:` first" : "the pipeline's mappings are \(names.joined(separator: ", "))")
                reader.problem(mappingNode, "no mapping named `\(name)`: \(hint)")
                return nil
            }
            (mapping, label) = (named.mapping, "import --mapping \(name)")
        default:
            reader.problem(body, "an import stage takes either `format:` (\(SourceFormat.allCases.map(\.rawValue).joined(separator: ", "))) or `mapping:` (a name under `mappings:`)")
            return nil
        }
        guard let filesNode = entries["files"] else {
            reader.problem(body, "the import stage needs `files:`, a list of files or globs")
            return nil
        }
        guard let files = matchFiles(filesNode, paths: paths, reader: &reader) else { return nil }
        if mapping.requiresEveryNamedColumn {
            do {
                try Importers.checkHeaders(of: files, mapping: mapping, refusingUnreadable: true)
            } catch let error as ConfigurationError {
                for problem in error.problems {
                    reader.problem(entries["mapping"], "mapping \(mapping.name) does not fit its files: \(problem.message) (\(problem.file)\(problem.line.map { ":\($0)" } ?? ""))")
                }
                return nil
            } catch {
                reader.problem(entries["mapping"], "mapping \(mapping.name) does not fit its files: \(error)")
                return nil
            }
        }
        return PipelineStage(work: .importing(mapping), files: files, label: label)
    }

    /// A list of paths or globs (or one), relative to the pipeline file, each matching at
    /// least one file; the matches in name order.
    static func matchFiles(_ node: Node, paths: PathResolver, reader: inout ConfigurationReader) -> [InputFile]? {
        let nodes = ConfigurationReader.items(node)
        guard !nodes.isEmpty else {
            reader.problem(node, "the list of files is empty: name at least one file or glob")
            return nil
        }
        var files: [InputFile] = []
        var isComplete = true
        for node in nodes {
            guard let pattern = reader.string(node) else { isComplete = false; continue }
            let matches = paths.files(matching: pattern)
            if matches.isEmpty {
                reader.problem(node, "\(pattern) matches no file (looked for \(paths.display(pattern))): check the path, relative to the pipeline file")
                isComplete = false
            }
            files += matches
        }
        return isComplete ? files : nil
    }
}

/// Paths relative to a pipeline file's folder: resolved, shown, and globbed.
struct PathResolver {
    let folder: String

    func resolve(_ path: String) -> String {
        if path.hasPrefix("/") || folder.isEmpty { return path }
        return folder + "/" + path
    }

    /// The path as a person at the current folder would write it.
    func display(_ path: String) -> String {
        let standardized = URL(fileURLWithPath: resolve(path)).standardizedFileURL.path
        let here = FileManager.default.currentDirectoryPath
        return standardized.hasPrefix(here + "/") ? String(standardized.dropFirst(here.count + 1)) : standardized
    }

    /// Regular files matching a glob pattern, in name order.
    func files(matching pattern: String) -> [InputFile] {
        let full = display(pattern)
        var matches = glob_t()
        defer { globfree(&matches) }
        guard glob(full, 0, nil, &matches) == 0 else { return [] }
        var paths: [String] = []
        for index in 0 ..< Int(matches.gl_pathc) {
            guard let path = matches.gl_pathv[index].map({ String(cString: $0) }) else { continue }
            // Regular files only: a glob over `/dev` must not read a terminal or a pipe.
            if FileManager.default.fileExists(atPath: path), InputFile.irregularity(of: path, displayName: path) == nil { paths.append(path) }
        }
        return paths.sorted().map { InputFile(path: $0, displayName: $0) }
    }
}
