import StockReconCore

/// Which `ContentDigest` each tenant's natural keys were stored with.
extension Store {
    /// Migration v12: tenants that already have keys keep FNV-1a, which their stored digests
    /// used; every other tenant, and every later one, digests with words.
    static let contentDigestSQL = """
        ALTER TABLE tenants ADD COLUMN content_digest INTEGER NOT NULL DEFAULT \(ContentDigest.words.rawValue);
        UPDATE tenants SET content_digest = \(ContentDigest.fnv1a.rawValue)
        WHERE id IN (SELECT tenant FROM key_blocks UNION SELECT tenant FROM idempotency_keys);
        """

    /// How the tenant's keys digest a row's content.
    public static func contentDigest(tenant: Int64, in db: any SQLConnection) throws -> ContentDigest {
        let code = try db.fetchValue(Int64.self, sql: "SELECT content_digest FROM tenants WHERE id = ?", arguments: [tenant])
        guard let code, let digest = ContentDigest(rawValue: code) else {
            throw SQLDecodingError(message: "tenant \(tenant) has no known content digest (\(code.map(String.init) ?? "none"))")
        }
        return digest
    }
}
