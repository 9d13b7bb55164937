/// The triggers that keep the public ledger append-only, whoever asks (SPEC section 4): the
/// movements' own rows (`ledger`, `postings`) refuse UPDATE, DELETE, REPLACE and TRUNCATE;
/// the rows a movement names (tenant, org, variant, location, user, run, file) are never
/// deleted. A store checks at open that every one is there.
package enum LedgerGuards {
    /// Rows the `movements` view joins to: updated in place (a catalog loaded again), never deleted.
    package static let namedTables = ["tenants", "catalog_orgs", "catalog_variants", "catalog_locations", "catalog_users", "run_log", "source_files"]

    static let appendOnly = "'movements are append-only: post a reversal instead'"
    static let kept = "'rows that movements name are never deleted'"

    /// The ledger's REPLACE guard, after `CREATE TRIGGER`. Run for every row inserted, it cost
    /// a bulk import half its time again; a file's posting lifts it inside its transaction and
    /// the transaction puts it back before it commits (`liftLedgerReplaceGuard`), so
    /// that every committed state has it and only stockrecon's own appends go without it.
    package static let ledgerReplaceGuard = """
        ledger_refuses_replace BEFORE INSERT ON ledger
        WHEN EXISTS (SELECT 1 FROM ledger WHERE id = NEW.id)
          OR (NEW.reverses_id IS NOT NULL AND EXISTS (SELECT 1 FROM ledger WHERE reverses_id = NEW.reverses_id))
        BEGIN SELECT RAISE(ABORT, \(appendOnly)); END;

        """

    /// Refuses a database that lacks one of its guards: someone dropped it by hand.
    package static func check(_ db: any SQLConnection) throws {
        let (present, expected) = (Set(try db.triggers()), db.expectedTriggers)
        let missing = expected.filter { !present.contains($0) }
        guard missing.isEmpty else { throw SchemaError.missingGuards(missing) }
    }
}

/// A database stockrecon must not write to as it stands.
public enum SchemaError: Error, CustomStringConvertible {
    /// Triggers that keep the ledger append-only were dropped.
    case missingGuards([String])
    /// Written by a newer stockrecon: migrations this one does not know.
    case newerSchema([String])
    /// Opened read-only before its migrations were applied.
    case needsMigration([String])
    /// A command that writes, on a file this user may only read.
    case readOnly

    public var description: String {
        switch self {
        case .missingGuards(let names):
            return "the database lacks trigger\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")), which keep\(names.count == 1 ? "s" : "") the ledger append-only: "
                + "someone dropped \(names.count == 1 ? "it" : "them") by hand; stockrecon will not use it until restored from a backup"
        case .newerSchema(let names):
            return "the database was written by a newer stockrecon (migration\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")) unknown here): upgrade stockrecon to use it"
        case .needsMigration(let names):
            return "the database needs migration\(names.count == 1 ? "" : "s") \(names.joined(separator: ", ")), and it can only be read here: run any stockrecon command once as a user who may write it"
        case .readOnly:
            return "this user may only read the database: commands that read (balance, movements, runs, rejections, reports) work on it; this one writes"
        }
    }
}
