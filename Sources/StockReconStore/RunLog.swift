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
        let sql = """
            INSERT INTO rejections (run_id, tenant_id, source_file, source_line, field, type, msg, input, ctx)
            VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
            """
        for diagnostic in diagnostics {
            // PostgreSQL's text cannot hold NUL: an offending value shows it as U+FFFD there.
            let input = db.dialect == .postgres ? diagnostic.input?.replacingOccurrences(of: "\u{0}", with: "\u{FFFD}") : diagnostic.input
            try db.execute(sql: sql, arguments: [
                run, tenantID, diagnostic.location.file, diagnostic.location.line, diagnostic.location.field,
                diagnostic.type.rawValue, diagnostic.message, input, diagnostic.contextJSON,
            ])
        }
    }
}
