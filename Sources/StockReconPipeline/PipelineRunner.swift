import GRDB
import StockReconCore
import StockReconIO
import StockReconStore

/// What one stage of a pipeline came to.
public struct StageReport: Sendable {
    public var label: String
    public var isCatalog: Bool
    public var report: RunReport
    /// Set when the stage failed fatally: the pipeline stopped after it.
    public var failure: String?
}

/// What `stockrecon run` did: each stage, the totals, and the exit status.
public struct PipelineReport: Sendable {
    public var file: String
    public var isDryRun: Bool
    public var stages: [StageReport] = []
    /// The first run of this pipeline run: `rejections --run N` lists the stages' rejections.
    public var pipelineRun: Int64?

    /// The counts of the stages that move stock (import now; receive and count later): a
    /// catalog stage reports its own loaded rows but is not in the totals.
    public var total: OutcomeCounts {
        stages.filter { !$0.isCatalog }.reduce(into: OutcomeCounts()) { $0 += $1.report.counts }
    }

    public var failure: String? { stages.lazy.compactMap(\.failure).first }

    /// 2 when a stage failed fatally, 1 when rows were rejected in any stage, else 0.
    public var exitStatus: Int32 {
        if failure != nil { return 2 }
        return stages.contains { $0.report.counts.rejected > 0 } ? 1 : 0
    }
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
        try store.withConnection("running \(pipeline.file)") { db in
            isDryRun
                ? try rollingBack(db) { try run(pipeline, userID: userID, in: db, isDryRun: true) }
                : try run(pipeline, userID: userID, in: db, isDryRun: false)
        }
    }

    private func run(_ pipeline: PipelineDefinition, userID: String?, in db: Database, isDryRun: Bool) throws -> PipelineReport {
        var report = PipelineReport(file: pipeline.file, isDryRun: isDryRun)
        var pipelineRun: Int64?
        for stage in pipeline.stages {
            var stageReport = StageReport(label: stage.label, isCatalog: false, report: RunReport())
            do {
                switch stage.work {
                case .catalog:
                    stageReport.isCatalog = true
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
                }
                if let unreadable = stageReport.report.files.first(where: { $0.failure != nil })?.failure {
                    stageReport.failure = unreadable.description
                }
            } catch let error as UsageError {
                stageReport.failure = error.message
            } catch let refusal as Refusal {
                stageReport.failure = refusal.message
            }
            pipelineRun = pipelineRun ?? stageReport.report.runID
            report.stages.append(stageReport)
            if stageReport.failure != nil { break }
        }
        report.pipelineRun = isDryRun ? nil : pipelineRun
        return report
    }
}
