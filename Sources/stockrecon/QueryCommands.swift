import ArgumentParser
import StockReconCore
import StockReconPipeline

extension OutputFormat: ExpressibleByArgument {}

struct BalanceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "balance", abstract: "On-hand per variant and location.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "Only this variant_id.") var variant: String?
    @Option(help: "Only this location_id.") var location: String?
    @Option(help: ArgumentHelp(
        "On-hand as of this time, by stock date (ISO-8601; a day alone means its end), valued at the unit cost in force then.",
        valueName: "time")) var asOf: String?
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func validate() throws {
        if let asOf, Timestamp.moment(asOf, dayMeansItsEnd: true) == nil {
            throw ValidationError("--as-of \(asOf) is not a time: give ISO-8601 such as 2026-08-31T18:00:00Z, or a day such as 2026-08-31")
        }
    }

    func run() throws {
        try reportingFailures {
            let database = try global.openDatabase(forReading: true)
            let format = global.json ? .json : format
            if let moment = asOf.flatMap({ Timestamp.moment($0, dayMeansItsEnd: true) }) {
                try printListing(format: format, name: "balances", columns: StockDatabase.asOfColumns) { row in
                    try database.forEachBalance(tenantID: tenant, variantID: variant, locationID: location, asOf: moment, row)
                }
            } else {
                try printListing(format: format, name: "balances", columns: StockDatabase.balanceColumns) { row in
                    try database.forEachBalance(tenantID: tenant, variantID: variant, locationID: location, row)
                }
            }
            return 0
        }
    }
}

struct MovementsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "movements", abstract: "The ledger in order, a page at a time.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "Only this variant_id.") var variant: String?
    @Option(help: "Only this location_id.") var location: String?
    @Option(help: "Start after this movement id (the last id of the previous page).") var sinceId: Int64 = 0
    @Option(help: "At most this many movements.") var limit: Int = 100
    @Option(help: ArgumentHelp("Only movements with a stock date at or after this time (a day alone: its start).", valueName: "time"))
    var from: String?
    @Option(help: ArgumentHelp("Only movements with a stock date at or before this time (a day alone: its end).", valueName: "time"))
    var to: String?
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        guard sinceId >= 0 else { throw ValidationError("--since-id cannot be negative") }
        for (option, value) in [("--from", from), ("--to", to)] {
            if let value, Timestamp.moment(value, dayMeansItsEnd: false) == nil {
                throw ValidationError("\(option) \(value) is not a time: give ISO-8601 such as 2026-08-01T00:00:00Z, or a day such as 2026-08-01")
            }
        }
    }

    func run() throws {
        try reportingFailures {
            let database = try global.openDatabase(forReading: true)
            let (from, to) = (from.flatMap { Timestamp.moment($0, dayMeansItsEnd: false) }, to.flatMap { Timestamp.moment($0, dayMeansItsEnd: true) })
            // The last pass's rows: a full page names the id the next one starts after.
            var (count, last) = (0, Int64?.none)
            try printListing(
                format: global.json ? .json : format, name: "movements", columns: StockDatabase.movementColumns,
                extra: { [("next_since_id", count == limit ? last.map { String($0) } ?? "null" : "null")] }
            ) { each in
                (count, last) = (0, nil)
                try database.forEachMovement(
                    tenantID: tenant, variantID: variant, locationID: location, sinceID: sinceId, limit: limit, from: from, to: to
                ) { values in
                    count += 1
                    if case .integer(let id)? = values.first { last = id }
                    try each(values)
                }
            }
            return 0
        }
    }
}

/// Prints a listing a row at a time, a megabyte at a time, never holding it whole: `rows` runs
/// once for CSV and JSON, twice for aligned text (its columns' widths first).
/// `extra`: JSON members after the rows, asked for once they are written.
func printListing(
    format: OutputFormat, name: String, columns: [String], extra: () -> [(String, String)] = { [] },
    _ rows: (_ each: ([TableValue]) throws -> Void) throws -> Void
) throws {
    var widths: [Int]?
    var isEmpty = true
    if format == .text {
        var found = columns.map(\.count)
        try rows { row in
            TableWriter.widen(&found, by: row)
            isEmpty = false
        }
        widths = found
    }
    var writer = TableWriter(format: format, name: name, columns: columns, widths: widths)
    let out = BufferedOutput.standardOutput()
    try out.write(writer.start(empty: isEmpty))
    try rows { row in try out.write(writer.line(row)) }
    try out.write(writer.end(extra: extra()))
    try out.close()
}
