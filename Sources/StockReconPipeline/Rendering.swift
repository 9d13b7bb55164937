import StockReconCore
import StockReconStore

/// How a query result is printed.
public enum OutputFormat: String, Sendable, CaseIterable {
    case text, csv, json
}

extension ResultTable {
    /// The table as aligned text, CSV (RFC 4180 quoting) or JSON (`{"<name>": [{...}]}`).
    public func rendered(as format: OutputFormat, name: String) -> String {
        var writer = TableWriter(format: format, name: name, columns: columns, widths: format == .text ? widths : nil)
        var text = writer.start(empty: rows.isEmpty)
        for row in rows { text += writer.line(row) }
        return text + writer.end()
    }

    /// Each column's width in aligned text: its widest cell, the header's included.
    var widths: [Int] {
        var widths = columns.map(\.count)
        for row in rows { TableWriter.widen(&widths, by: row) }
        return widths
    }
}

/// A table rendered a line at a time, for listings too large to hold whole; aligned text
/// needs its columns' widths first (`widths`, from a first pass over the rows).
public struct TableWriter {
    let format: OutputFormat
    let name: String
    let columns: [String]
    let widths: [Int]?
    private var isFirst = true

    public init(format: OutputFormat, name: String, columns: [String], widths: [Int]?) {
        (self.format, self.name, self.columns, self.widths) = (format, name, columns, widths)
    }

    /// Widens aligned text's columns (the header's widths to start) to fit `row`.
    public static func widen(_ widths: inout [Int], by row: [TableValue]) {
        for (index, value) in row.enumerated() where index < widths.count { widths[index] = max(widths[index], value.plainText.count) }
    }

    /// What comes before the rows; `empty`: there are none.
    public func start(empty: Bool) -> String {
        switch format {
        case .csv: return columns.map(CSVText.field).joined(separator: ",") + "\n"
        case .json: return "{" + JSONText.quote(name) + ":["
        case .text: return empty ? "no \(name)\n" : aligned(columns)
        }
    }

    public mutating func line(_ row: [TableValue]) -> String {
        switch format {
        case .csv:
            return row.map(\.csvText).joined(separator: ",") + "\n"
        case .json:
            defer { isFirst = false }
            return (isFirst ? "" : ",") + "{" + zip(columns, row).map { JSONText.quote($0) + ":" + $1.jsonText }.joined(separator: ",") + "}"
        case .text:
            return aligned(row.map(\.plainText))
        }
    }

    /// `extra`: JSON members after the rows (known only once they are written).
    public func end(extra: [(String, String)] = []) -> String {
        guard format == .json else { return "" }
        return "]" + extra.map { "," + JSONText.quote($0.0) + ":" + $0.1 }.joined() + "}\n"
    }

    private func aligned(_ cells: [String]) -> String {
        let widths = self.widths ?? cells.map(\.count)
        return zip(cells, widths).map { $0 + String(repeating: " ", count: max(0, $1 - $0.count)) }
            .joined(separator: "  ").trimmingTrailingSpaces() + "\n"
    }
}

extension TableValue {
    var plainText: String {
        switch self {
        case .null: return ""
        case .integer(let value): return String(value)
        case .text(let text): return text
        }
    }

    /// Integers as numbers; text spreadsheet-safe (SPEC section 9), since it may come from a file.
    var csvText: String {
        switch self {
        case .null: return ""
        case .integer(let value): return String(value)
        case .text(let text): return CSVText.safeField(text)
        }
    }

    var jsonText: String {
        switch self {
        case .null: return "null"
        case .integer(let value): return String(value)
        case .text(let text): return JSONText.quote(text)
        }
    }
}

extension RunReport {
    /// `{"run_id":…, "rows":…, "posted":…, …}` as SPEC section 5 asks, plus files and rejections.
    public var json: String { json(extra: []) }

    /// The same, with more members (already JSON) at the end.
    public func json(extra: [(String, String)]) -> String {
        var members: [(String, String)] = [
            ("run_id", runID.map { String($0) } ?? "null"),
            ("dry_run", isDryRun ? "true" : "false"),
        ]
        members += countMembers(counts)
        let files = self.files.map { file in
            var fileMembers = [("file", JSONText.quote(file.file))] + countMembers(file.counts)
            if let failure = file.failure { fileMembers.append(("error", JSONText.quote(failure.description))) }
            if file.resumedRows > 0 { fileMembers.append(("resumed_rows", String(file.resumedRows))) }
            if file.barcodesWithoutLeadingZeros > 0 {
                fileMembers.append(("barcodes_without_leading_zeros", String(file.barcodesWithoutLeadingZeros)))
            }
            if let repeats = file.repeats {
                fileMembers.append(("repeats", object([
                    ("file", JSONText.quote(repeats.file)), ("run_id", String(repeats.run)), ("rows", String(repeats.rows)),
                ])))
            }
            return object(fileMembers)
        }
        members.append(("files", "[" + files.joined(separator: ",") + "]"))
        let rejections = sampleRejections.map { diagnostic in
            object([
                ("loc", "[" + [JSONText.quote(diagnostic.location.file), diagnostic.location.line.map { String($0) } ?? "null",
                               diagnostic.location.field.map(JSONText.quote) ?? "null"].joined(separator: ",") + "]"),
                ("msg", JSONText.quote(diagnostic.message)),
                ("type", JSONText.quote(diagnostic.type.rawValue)),
                ("input", diagnostic.input.map(JSONText.quote) ?? "null"),
                ("ctx", diagnostic.contextJSON),
            ])
        }
        members.append(("rejections", "[" + rejections.joined(separator: ",") + "]"))
        return object(members + extra) + "\n"
    }

