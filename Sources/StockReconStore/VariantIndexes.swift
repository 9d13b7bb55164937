import Foundation
import StockReconCore

/// Variant index files: a large catalog as a file that each run maps instead of reading the
/// catalog whole (issue 29). A file is named by the random token of the load it was written
/// from (v25), so it is never read for another state of the catalog; it is a cache, written by
/// the first run that needs it on each machine, and a run that cannot write one reads the
/// catalog as before.
extension Store {
    /// The fewest variants a tenant's catalog needs to be mapped rather than read whole (tests
    /// lower it, to map small catalogs).
    @TaskLocal public static var mappedCatalogFrom = 50_000
    /// The folder of variant index files; nil for `STOCKRECON_CACHE_DIR`, else
    /// `$XDG_CACHE_HOME/stockrecon`, else `~/.cache/stockrecon`.
    @TaskLocal public static var variantIndexFolder: String?

    static func resolvedVariantIndexFolder() -> String? {
        if let folder = variantIndexFolder { return folder }
        let environment = ProcessInfo.processInfo.environment
        if let folder = environment["STOCKRECON_CACHE_DIR"], !folder.isEmpty { return folder }
        if let cache = environment["XDG_CACHE_HOME"], !cache.isEmpty { return cache + "/stockrecon" }
        if let home = environment["HOME"], !home.isEmpty { return home + "/.cache/stockrecon" }
        return nil
    }

    static func variantIndexPath(token: Int64, in folder: String) -> String {
        "\(folder)/variants-\(String(UInt64(bitPattern: token), radix: 16)).index"
    }

    /// Notes a load of the tenant's variants, in its transaction: how many the catalog holds,
    /// and a new token, which retires the index file of the catalog before.
    public static func noteVariantsLoaded(tenant: Int64, in db: any SQLConnection) throws {
        let retired = try db.fetchValue(Int64.self, sql: "SELECT catalog_token FROM tenants WHERE id = ?", arguments: [tenant])
        try db.execute(
            sql: "UPDATE tenants SET variants = (SELECT count(*) FROM catalog_variants WHERE tenant = ?), catalog_token = ? WHERE id = ?",
            arguments: [tenant, Int64.random(in: .min ... .max), tenant])
        // A run that has it mapped keeps reading it; if this load rolls back, the next run
        // writes it again.
        if let retired, let folder = resolvedVariantIndexFolder() { unlink(variantIndexPath(token: retired, in: folder)) }
    }

    /// The tenant's variants as a mapped index file, written first if this machine has none
    /// for the catalog as last loaded; nil for a catalog under `mappedCatalogFrom`, one not
    /// loaded since v25, or where no file can be written (the caller reads the catalog whole).
    static func mappedVariants(tenant: Int64, in db: any SQLConnection) throws -> VariantIndexFile? {
        guard let row = try db.fetchOne(sql: "SELECT variants, catalog_token FROM tenants WHERE id = ?", arguments: [tenant]),
              let count: Int = try row["variants"], let token: Int64 = try row["catalog_token"],
              count >= mappedCatalogFrom, let folder = resolvedVariantIndexFolder()
        else { return nil }
        let path = variantIndexPath(token: token, in: folder)
        if let file = VariantIndexFile(path: path, tenant: tenant, token: token, variants: count) { return file }
        // The catalog's ids are the tenant's: the folder is its user's alone.
        guard (try? FileManager.default.createDirectory(
            atPath: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])) != nil
        else { return nil }
        // Written aside and renamed into place: a run mapping it at the same moment sees the
        // whole file or none, and two runs writing it at once write the same bytes.
        let written = "\(path).\(getpid())-\(UInt32.random(in: 0 ... .max))"
        defer { unlink(written) }
        do {
            var writer = try VariantIndexWriter(path: written, tenant: tenant, token: token, expectedVariants: count)
            // Read once, in order: SQLite's page cache would only keep what is not read again.
            try db.withPageCache(megabytes: 2) { try db.forEachVariant(tenant: tenant, borrowing: { try writer.add($0) }) }
            try writer.finish()
        } catch is VariantIndexWriter.Failure {
            return nil
        }
        db.returnFreedMemory()
        guard rename(written, path) == 0 else { return nil }
        return VariantIndexFile(path: path, tenant: tenant, token: token, variants: count)
    }
}
