import StockReconCore

/// The `runs` table: one row per command that changes the ledger, counts kept current
/// in the same transaction as each file's outcomes.
extension Store {
    /// Starts a run; a pipeline's first stage starts its pipeline run (`pipeline_run` = its own id).
    public static func beginRun(tenant: Int64, orgID: String?, command: RunCommand, in db: any SQLConnection) throws -> Int64 {
        let run = try db.insert(
            sql: "INSERT INTO run_log (tenant, org_id, command, started_at, pipeline_run) VALUES (?, ?, ?, ?, ?)",
            arguments: [tenant, orgID, command.text, now(), command.pipelineRun])
        if command.pipeline != nil, command.pipelineRun == nil {
            try db.execute(sql: "UPDATE run_log SET pipeline_run = id WHERE id = ?", arguments: [run])
        }
        return run
    }

    public static func addCounts(_ counts: OutcomeCounts, toRun run: Int64, in db: any SQLConnection) throws {
        try db.execute(sql: """
            UPDATE run_log SET rows = rows + ?, posted = posted + ?, pending = pending + ?,
                rejected = rejected + ?, unchanged = unchanged + ?, duplicate = duplicate + ?
            WHERE id = ?
            """, arguments: [counts.rows, counts.posted, counts.pending, counts.rejected, counts.unchanged, counts.duplicate, run])
    }

    public static func finishRun(_ run: Int64, in db: any SQLConnection) throws {
        try db.execute(sql: "UPDATE run_log SET finished_at = ? WHERE id = ?", arguments: [now(), run])
    }

    /// Appends rejection rows, each with its loc, msg, type, input and ctx.
    public static func record(_ diagnostics: [Diagnostic], run: Int64, tenantID: String, in db: any SQLConnection) throws {
        var rejections = try RejectionWriter(db, run: run, tenantID: tenantID)
        try rejections.append(diagnostics)
        try rejections.finish()
    }
}

/// Rejection rows as a file's rows are rejected, written many at a time (`RowInserter`): on
/// PostgreSQL, not a round trip a row.
struct RejectionWriter {
    private var rows: RowInserter
    private let tenant: Int64
    private let run: Int64
    private let tenantID: String
    private let db: any SQLConnection

    init(_ db: any SQLConnection, run: Int64, tenantID: String) throws {
        rows = try RowInserter(db, table: "rejections", columns: [
            "tenant", "run_id", "tenant_id", "source_file", "source_line", "field", "type", "msg", "input", "ctx",
        ])
        guard let tenant = try db.fetchValue(Int64.self, sql: "SELECT tenant FROM run_log WHERE id = ?", arguments: [run]) else {
            throw SQLDecodingError(message: "run \(run) is not in run_log: its rejections have no tenant")
        }
        self.tenant = tenant
        self.run = run
        self.tenantID = tenantID
        self.db = db
    }

    mutating func append(_ diagnostics: [Diagnostic]) throws {
        for diagnostic in diagnostics {
            let (location, input) = (diagnostic.location, db.storable(diagnostic.input))
            // Values as they are, not boxed: a file of a million rejected rows writes a million of these.
            try rows.append(values: [
                .integer(tenant), .integer(run), .text(tenantID), .text(location.file), location.line.map { .integer(Int64($0)) } ?? .null,
                location.field.map(SQLValue.text) ?? .null, .text(diagnostic.type.rawValue), .text(diagnostic.message),
                input.map(SQLValue.text) ?? .null, .text(diagnostic.contextJSON),
            ])
        }
    }

    /// Writes what is held: before the file's transaction commits.
    mutating func finish() throws { try rows.finish() }
}
