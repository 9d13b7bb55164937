import ArgumentParser
import Foundation
import StockReconPipeline

struct RunPipelineCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "Run a pipeline file's stages in order (for cron: one command, one summary).")

    @OptionGroup var global: GlobalOptions
    @Flag(help: "Run every stage and print what would happen; write nothing.") var dryRun = false
    @Argument(help: "The pipeline file (YAML or JSON).") var pipeline: String

    func run() throws {
        try reportingFailures {
            let definition = try PipelineFile.load(path: pipeline)
            // --db, else the file's `database:`, else $STOCKRECON_DB, else ./stockrecon.sqlite.
            let database = try StockDatabase(path: global.db ?? definition.database ?? global.databasePath)
            var progress: ProgressHandler?
            if ProgressBar.isWanted {
                let bar = ProgressBar()
                progress = { bar.update(file: $0, bytesRead: $1, totalBytes: $2) }
            }
            let report = try PipelineRunner(database: database, progress: progress).run(
                definition, userID: ProcessInfo.processInfo.environment["STOCKRECON_USER"], isDryRun: dryRun)
            if global.json {
                print(report.json, terminator: "")
            } else {
                print(report.text(tenantID: definition.tenantID), terminator: "")
            }
            return report.exitStatus
        }
    }
}

struct RunsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "runs", abstract: "What ran, when, with its five counts (the latest first).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "At most this many runs.") var limit: Int = 20
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
    }

    func run() throws {
        try reportingFailures {
            let table = try global.openDatabase(forReading: true).runs(tenantID: tenant, limit: limit)
            print(table.rendered(as: global.json ? .json : format, name: "runs"), terminator: "")
            return 0
        }
    }
}

extension StockDatabase.RunSelector: ExpressibleByArgument {
    public init?(argument: String) {
        if argument == "last" {
            self = .last
        } else if let id = Int64(argument), id > 0 {
            self = .id(id)
        } else {
            return nil
        }
    }
}

struct RejectionsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rejections", abstract: "The rejected rows of a run, to fix and import again.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(name: .customLong("run"), help: "A run id, or last: the last command (all stages of a pipeline run).")
    var selector: StockDatabase.RunSelector = .last
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func run() throws {
        try reportingFailures {
            let database = try global.openDatabase(forReading: true)
            let runs = try database.rejectionRuns(tenantID: tenant, run: selector)
            guard !runs.isEmpty else {
                throw UsageError("tenant \(tenant) has no run \(selector == .last ? "yet" : "with that id"): see `stockrecon runs --tenant \(tenant)`")
            }
            try printListing(format: global.json ? .json : format, name: "rejections", columns: StockDatabase.rejectionColumns) { row in
                try database.forEachRejection(tenantID: tenant, runs: runs, row)
            }
            return 0
        }
    }
}
