import GRDB
import StockReconCore
import StockReconStore

/// The tenant, org, user and catalog a run acts for, and its row in `runs`.
struct RunSetup {
    var catalog: Catalog
    var org: Catalog.Org
    var context: PostingContext

    static func begin(
        _ db: Database, tenantID: String, orgID: String, userID: String?, command: String, isDryRun: Bool
    ) throws -> RunSetup {
        var setup: RunSetup?
        let start = {
            let tenant = try Store.tenantKey(db, tenantID)
            let catalog = try Store.catalog(tenant: tenant, in: db)
            guard let org = catalog.orgs[orgID] else {
                throw UsageError("org \(orgID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) ORGS.csv`")
            }
            var user: Int64?
            if let userID {
                guard let known = catalog.users[userID] else {
                    throw UsageError("user \(userID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) USERS.csv`")
                }
                user = known.id
            }
            let run = try Store.beginRun(tenant: tenant, orgID: orgID, command: command, in: db)
            setup = RunSetup(
                catalog: catalog, org: org,
                context: PostingContext(tenant: tenant, tenantID: tenantID, org: org.id, run: run, user: user))
        }
        if isDryRun {
            try start()
        } else {
            try db.inTransaction(.immediate) {
                try start()
                return .commit
            }
        }
        guard let setup else { throw UsageError("the run could not start") }
        return setup
    }

    func finish(in db: Database, isDryRun: Bool) throws {
        if isDryRun { return }
        try db.inTransaction(.immediate) {
            try Store.finishRun(context.run, in: db)
            return .commit
        }
    }
}
