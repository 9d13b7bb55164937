import Foundation
import StockReconCore
import StockReconIO
import StockReconStore

/// What one stage of a pipeline came to.
public struct StageReport: Sendable {
    public enum Kind: Sendable {
        /// Loads the catalog: its rows are its own, not in the totals.
        case catalog
        /// Moves stock (import, count): its rows are in the totals.
        case rows
        /// Writes a file from the database: no rows.
        case report
    }

    public var label: String
    public var kind: Kind
    public var report: RunReport
    /// Set when the stage failed fatally: the pipeline stopped after it.
    public var failure: String?
    /// What else the stage did, for people (a count's id and variance, a report's file).
    public var note: String?
}

/// What `stockrecon run` did: each stage, the totals, and the exit status.
public struct PipelineReport: Sendable {
    public var file: String
    public var isDryRun: Bool
    public var stages: [StageReport] = []
    /// The first run of this pipeline run: `rejections --run N` lists the stages' rejections.
    public var pipelineRun: Int64?

    /// The counts of the stages that move stock (import and count; receive later): a catalog
    /// stage reports its own loaded rows and a report stage has none; neither is in the totals.
    public var total: OutcomeCounts {
        stages.filter { $0.kind == .rows }.reduce(into: OutcomeCounts()) { $0 += $1.report.counts }
    }

    public var failure: String? { stages.lazy.compactMap(\.failure).first }

    /// 2 when a stage failed fatally, 1 when rows were rejected in any stage, else 0.
    public var exitStatus: Int32 {
        if failure != nil { return 2 }
        return stages.contains { $0.report.counts.rejected > 0 } ? 1 : 0
    }
}

/// What a count stage did: the rows its sheets came to, and the completion, if it completed.
struct CountStageOutcome {
    var countID: Int64
    var report: RunReport
    var note: String
    var countedRows: [CountItemKey: Int] = [:]
    var completion: CountCompletion?
}

/// Runs a checked pipeline's stages in order against one database. A stage that fails
/// fatally (a file that cannot be read, an org not in the catalog) stops the pipeline;
/// rejected rows do not. A dry run runs every stage inside one transaction that is rolled
/// back, so each stage sees what the stages before it did and nothing is written.
public struct PipelineRunner {
    public let store: Store
    public var progress: ProgressHandler?

    public init(store: Store, progress: ProgressHandler? = nil) {
        self.store = store
        self.progress = progress
    }

    /// `userID` is who runs it when the file names no `user:` (`$STOCKRECON_USER`).
    public func run(_ pipeline: PipelineDefinition, userID: String?, isDryRun: Bool) throws -> PipelineReport {
        try running(store, "running \(pipeline.file)", isDryRun: isDryRun) { db in
            try run(pipeline, userID: userID, in: db, isDryRun: isDryRun)
        }
    }

