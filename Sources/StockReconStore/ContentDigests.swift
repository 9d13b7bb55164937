import StockReconCore

/// Which `ContentDigest` each tenant's natural keys were stored with.
extension Store {

    /// How the tenant's keys digest a row's content.
    public static func contentDigest(tenant: Int64, in db: any SQLConnection) throws -> ContentDigest {
        let code = try db.fetchValue(Int64.self, sql: "SELECT content_digest FROM tenants WHERE id = ?", arguments: [tenant])
        guard let code, let digest = ContentDigest(rawValue: code) else {
            throw SQLDecodingError(message: "tenant \(tenant) has no known content digest (\(code.map(String.init) ?? "none"))")
        }
        return digest
    }
}
