import StockReconPostgres
import StockReconSQLite
import StockReconStore

extension Store {
    /// Opens the SQLite file at `path`, or the PostgreSQL database its URL names, migrating it.
    /// `forReading`: the caller only reads, so a database the user may only read is opened
    /// read-only (nothing written, no file created beside it) instead of failing.
    public convenience init(path: String, forReading: Bool = false) throws {
        let backend: any StoreBackend
        do {
            backend = Store.isServerURL(path)
                ? try PostgresBackend(url: path, forReading: forReading) : try SQLiteBackend(path: path, forReading: forReading)
        } catch let error as SchemaError {
            throw error
        } catch {
            throw StoreError(action: "opening \(Store.redacted(path))", underlying: error)
        }
        self.init(path: path, backend: backend)
    }
}
