import StockReconCore
import StockReconStore

/// The tenant, org, user and catalog a run acts for, and its row in `runs`.
struct RunSetup {
    var catalog: Catalog
    var org: Catalog.Org
    var context: PostingContext
    /// How the tenant's natural keys digest a row's content.
    var digest: ContentDigest

    /// The user a run is attributed to when none is named: created (as staff) on first use.
    static let systemUserID = "system"

    static func begin(
        _ db: any SQLConnection, tenantID: String, orgID: String, userID: String?, command: RunCommand, isDryRun: Bool,
        rules: AdjustmentRules = AdjustmentRules(), reconciler: Reconciler? = nil, variants: CatalogScope = .whole
    ) throws -> RunSetup {
        var setup: RunSetup?
        let start = {
            let tenant = try Store.tenantKey(db, tenantID)
            let catalog = try Store.catalog(tenant: tenant, variants: variants, in: db)
            guard let org = catalog.orgs[orgID] else {
                throw UsageError("org \(orgID) is not in tenant \(tenantID)'s catalog: load it with `stockrecon catalog import --tenant \(tenantID) ORGS.csv`")
            }
            let user = try Self.user(userID, tenant: tenant, tenantID: tenantID, catalog: catalog, in: db)
            let run = try Store.beginRun(tenant: tenant, orgID: orgID, command: command, in: db)
            setup = RunSetup(
                catalog: catalog, org: org,
                context: PostingContext(
                    tenant: tenant, tenantID: tenantID, org: org.id, run: run, user: user,
                    reconciler: reconciler ?? Reconciler(rules: rules)),
                digest: try Store.contentDigest(tenant: tenant, in: db))
        }
        try writing(db, isDryRun: isDryRun, start)
        guard let setup else { throw UsageError("the run could not start") }
        return setup
    }

    /// The internal id of the named user (a usage error when unknown: the store's check, the
    /// same one approvals make), or of the system user, created as staff on first use.
    static func user(_ userID: String?, tenant: Int64, tenantID: String, catalog: Catalog, in db: any SQLConnection) throws -> Int64 {
        if let userID {
            do {
                return try Store.user(userID, tenant: tenant, tenantID: tenantID, in: db).id
            } catch let refusal as Refusal {
                throw UsageError(refusal.message)
            }
        }
        if let system = catalog.users[systemUserID] { return system.id }
        return try Store.addUser(systemUserID, role: .staff, tenant: tenant, in: db)
    }

    func finish(in db: any SQLConnection, isDryRun: Bool) throws {
        try writing(db, isDryRun: isDryRun) { try Store.finishRun(context.run, in: db) }
    }
}