    /// A summary for people: the counts, then the first rejections like compiler errors.
    public func text(verb: String = "posted") -> String {
        var lines: [String] = []
        for diagnostic in sampleRejections { lines.append(diagnostic.description) }
        if counts.rejected > 0, sampleRejections.count >= RunReport.sampleLimit {
            lines.append("… the first \(RunReport.sampleLimit) problems shown; all are in the rejections table"
                + (runID.map { " (SELECT * FROM rejections WHERE run_id = \($0))" } ?? ""))
        }
        for file in files where file.resumedRows > 0 {
            lines.append("\(file.file): resumed after an earlier file it begins with: \(file.resumedRows) rows not read again, each a duplicate by its natural key")
        }
        for file in files where file.barcodesWithoutLeadingZeros > 0 {
            lines.append("\(file.file): note: \(file.barcodesWithoutLeadingZeros) rows named a barcode without its leading zeros "
                + "(a spreadsheet kept it as a number), each matched to the one catalog barcode that fits; keep the column as text to keep them")
        }
        for file in files {
            guard let repeats = file.repeats else { continue }
            lines.append("\(file.file): warning: it begins with the \(repeats.rows) rows of \(repeats.file) (run \(repeats.run)), which have no "
                + "natural keys, so they \(isDryRun ? "would be" : "were") \(verb) again; give the export a key column (idempotency_key) so that re-exports add only new rows")
        }
        let prefix = isDryRun ? "dry run, nothing written: " : (runID.map { "run \($0): " } ?? "")
        lines.append(prefix + "\(counts.rows) rows: \(counts.posted) \(verb), \(counts.pending) pending, "
            + "\(counts.rejected) rejected, \(counts.unchanged) unchanged, \(counts.duplicate) duplicate")
        return lines.joined(separator: "\n") + "\n"
    }
}

/// The five counts as JSON members.
private func countMembers(_ counts: OutcomeCounts) -> [(String, String)] {
    [("rows", counts.rows), ("posted", counts.posted), ("pending", counts.pending), ("rejected", counts.rejected),
     ("unchanged", counts.unchanged), ("duplicate", counts.duplicate)].map { ($0.0, String($0.1)) }
}

/// A JSON object of members whose values are already JSON.
private func object(_ members: [(String, String)]) -> String {
    "{" + members.map { JSONText.quote($0.0) + ":" + $0.1 }.joined(separator: ",") + "}"
}

extension PipelineReport {
    /// The totals and exit status, and each stage's counts (`--json` of `stockrecon run`).
    public var json: String {
        var members: [(String, String)] = [
            ("pipeline", JSONText.quote(file)),
            ("run_id", pipelineRun.map { String($0) } ?? "null"),
            ("dry_run", isDryRun ? "true" : "false"),
        ]
        members += countMembers(total)
        members.append(("exit_status", String(exitStatus)))
        if let failure { members.append(("error", JSONText.quote(failure))) }
        let stages = self.stages.map { stage in
            var stageMembers = [
                ("stage", JSONText.quote(stage.label)),
                ("run_id", stage.report.runID.map { String($0) } ?? "null"),
            ] + countMembers(stage.report.counts)
            if let failure = stage.failure { stageMembers.append(("error", JSONText.quote(failure))) }
            if let note = stage.note { stageMembers.append(("note", JSONText.quote(note))) }
            return object(stageMembers)
        }
        members.append(("stages", "[" + stages.joined(separator: ",") + "]"))
        return object(members) + "\n"
    }

    /// For cron mail: each stage's first rejections and one summary line, then the total.
    public func text(tenantID: String) -> String {
        var lines: [String] = []
        for stage in stages {
            if stage.kind == .report {
                lines.append("\(stage.label): \(stage.failure ?? stage.note ?? "")")
                continue
            }
            var stageLines = stage.report.text(verb: stage.kind == .catalog ? "loaded" : "posted").split(separator: "\n").map(String.init)
            if let summary = stageLines.popLast() {
                lines += stageLines
                lines.append("\(stage.label): \(summary)")
            }
            if let note = stage.note { lines.append("\(stage.label): \(note)") }
            if let failure = stage.failure { lines.append("\(stage.label): failed, the pipeline stopped here: \(failure)") }
        }
        let counts = total
        var last = (isDryRun ? "dry run, nothing written: " : "") + "total: \(counts.rows) rows: \(counts.posted) posted, "
            + "\(counts.pending) pending, \(counts.rejected) rejected, \(counts.unchanged) unchanged, \(counts.duplicate) duplicate"
        switch exitStatus {
        case 2: last += " (stopped: exit 2)"
        case 1 where !isDryRun: last += " (rejected rows: stockrecon rejections --tenant \(tenantID) --run last)"
        default: break
        }
        lines.append(last)
        return lines.joined(separator: "\n") + "\n"
    }
}

extension String {
    func trimmingTrailingSpaces() -> String {
        var text = Substring(self)
        while text.last == " " { text.removeLast() }
        return String(text)
    }
}
