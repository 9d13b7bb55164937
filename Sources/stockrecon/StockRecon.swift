import ArgumentParser
import Foundation
import StockReconPipeline

@main
struct StockRecon: ParsableCommand {
    /// `--db` and `--json` are global (SPEC section 5): given before the command, they are
    /// moved after it, where each command's options read them.
    static func main() {
        Allocator.returnLargeBlocks()
        main(GlobalOptions.movingLeadingGlobals(Array(CommandLine.arguments.dropFirst())))
    }

    static let configuration = CommandConfiguration(
        commandName: "stockrecon",
        abstract: "Batch import and reconciliation of inventory into an append-only ledger (SQLite, or PostgreSQL).",
        subcommands: [
            CatalogCommand.self, ImportCommand.self, ReceiveCommand.self, RunPipelineCommand.self, ApprovalsCommand.self, ReverseCommand.self,
            CountCommand.self, ReportCommand.self, RunsCommand.self, RejectionsCommand.self, BalanceCommand.self, MovementsCommand.self,
            FormatsCommand.self,
        ])
}

/// Options every command takes.
struct GlobalOptions: ParsableArguments {
    @Option(name: .long, help: "The SQLite file, or a postgresql:// URL (default: $STOCKRECON_DB, else ./stockrecon.sqlite).")
    var db: String?

    @Flag(name: .long, help: "Print the result as one JSON object on stdout.")
    var json = false

    var databasePath: String {
        db ?? ProcessInfo.processInfo.environment["STOCKRECON_DB"] ?? "./stockrecon.sqlite"
    }

    /// The store; `forReading` for commands that only read, which then work on a database
    /// the user may only read.
    func openDatabase(forReading: Bool = false) throws -> StockDatabase {
        try StockDatabase(path: databasePath, forReading: forReading)
    }

    /// `stockrecon --db x.sqlite balance …` as `stockrecon balance … --db x.sqlite`.
    static func movingLeadingGlobals(_ arguments: [String]) -> [String] {
        var leading: [String] = []
        var index = 0
        while index < arguments.count, arguments[index].hasPrefix("--") {
            let argument = arguments[index]
            if argument == "--db", index + 1 < arguments.count {
                leading += [argument, arguments[index + 1]]
                index += 2
            } else if argument.hasPrefix("--db=") || argument == "--json" {
                leading.append(argument)
                index += 1
            } else {
                break
            }
        }
        guard !leading.isEmpty else { return arguments }
        var rest = Array(arguments[index...])
        let end = rest.firstIndex(of: "--") ?? rest.count
        rest.insert(contentsOf: leading, at: end)
        return rest
    }
}

/// Runs a command body, mapping failures to SPEC section 5's exit statuses: 64 for a usage
/// error (nothing done), 2 for a fatal one.
func reportingFailures(_ body: () throws -> Int32) throws {
    let status: Int32
    do {
        status = try body()
    } catch let error as ConfigurationError {
        writeError(error.description + "\n")
        throw ExitCode(64)
    } catch let error as UsageError {
        writeError("stockrecon: error: \(error.message)\n")
        throw ExitCode(64)
    } catch let refusal as Refusal {
        writeError("stockrecon: refused: \(refusal.message)\n")
        throw ExitCode(64)
    } catch let error as ExitCode {
        throw error
    } catch {
        writeError("stockrecon: error: \(error)\n")
        throw ExitCode(2)
    }
    if status != 0 { throw ExitCode(status) }
}

/// Prints a run's summary for people or as JSON, and returns its exit status.
func finish(_ report: RunReport, json: Bool, verb: String = "posted") -> Int32 {
    if json {
        print(report.json, terminator: "")
    } else {
        let text = report.text(verb: verb)
        if report.counts.rejected > 0 { writeError(text) } else { print(text, terminator: "") }
    }
    return report.exitStatus
}
