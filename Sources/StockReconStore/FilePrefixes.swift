import StockReconCore

/// Where each clean file (every row naturally keyed, none rejected) may be resumed: a file
/// that begins with its bytes up to `end` holds its rows there again, and each of them is a
/// duplicate by its key. A nightly re-export with rows appended then reads only the new ones.
public enum FilePrefixes {
    static let tableSQL = """
        -- Files whose rows all ended with a natural key (FilePrefixes): the SHA-256 of their
        -- bytes up to the end of their last record, and where a re-read may resume.
        CREATE TABLE file_prefixes (
            file INTEGER PRIMARY KEY REFERENCES source_files(id),
            tenant INTEGER NOT NULL REFERENCES tenants(id),
            reading TEXT NOT NULL,
            sha256 TEXT NOT NULL,
            first_end INTEGER NOT NULL,
            first_rows INTEGER NOT NULL,
            end_offset INTEGER NOT NULL,
            rows INTEGER NOT NULL,
            next_line INTEGER NOT NULL);
        CREATE INDEX file_prefixes_by_reading ON file_prefixes (tenant, reading, end_offset);
        """

    /// An earlier file a new one may begin with.
    public struct Candidate: Sendable {
        public var sha256: String
        public var point: ResumePoint
    }

    /// The tenant's files read as `reading` that a file of `size` bytes could begin with,
    /// longest first; the few most recent lengths are enough for nightly exports.
    public static func candidates(tenant: Int64, reading: String, size: Int, in db: any SQLConnection) throws -> [Candidate] {
        try db.fetchAll(sql: """
            SELECT sha256, first_end, first_rows, end_offset, rows, next_line FROM file_prefixes
            WHERE tenant = ? AND reading = ? AND end_offset <= ?
            ORDER BY end_offset DESC LIMIT 8
            """, arguments: [tenant, reading, size]
        ).map { row in
            Candidate(sha256: try row[0], point: ResumePoint(firstEnd: try row[1], firstRows: try row[2], end: try row[3], rows: try row[4], nextLine: try row[5]))
        }
    }

    /// Records where a later file may resume after `file`.
    public static func record(file: Int64, tenant: Int64, reading: String, sha256: String, point: ResumePoint, in db: any SQLConnection) throws {
        try db.execute(sql: """
            INSERT INTO file_prefixes (file, tenant, reading, sha256, first_end, first_rows, end_offset, rows, next_line)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            ON CONFLICT (file) DO UPDATE SET tenant = excluded.tenant, reading = excluded.reading, sha256 = excluded.sha256,
                first_end = excluded.first_end, first_rows = excluded.first_rows, end_offset = excluded.end_offset,
                rows = excluded.rows, next_line = excluded.next_line
            """, arguments: [file, tenant, reading, sha256, point.firstEnd, point.firstRows, point.end, point.rows, point.nextLine])
    }
}
