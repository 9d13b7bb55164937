import ArgumentParser
import StockReconCore
import Foundation
import StockReconPipeline

extension CountType: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}

extension UncountedPolicy: ExpressibleByArgument {}
extension SheetFormat: ExpressibleByArgument {}

struct CountCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "count", abstract: "Stocktakes: start a count, hand out a blind sheet, add counted sheets, complete.",
        subcommands: [
            CountStartCommand.self, CountSheetCommand.self, CountAddCommand.self, CountCompleteCommand.self,
            CountCancelCommand.self, CountShowCommand.self, CountListCommand.self,
        ])
}

struct CountStartCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "start", abstract: "Start a count (managers only).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "The org whose stock is counted.") var org: String
    @Option(help: "FULL, CYCLE, SPOT or ANNUAL.") var type: CountType
    @Option(help: "A name people recognise (\"Aisle 3\").") var name: String
    @Option(help: "Count one location only (default: every location).") var location: String?
    @Option(help: "Notes kept with the count.") var notes: String?
    @Option(help: "The manager starting it.") var user: String
    @Option(help: ArgumentHelp(
        "When the stock was counted (ISO-8601; a day alone means its end; default: now): system quantities are on-hand then.",
        valueName: "time")) var countedAt: String?

    func validate() throws {
        if let countedAt, Timestamp.moment(countedAt, dayMeansItsEnd: true) == nil {
            throw ValidationError("--counted-at \(countedAt) is not a time: give ISO-8601 such as 2026-08-14T18:00:00Z, or a day such as 2026-08-14")
        }
    }

    func run() throws {
        try reportingFailures {
            let id = try Counting(database: global.openDatabase()).start(CountRequest(
                tenantID: tenant, orgID: org, type: type, name: name, locationID: location, notes: notes, userID: user,
                countedAt: countedAt.flatMap { Timestamp.moment($0, dayMeansItsEnd: true) }))
            if global.json {
                print(#"{"count_id":\#(id)}"#)
            } else {
                print("count \(id) started: \(type.rawValue) \"\(name)\" at \(location ?? "every location"); "
                    + "hand out `stockrecon count sheet \(id) --tenant \(tenant) -o sheet.xlsx`, then `count add \(id) --tenant \(tenant) --user U FILE...`")
            }
            return 0
        }
    }
}

struct CountSheetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet", abstract: "Write a blind count sheet of the count's scope (no system quantities).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64
    @Option(help: "csv or xlsx (default: from the output's extension, else csv).") var format: SheetFormat?
    @Option(name: .shortAndLong, help: "The file to write.") var output: String

    func run() throws {
        try reportingFailures {
            let chosen = format ?? (output.lowercased().hasSuffix(".xlsx") ? .xlsx : .csv)
            let lines = try Counting(database: global.openDatabase(forReading: true)).writeBlindSheet(countID: countID, tenantID: tenant, format: chosen, to: output)
            if global.json {
                print(#"{"count_id":\#(countID),"file":\#(JSONText.quote(output)),"lines":\#(lines)}"#)
            } else {
                print("wrote \(output): \(lines) lines to count for count \(countID)")
            }
            return 0
        }
    }
}

struct CountAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add", abstract: "Add counted quantities from count sheets (CSV, XLSX, JSON).")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64
    @Option(help: "The user who counted (any role).") var user: String
    @Option(help: "A mapping file (YAML) that says how to read the sheets: which column is counted, how variants and locations are named.")
    var mapping: String?
    @Option(name: .customLong("format"), help: "A shop system's preset whose export is the sheet (see `stockrecon formats`).")
    var preset: String?
    @Option(help: "Replace this earlier sheet (its name as added) with the corrected one: its lines are withdrawn, the new ones added.")
    var replacing: String?
    @Flag(help: "Add a sheet that counts the same items as an earlier one as a second count of them (both count).")
    var keepEarlier = false
    @Argument(help: "Count sheets; - reads standard input.") var files: [String]

    func validate() throws {
        if replacing != nil, keepEarlier { throw ValidationError("--replacing and --keep-earlier say opposite things: give one") }
        if mapping != nil, preset != nil { throw ValidationError("give --format or --mapping, not both") }
        if let preset { _ = try FormatChoice.counts(preset) }
    }

    func run() throws {
        try reportingFailures {
            let inputs = try files.map(InputFile.resolve)
            defer { inputs.forEach { $0.cleanUp() } }
            var sheetMapping = try mapping.map { try MappingFile.load(path: $0) } ?? preset.map(FormatChoice.counts)
            // Not said: an export whose header fits one preset is read by it; anything else as a
            // count sheet of stockrecon's own columns (which says what such a sheet needs).
            if mapping == nil, preset == nil, let first = inputs.first, first.kind() != .json,
               let choice = try? FormatSniffing.choose(for: first, role: .counts), let chosen = choice.mapping {
                writeError("read as \(choice.name) (header of \(first.displayName))\n")
                sheetMapping = chosen
            }
            let report = try Counting(database: global.openDatabase()).add(
                countID: countID, tenantID: tenant, userID: user, files: inputs,
                addition: replacing.map { .replacing($0) } ?? (keepEarlier ? .besideEarlier : .new),
                mapping: sheetMapping)
            if global.json {
                print(report.json, terminator: "")
            } else {
                let text = report.text(verb: "posted").split(separator: "\n").dropLast().joined(separator: "\n")
                if !text.isEmpty { writeError(text + "\n") }
                let counts = report.counts
                print("count \(countID): \(counts.rows) rows: \(counts.pending) counted (pending until the count completes), "
                    + "\(counts.unchanged) blank (not counted), \(counts.rejected) rejected, \(counts.duplicate) duplicate")
            }
            return report.exitStatus
        }
    }
}