    private func run(_ pipeline: PipelineDefinition, userID: String?, in db: any SQLConnection, isDryRun: Bool) throws -> PipelineReport {
        var report = PipelineReport(file: pipeline.file, isDryRun: isDryRun)
        var pipelineRun: Int64?
        /// The count of the last `count` stage, for a `report` stage of kind variance.
        var lastCount: Int64?
        /// Per count, the stages that added rows to it and how many rows counted each item:
        /// completing the count turns those stages' pending rows into posted or unchanged.
        var countedRows: [Int64: [(stage: Int, rows: [CountItemKey: Int])]] = [:]
        for stage in pipeline.stages {
            var stageReport = StageReport(label: stage.label, kind: .rows, report: RunReport())
            do {
                switch stage.work {
                case .catalog:
                    stageReport.kind = .catalog
                    stageReport.report = try CatalogImport(store: store).run(
                        tenantID: pipeline.tenantID, files: stage.files,
                        command: RunCommand(.catalogImport, pipeline: pipeline.file, pipelineRun: pipelineRun), in: db, isDryRun: isDryRun)
                case .importing(let mapping):
                    var request = ImportRequest(
                        tenantID: pipeline.tenantID, orgID: pipeline.orgID, mapping: mapping, userID: pipeline.userID ?? userID,
                        files: stage.files, isDryRun: isDryRun, rules: pipeline.rules)
                    request.pipeline = pipeline.file
                    request.pipelineRun = pipelineRun
                    stageReport.report = try ImportPipeline(store: store, progress: progress).run(request, in: db, isDryRun: isDryRun)
                case .receive(let receive):
                    var request = ReceiveRequest(
                        tenantID: pipeline.tenantID, orgID: pipeline.orgID, userID: pipeline.userID ?? userID,
                        purchaseOrders: receive.purchaseOrders, files: stage.files, mapping: receive.mapping ?? .receipts,
                        rules: pipeline.rules, receiving: pipeline.receiving, isDryRun: isDryRun)
                    request.ordersMapping = receive.ordersMapping
                    request.pipeline = pipeline.file
                    request.pipelineRun = pipelineRun
                    let received = try Receiving(store: store, progress: progress).run(request, in: db, isDryRun: isDryRun)
                    if let orders = received.orders {
                        // The order lines loaded are a stage line of their own, like a catalog's.
                        var ordersStage = StageReport(label: "receive --purchase-orders", kind: .catalog, report: orders)
                        ordersStage.failure = orders.files.first { $0.failure != nil }?.failure?.description
                        report.stages.append(ordersStage)
                        pipelineRun = pipelineRun ?? orders.runID
                        stageReport.failure = ordersStage.failure.map { _ in "a purchase orders file could not be read" }
                    }
                    stageReport.report = received.receipts
                case .count(let count):
                    guard let user = count.userID ?? pipeline.userID ?? userID else {
                        throw UsageError("a count stage needs a manager: give the stage `user:` (or the pipeline's `user:`, or $STOCKRECON_USER)")
                    }
                    let outcome = try runCount(
                        count, files: stage.files, userID: user, pipeline: pipeline, pipelineRun: pipelineRun, in: db, isDryRun: isDryRun)
                    lastCount = outcome.countID
                    stageReport.report = outcome.report
                    stageReport.note = outcome.note
                    countedRows[outcome.countID, default: []].append((report.stages.count, outcome.countedRows))
                    if outcome.completion != nil {
                        let posted = Set(try Store.postedCountItems(outcome.countID, in: db).map { CountItemKey(variant: $0.variant, location: $0.location) })
                        for (index, rows) in countedRows[outcome.countID] ?? [] {
                            var counts = OutcomeCounts()
                            for (key, number) in rows {
                                counts.pending -= number
                                if posted.contains(key) { counts.posted += number } else { counts.unchanged += number }
                            }
                            if index == report.stages.count { stageReport.report.counts += counts } else { report.stages[index].report.counts += counts }
                        }
                    }
                case .report(let spec):
                    stageReport.kind = .report
                    stageReport.note = try writeReport(spec, pipeline: pipeline, count: lastCount, in: db, isDryRun: isDryRun)
                }
                if let unreadable = stageReport.report.files.first(where: { $0.failure != nil })?.failure {
                    stageReport.failure = unreadable.description
                }
            } catch let error as UsageError {
                stageReport.failure = error.message
            } catch let refusal as Refusal {
                stageReport.failure = refusal.message
            } catch let error as OutputError {
                stageReport.failure = error.description
            }
            pipelineRun = pipelineRun ?? stageReport.report.runID
            report.stages.append(stageReport)
            if stageReport.failure != nil { break }
        }
        report.pipelineRun = isDryRun ? nil : pipelineRun
        return report
    }

