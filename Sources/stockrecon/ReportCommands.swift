import ArgumentParser
import Foundation
import StockReconPipeline

extension ReportFormat: ExpressibleByArgument {}

struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Reports in Markdown, CSV, JSON or one self-contained HTML page.",
        subcommands: [VarianceReportCommand.self, SummaryReportCommand.self, ReceiptsReportCommand.self])
}

/// Where a report goes, and in which format.
struct ReportOutput: ParsableArguments {
    @Option(help: "md, csv, json or html (--json is json).") var format: ReportFormat = .md
    @Option(name: .shortAndLong, help: "Write the report to this file (default: standard output).") var output: String?

    func write(_ document: ReportDocument, json: Bool) throws {
        let format = json ? .json : format
        guard let output else { return try document.write(as: format, to: .standardOutput()) }
        do {
            try OutputFile.write(to: output) { url in try document.write(as: format, to: BufferedOutput(url)) }
        } catch {
            throw OutputError(path: output, underlying: error)
        }
        writeError("wrote \(output)\n")
    }
}

/// `--review-over AMOUNT` as the counts rule it sets.
func countRules(reviewOver text: String) throws -> CountRules {
    guard case .success(let money) = Money.parse(text), money.minorUnits >= 0 else {
        throw UsageError("--review-over must be a non-negative amount such as 100.00, not \(text)")
    }
    return CountRules(reviewOverValueMinor: money.minorUnits)
}

struct VarianceReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "variance", abstract: "A count's variance: every line, what moved during the count, the largest variances.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64
    @Option(help: "Flag lines whose |variance value| is above this (default: the threshold the count was completed with, else 100.00).")
    var reviewOver: String?
    @OptionGroup var output: ReportOutput

    func run() throws {
        try reportingFailures {
            let rules = try reviewOver.map(countRules(reviewOver:))
            let document = try Reporting(database: global.openDatabase(forReading: true)).variance(countID: countID, tenantID: tenant, rules: rules)
            try output.write(document, json: global.json)
            return 0
        }
    }
}

struct SummaryReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "summary", abstract: "A tenant's movements by type, reason and location, and its counts, over a period.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "The first day (YYYY-MM-DD), inclusive.") var from: String?
    @Option(help: "The last day (YYYY-MM-DD), inclusive.") var to: String?
    @OptionGroup var output: ReportOutput

    func validate() throws {
        for (name, value) in [("--from", from), ("--to", to)] {
            if let value, !Timestamp.isDay(value) { throw ValidationError("\(name) must be a date such as 2026-11-23, not \(value)") }
        }
    }

    func run() throws {
        try reportingFailures {
            let document = try Reporting(database: global.openDatabase(forReading: true)).summary(tenantID: tenant, from: from, to: to)
            try output.write(document, json: global.json)
            return 0
        }
    }
}

struct ReceiptsReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "receipts", abstract: "Order lines complete, short, over-received or unreceived, and the receipts to look at.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "One purchase order only.") var po: String?
    @OptionGroup var output: ReportOutput

    func run() throws {
        try reportingFailures {
            let document = try Reporting(database: global.openDatabase(forReading: true)).receipts(tenantID: tenant, po: po)
            try output.write(document, json: global.json)
            return 0
        }
    }
}
