import Foundation
import GRDB
import StockReconStore

/// The file's journal: a write-ahead log, which lets readers read while one process writes,
/// and a rollback journal for a first catalog load made alone, which writes each page once.
extension Database {
    /// The log, its commits synced. Changing the journal mode, SQLite answers busy at once,
    /// without waiting in its busy handler, while another connection holds the file (processes
    /// meeting a new file at once, or one opening it during a first load): asked again until the
    /// busy timeout.
    func useWriteAheadLog() throws {
        let deadline = Date().addingTimeInterval(Store.busyTimeout)
        while true {
            do {
                let mode = try String.fetchOne(self, sql: "PRAGMA journal_mode = WAL")
                guard mode == "wal" else { throw DatabaseError(message: "could not use a write-ahead log: journal mode \(mode ?? "unknown")") }
                // FULL: a committed file survives a power cut, not only a crash.
                try execute(sql: "PRAGMA synchronous = FULL")
                return
            } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY && Date() < deadline {
                usleep(10_000)
            }
        }
    }

    /// A rollback journal instead of the log, when no other connection has the file open (SQLite
    /// refuses the change otherwise, at once): false, unchanged, where one has. Its commits sync
    /// the folder as well (EXTRA): deleting the journal is the commit, and a power cut could
    /// bring back a journal whose deletion was not on disk, and with it undo the load.
    func useRollbackJournalIfAlone() throws -> Bool {
        do {
            guard try String.fetchOne(self, sql: "PRAGMA journal_mode = DELETE") == "delete" else { return false }
        } catch let error as DatabaseError where error.resultCode == .SQLITE_BUSY {
            return false
        }
        try execute(sql: "PRAGMA synchronous = EXTRA")
        return true
    }

    /// Whether the file's header says it keeps a write-ahead log (bytes 18 and 19 are 2; 1 for
    /// a rollback journal): false for a file that is not there or too short to say.
    static func keepsWriteAheadLog(_ path: String) -> Bool {
        guard let file = FileHandle(forReadingAtPath: path) else { return false }
        defer { try? file.close() }
        guard let header = try? file.read(upToCount: 20), header.count == 20 else { return false }
        return header[18] == 2 && header[19] == 2
    }
}