    /// Starts the count, adds its sheets and, when the stage says so, completes it. The
    /// stage's rows end as the count left them: counted rows are posted or unchanged once it
    /// completes, pending while it stays open.
    private func runCount(
        _ stage: CountStage, files: [InputFile], userID: String, pipeline: PipelineDefinition, pipelineRun: Int64?,
        in db: any SQLConnection, isDryRun: Bool
    ) throws -> CountStageOutcome {
        let counting = Counting(store: store)
        let earlier = try Store.latestCount(
            tenantID: pipeline.tenantID, orgID: pipeline.orgID, name: stage.name, locationID: stage.locationID, in: db)
        if let earlier, earlier.status == .completed, let rows = try counting.addedRows(countID: earlier.id, files: files, in: db) {
            // Run again after it completed: its sheets are duplicates, as an import's files are.
            var report = RunReport()
            report.isDryRun = isDryRun
            report.counts = OutcomeCounts(rows: rows, duplicate: rows)
            return CountStageOutcome(
                countID: earlier.id, report: report, note: "count \(earlier.id) was completed with these sheets before: nothing to do")
        }
        let id = try earlier.flatMap { $0.status == .inProgress ? $0.id : nil } ?? counting.start(
            CountRequest(
                tenantID: pipeline.tenantID, orgID: pipeline.orgID, type: stage.type, name: stage.name,
                locationID: stage.locationID, notes: stage.notes, userID: userID, countedAt: stage.countedAt),
            in: db, isDryRun: isDryRun)
        var countedRows: [CountItemKey: Int]? = [:]
        let report = try counting.add(
            countID: id, tenantID: pipeline.tenantID, userID: userID, files: files,
            command: RunCommand(.countAdd(id), pipeline: pipeline.file, pipelineRun: pipelineRun), in: db, isDryRun: isDryRun,
            countedRows: &countedRows, mapping: stage.mapping)
        guard let complete = stage.complete, !report.hasUnreadableFiles else {
            return CountStageOutcome(
                countID: id, report: report, note: "count \(id): \(report.counts.pending) rows counted; it stays in progress",
                countedRows: countedRows ?? [:])
        }
        let completion = try counting.complete(
            countID: id, tenantID: pipeline.tenantID, userID: userID, apply: complete.apply, uncounted: complete.uncounted, rules: pipeline.counts,
            command: RunCommand(.countComplete(id), pipeline: pipeline.file, pipelineRun: pipelineRun ?? report.runID),
            in: db, isDryRun: isDryRun)
        let totals = completion.totals
        let note = "count \(id) completed: \(totals.itemsCounted) items counted, \(totals.itemsWithDiscrepancy) with a discrepancy, "
            + "net variance \(Money.format(minorUnits: totals.netVarianceMinor))"
            + (complete.apply ? ", \(completion.movementsPosted) count movements posted" : ", nothing posted (apply: false)")
        return CountStageOutcome(countID: id, report: report, note: note, countedRows: countedRows ?? [:], completion: completion)
    }

    /// Writes a report stage's file (not in a dry run); returns what it did, for people.
    private func writeReport(_ spec: ReportStage, pipeline: PipelineDefinition, count: Int64?, in db: any SQLConnection, isDryRun: Bool) throws -> String {
        let document: ReportDocument
        switch spec.kind {
        case .variance:
            guard let count else { throw UsageError("a variance report reports the count of a count stage before it: add one, or use `stockrecon report variance COUNT_ID --tenant T`") }
            document = try Reporting.variance(countID: count, tenantID: pipeline.tenantID, rules: pipeline.counts, in: db)
        case .summary:
            document = try Reporting.summary(tenantID: pipeline.tenantID, from: spec.from, to: spec.to, in: db)
        case .receipts:
            document = try Reporting.receipts(tenantID: pipeline.tenantID, po: spec.po, in: db)
        }
        let format = spec.format
        if isDryRun { return "would write \(spec.output)" }
        let url = URL(fileURLWithPath: spec.output)
        do {
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try OutputFile.write(to: spec.output) { url in try document.write(as: format, to: BufferedOutput(url)) }
        } catch {
            throw OutputError(path: spec.output, underlying: error)
        }
        return "wrote \(spec.output)"
    }
}
