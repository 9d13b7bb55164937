import StockReconStore

/// A unit of work that commits on its own in a real run, and is a savepoint in a dry run,
/// whose one outer transaction is rolled back at the end: each stage and file of a dry run
/// sees what the ones before it did, and nothing is written.
func writing(_ db: any SQLConnection, isDryRun: Bool, _ body: () throws -> Void) throws {
    if isDryRun {
        try db.inSavepoint(body)
    } else {
        try db.inTransaction(body)
    }
}

/// Runs a command's work on the store's connection; a dry run's inside one transaction that
/// is rolled back at the end.
func running<T>(_ store: Store, _ action: String, isDryRun: Bool, _ body: (any SQLConnection) throws -> T) throws -> T {
    try store.withConnection(action) { db in isDryRun ? try db.rollingBack { try body(db) } : try body(db) }
}
