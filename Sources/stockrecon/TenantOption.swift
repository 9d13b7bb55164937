import ArgumentParser
import StockReconCore
import Foundation

/// `--tenant`, which every command that reads or changes a tenant's data takes, defaulting
/// to `$STOCKRECON_TENANT` so that a user sets it once (SPEC section 5).
struct TenantOption: ParsableArguments {
    @Option(name: .customLong("tenant"), help: "The tenant (default: $STOCKRECON_TENANT).")
    var given: String?

    static var fromEnvironment: String? {
        ProcessInfo.processInfo.environment["STOCKRECON_TENANT"].flatMap { $0.isEmpty ? nil : $0 }
    }

    func validate() throws {
        guard given ?? Self.fromEnvironment != nil else {
            throw ValidationError("Missing expected argument '--tenant <tenant>' (or set STOCKRECON_TENANT)")
        }
        if let message = Diagnostic.tenantTooLong(id) { throw ValidationError(message) }
    }

    /// The tenant given, else the environment's; `validate` made sure there is one.
    var id: String { given ?? Self.fromEnvironment ?? "" }
}