struct CountCompleteCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "complete", abstract: "Complete a count (managers only); --apply posts the variance.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64
    @Flag(help: "Post counted − system as pre-approved movements of type count.") var apply = false
    @Option(help: "FULL and ANNUAL counts: keep (list items with stock nobody counted) or zero (count them as zero).")
    var uncounted: UncountedPolicy = .keep
    @Option(help: "Flag lines whose |variance value| is above this amount for review (kept with the count).")
    var reviewOver = "100.00"
    @Option(help: "The manager completing it.") var user: String

    func run() throws {
        try reportingFailures {
            let completion = try Counting(database: global.openDatabase()).complete(
                countID: countID, tenantID: tenant, userID: user, apply: apply, uncounted: uncounted, rules: try countRules(reviewOver: reviewOver))
            let totals = completion.totals
            if global.json {
                let counts = completion.counts
                print(#"{"count_id":\#(countID),"run_id":\#(completion.runID),"rows":\#(counts.rows),"posted":\#(counts.posted),"pending":0,"rejected":0,"unchanged":\#(counts.unchanged),"duplicate":0,"#
                    + #""movements":\#(completion.movementsPosted),"items_counted":\#(totals.itemsCounted),"items_with_discrepancy":\#(totals.itemsWithDiscrepancy),"items_uncounted":\#(totals.itemsUncounted),"#
                    + #""missing_value_minor":\#(totals.missingValueMinor),"excess_value_minor":\#(totals.excessValueMinor),"net_variance_minor":\#(totals.netVarianceMinor)}"#)
            } else {
                print("count \(countID) completed: \(totals.itemsCounted) items counted, \(totals.itemsWithDiscrepancy) with a discrepancy"
                    + (totals.itemsUncounted > 0 ? ", \(totals.itemsUncounted) with stock not counted" : "")
                    + (totals.itemsFlagged > 0 ? ", \(totals.itemsFlagged) for review" : "")
                    + "; missing \(Money.format(minorUnits: totals.missingValueMinor)), excess \(Money.format(minorUnits: totals.excessValueMinor)), "
                    + "net \(Money.format(minorUnits: totals.netVarianceMinor))")
                print(apply
                    ? "run \(completion.runID): posted \(completion.movementsPosted) count movements"
                    : "nothing posted (without --apply the count closes with its variance); see `stockrecon report variance \(countID)`")
            }
            return 0
        }
    }
}

struct CountCancelCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "cancel", abstract: "Cancel a count (managers only); nothing is posted.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64
    @Option(help: "The manager cancelling it.") var user: String

    func run() throws {
        try reportingFailures {
            try Counting(database: global.openDatabase()).cancel(countID: countID, tenantID: tenant, userID: user)
            print(global.json ? #"{"count_id":\#(countID),"status":"CANCELLED"}"# : "count \(countID) cancelled")
            return 0
        }
    }
}

struct CountShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "show", abstract: "A count and its lines as they stand.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "The count's id.") var countID: Int64

    func run() throws {
        try reportingFailures {
            let document = try Reporting(database: global.openDatabase(forReading: true)).variance(countID: countID, tenantID: tenant)
            try document.write(as: global.json ? .json : .md, to: .standardOutput())
            return 0
        }
    }
}

struct CountListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's counts, newest first.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func run() throws {
        try reportingFailures {
            let table = try global.openDatabase(forReading: true).counts(tenantID: tenant)
            print(table.rendered(as: global.json ? .json : format, name: "counts"), terminator: "")
            return 0
        }
    }
}
