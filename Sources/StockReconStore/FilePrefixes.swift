import StockReconCore

/// Where each clean file (every row naturally keyed, none rejected) may be resumed: a file
/// that begins with its bytes up to `end` holds its rows there again, and each of them is a
/// duplicate by its key. A nightly re-export with rows appended then reads only the new ones.
public enum FilePrefixes {

    /// An earlier file a new one may begin with.
    public struct Candidate: Sendable {
        public var sha256: String
        public var point: ResumePoint
        /// The earlier file as it was named, and the run that last read it.
        public var path: String
        public var run: Int64
    }

    /// The tenant's files read as `reading` that a file of `size` bytes could begin with
    /// (resumable ones, or files without natural keys), longest first; the few most recent
    /// lengths are enough for nightly exports.
    public static func candidates(
        tenant: Int64, reading: String, size: Int, resumable: Bool = true, in db: any SQLConnection
    ) throws -> [Candidate] {
        try db.fetchAll(sql: """
            SELECT p.sha256, p.first_end, p.first_rows, p.end_offset, p.rows, p.next_line, f.path, f.last_run
            FROM file_prefixes p JOIN source_files f ON f.id = p.file
            WHERE p.tenant = ? AND p.reading = ? AND p.end_offset <= ? AND p.resumable = ?
            ORDER BY p.end_offset DESC LIMIT 8
            """, arguments: [tenant, reading, size, resumable ? 1 : 0]
        ).map { row in
            Candidate(
                sha256: try row["sha256"],
                point: ResumePoint(
                    firstEnd: try row["first_end"], firstRows: try row["first_rows"], end: try row["end_offset"], rows: try row["rows"],
                    nextLine: try row["next_line"]),
                path: try row["path"], run: try row["last_run"])
        }
    }

    /// Records where a later file may resume after `file` (or, not `resumable`, where a later
    /// file would repeat its rows).
    public static func record(
        file: Int64, tenant: Int64, reading: String, sha256: String, point: ResumePoint, resumable: Bool = true, in db: any SQLConnection
    ) throws {
        // Replaced, not upserted: a conflict target of (tenant, file) is what a sharded
        // PostgreSQL allows, and SQLite cannot match it to a key that holds its rowid.
        try db.execute(sql: "DELETE FROM file_prefixes WHERE tenant = ? AND file = ?", arguments: [tenant, file])
        try db.execute(sql: """
            INSERT INTO file_prefixes (file, tenant, reading, sha256, first_end, first_rows, end_offset, rows, next_line, resumable)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
            """, arguments: [file, tenant, reading, sha256, point.firstEnd, point.firstRows, point.end, point.rows, point.nextLine, resumable ? 1 : 0])
    }
}
