/// What made a run (`runs.command`): a command, or a stage of a pipeline, which names its
/// pipeline so that `runs` shows where a nightly run's stages came from.
public struct RunCommand: Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        case catalogImport
        /// `import --format NAME`
        case importFormat(String)
        /// `import --mapping NAME` (a mapping file, or a pipeline's named mapping)
        case importMapping(String)
        case approve
        case reject
        case reverse
        /// `count add COUNT_ID`
        case countAdd(Int64)
        /// `count complete COUNT_ID`
        case countComplete(Int64)
        /// `receive --purchase-orders`: the order lines loaded
        case purchaseOrders
        /// `receive`, its files read as receipts or through a mapping file
        case receive(mapping: String?)
    }

    public var kind: Kind
    /// The pipeline file whose stage this run is, if any.
    public var pipeline: String?
    /// The first run of the same pipeline run (nil for the first itself, or outside a pipeline):
    /// the runs of one `stockrecon run` share it, so their rejections can be listed together.
    public var pipelineRun: Int64?

    public init(_ kind: Kind, pipeline: String? = nil, pipelineRun: Int64? = nil) {
        self.kind = kind
        self.pipeline = pipeline
        self.pipelineRun = pipelineRun
    }

    /// The command as a person would type it (`import --format synq`).
    public var label: String {
        switch kind {
        case .catalogImport: return "catalog import"
        case .importFormat(let name): return "import --format \(name)"
        case .importMapping(let name): return "import --mapping \(name)"
        case .approve: return "approvals approve"
        case .reject: return "approvals reject"
        case .reverse: return "reverse"
        case .countAdd(let id): return "count add \(id)"
        case .countComplete(let id): return "count complete \(id)"
        case .purchaseOrders: return "receive --purchase-orders"
        case .receive(let mapping): return mapping.map { "receive --mapping \($0)" } ?? "receive"
        }
    }

    /// `runs.command`: the label, after `run PIPELINE:` for a pipeline's stage.
    public var text: String {
        pipeline.map { "run \($0): \(label)" } ?? label
    }
}
