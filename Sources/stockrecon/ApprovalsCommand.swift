import ArgumentParser
import StockReconPipeline

struct ApprovalsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approvals", abstract: "Adjustments held for a manager: list, approve, reject.",
        subcommands: [ApprovalsListCommand.self, ApproveCommand.self, RejectCommand.self])
}

struct ApprovalsListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "A tenant's approvals.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "Only PENDING, APPROVED or REJECTED (any case).") var status: ApprovalStatus?
    @Option(help: "Only this variant_id.") var variant: String?
    @Option(help: "text, csv or json (--json is json).") var format: OutputFormat = .text

    func run() throws {
        try reportingFailures {
            let database = try global.openDatabase(forReading: true)
            try printListing(format: global.json ? .json : format, name: "approvals", columns: StockDatabase.approvalColumns) { row in
                try database.forEachApproval(tenantID: tenant, status: status, variantID: variant, row)
            }
            return 0
        }
    }
}

/// What approving and rejecting share.
struct DecisionOptions: ParsableArguments {
    @OptionGroup var tenantOption: TenantOption
    @Argument(help: "The approval's id.") var approvalID: Int64
    @Option(help: "The deciding user: a manager of the approval's tenant.") var user: String
    @Option(help: "A note kept with the decision.") var note: String?
}

func decide(_ options: DecisionOptions, global: GlobalOptions, approve: Bool) throws {
    try reportingFailures {
        let decision = try global.openDatabase().decide(
            approvalID: options.approvalID, tenantID: options.tenantOption.id, userID: options.user, note: options.note, approve: approve)
        if global.json {
            print(#"{"approval_id":\#(decision.approvalID),"status":"\#(decision.status.rawValue)","movement_id":\#(decision.movementID.map { String($0) } ?? "null"),"run_id":\#(decision.runID)}"#)
        } else {
            print("approval \(decision.approvalID) \(decision.status.rawValue.lowercased())"
                + (decision.movementID.map { ": posted movement \($0)" } ?? ""))
        }
        return 0
    }
}

struct ApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "approve", abstract: "Approve: post the held movement.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: DecisionOptions
    func run() throws { try decide(options, global: global, approve: true) }
}

struct RejectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "reject", abstract: "Reject: post nothing.")
    @OptionGroup var global: GlobalOptions
    @OptionGroup var options: DecisionOptions
    func run() throws { try decide(options, global: global, approve: false) }
}

struct ReverseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reverse", abstract: "Post the opposite of a movement, or of every movement of a run (each at most once).")

    @OptionGroup var global: GlobalOptions
    @Argument(help: "The movement's id.") var movementID: Int64?
    @Option(name: .customLong("run"), help: "Reverse every movement this run posted (a wrong import), instead of one movement.")
    var runID: Int64?
    @OptionGroup var tenantOption: TenantOption
    var tenant: String { tenantOption.id }
    @Option(help: "The user reversing.") var user: String
    @Option(help: "Why: kept as the reversal's reason_code.") var reason: String

    func validate() throws {
        if (movementID == nil) == (runID == nil) { throw ValidationError("give a movement's id or --run RUN_ID, not both") }
    }

    func run() throws {
        try reportingFailures {
            let database = try global.openDatabase()
            if let run = runID {
                let undone = try database.reverse(runID: run, tenantID: tenant, userID: user, reason: reason)
                if global.json {
                    print(#"{"reversed_run":\#(run),"run_id":\#(undone.runID),"reversals":\#(undone.reversals),"already_reversed":\#(undone.alreadyReversed)}"#)
                } else {
                    print("run \(run) reversed by run \(undone.runID): \(undone.reversals) reversals posted"
                        + (undone.alreadyReversed > 0 ? " (\(undone.alreadyReversed) of its movements were reversed before)" : ""))
                }
                return 0
            }
            guard let movementID else { throw UsageError("give a movement's id or --run RUN_ID") }
            let (reversal, run) = try database.reverse(movementID: movementID, tenantID: tenant, userID: user, reason: reason)
            if global.json {
                print(#"{"movement_id":\#(reversal),"reverses_id":\#(movementID),"run_id":\#(run)}"#)
            } else {
                print("movement \(movementID) reversed by movement \(reversal)")
            }
            return 0
        }
    }
}

extension ApprovalStatus: ExpressibleByArgument {
    public init?(argument: String) { self.init(rawValue: argument.uppercased()) }
}
