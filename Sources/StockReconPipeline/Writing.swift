import GRDB
import StockReconStore

/// A unit of work that commits on its own in a real run, and is a savepoint in a dry run,
/// whose one outer transaction is rolled back at the end: each stage and file of a dry run
/// sees what the ones before it did, and nothing is written.
func writing(_ db: Database, isDryRun: Bool, _ body: () throws -> Void) throws {
    if isDryRun {
        try db.inSavepoint {
            try body()
            return .commit
        }
    } else {
        try db.inTransaction(.immediate) {
            try body()
            return .commit
        }
    }
}

/// Runs `body` inside one transaction that is rolled back: a dry run writes nothing.
func rollingBack<T>(_ db: Database, _ body: () throws -> T) throws -> T {
    var result: T?
    try db.inTransaction(.immediate) {
        result = try body()
        return .rollback
    }
    guard let result else { throw UsageError("the dry run produced no result") }
    return result
}

/// Runs a command's work on the store's connection; a dry run's inside one transaction that
/// is rolled back at the end.
func running<T>(_ store: Store, _ action: String, isDryRun: Bool, _ body: (Database) throws -> T) throws -> T {
    try store.withConnection(action) { db in isDryRun ? try rollingBack(db) { try body(db) } : try body(db) }
}
