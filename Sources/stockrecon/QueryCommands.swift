import ArgumentParser
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
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func run() throws {
        try reportingFailures {
            let table = try global.openDatabase(forReading: true).balances(tenantID: tenant, variantID: variant, locationID: location)
            print(table.rendered(as: global.json ? .json : format, name: "balances"), terminator: "")
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
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func validate() throws {
        guard limit > 0 else { throw ValidationError("--limit must be at least 1") }
        guard sinceId >= 0 else { throw ValidationError("--since-id cannot be negative") }
    }

    func run() throws {
        try reportingFailures {
            let table = try global.openDatabase(forReading: true).movements(
                tenantID: tenant, variantID: variant, locationID: location, sinceID: sinceId, limit: limit)
            var next = "null"
            if table.rows.count == limit, case .integer(let last)? = table.rows.last?.first { next = String(last) }
            print(table.rendered(as: global.json ? .json : format, name: "movements", extra: [("next_since_id", next)]), terminator: "")
            return 0
        }
    }
}
