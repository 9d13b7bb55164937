import ArgumentParser
import StockReconPipeline

struct CatalogCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "catalog", abstract: "Load the catalog: orgs, locations, variants, users.",
        subcommands: [CatalogImportCommand.self])
}

struct CatalogImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Load catalog files (CSV or JSON); the kind of each is read from its header. Loading again updates.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Argument(help: "Catalog files; - reads standard input.") var files: [String]

    func run() throws {
        try reportingFailures {
            let inputs = try files.map(InputFile.resolve)
            defer { inputs.forEach { $0.cleanUp() } }
            let report = try CatalogImport(database: global.openDatabase()).run(tenantID: tenant, files: inputs)
            return finish(report, json: global.json, verb: "loaded")
        }
    }
}
