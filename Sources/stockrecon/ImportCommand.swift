import ArgumentParser
import Foundation
import StockReconPipeline

extension SourceFormat: ExpressibleByArgument {}

/// `--format`: a built-in format, or a shop system's preset in the role the command reads.
enum FormatChoice {
    static var names: [String] { SourceFormat.allCases.map(\.rawValue) + Presets.all.map(\.name) }

    /// What an import reads: the format, or the preset's books.
    static func books(_ name: String) throws -> ColumnMapping {
        if let format = SourceFormat(rawValue: name) { return format.mapping }
        if let preset = Presets.named(name) { return preset.books }
        throw ValidationError("unknown format \(name): one of \(names.joined(separator: ", ")) (see `stockrecon formats`)")
    }

    /// What `count add` reads: the preset's count role.
    static func counts(_ name: String) throws -> ColumnMapping {
        guard let preset = Presets.named(name) else {
            throw ValidationError("unknown preset \(name) for a count sheet: one of \(Presets.all.filter { $0.counts != nil }.map(\.name).joined(separator: ", "))")
        }
        guard let counts = preset.counts else {
            throw ValidationError("\(name) has no counted column: count with a sheet of `stockrecon count sheet`, or with --mapping")
        }
        return counts
    }
}

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import", abstract: "Import adjustment files for one org, exactly once.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "The org the run acts for; variants of other orgs are rejected.") var org: String
    @Option(help: "A built-in format or a shop system's preset (see `stockrecon formats`).")
    var format: String?
    @Option(help: "A mapping file (YAML) that says how to read any other export.")
    var mapping: String?
    @Option(help: "The user the movements are attributed to (default: $STOCKRECON_USER, else the tenant's system user).")
    var user: String?
    @Flag(help: "Reject a row that would take on-hand below zero (negative_stock).") var forbidNegativeStock = false
    @Flag(help: "Run every check and print what would happen; write nothing.") var dryRun = false
    @Flag(help: "Read every byte of a file that begins with an earlier clean file's rows, instead of resuming after them.")
    var noResume = false
    @Flag(help: "Import a file read before by another format or mapping as new rows (without it, such a file is refused whole).")
    var asNewRows = false
    @Argument(help: "CSV or JSON files; - reads standard input.") var files: [String]

    func validate() throws {
        if format != nil, mapping != nil {
            throw ValidationError("give either --format (\(FormatChoice.names.joined(separator: ", "))) or --mapping FILE.yaml, not both")
        }
        if let format { _ = try FormatChoice.books(format) }
    }

    func run() throws {
        try reportingFailures {
            let inputs = try files.map(InputFile.resolve)
            defer { inputs.forEach { $0.cleanUp() } }
            let columnMapping: ColumnMapping
            if let mapping {
                columnMapping = try MappingFile.load(path: mapping)
            } else if let format {
                columnMapping = try FormatChoice.books(format)
            } else {
                // Neither: the first file's header says which format or preset, and the run says so.
                guard let first = inputs.first else { throw ValidationError("name at least one file") }
                let choice = try FormatSniffing.choose(for: first, role: .books)
                writeError("read as \(choice.name) (header of \(first.displayName))\n")
                columnMapping = try FormatChoice.books(choice.name)
            }
            var request = ImportRequest(
                tenantID: tenant, orgID: org, mapping: columnMapping,
                userID: user ?? ProcessInfo.processInfo.environment["STOCKRECON_USER"], files: inputs, isDryRun: dryRun,
                rules: AdjustmentRules(isNegativeStockForbidden: forbidNegativeStock), resumesAfterEarlierFiles: !noResume)
            request.readsAgainAsNewRows = asNewRows
            var progress: ProgressHandler?
            if ProgressBar.isWanted {
                let bar = ProgressBar()
                progress = { bar.update(file: $0, bytesRead: $1, totalBytes: $2) }
            }
            let pipeline = ImportPipeline(database: try global.openDatabase(), progress: progress)
            return finish(try pipeline.run(request), json: global.json)
        }
    }
}
