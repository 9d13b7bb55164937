import StockReconCore

/// What every row a file holds for approval shares (bound once a file where a backend can).
public struct HeldFile: Sendable {
    public var tenant: Int64
    public var org: Int64
    public var requestedBy: Int64?
    public var run: Int64
    public var file: Int64
    /// The change's kind code; nil for an adjustment.
    public var kind: Int64?
    public var isNegativeStockForbidden: Bool
    /// A receipt file reads its held rows' ids after each batch (its receipt lines name them):
    /// a writer that streams them (PostgreSQL's COPY) ends them with each batch. Other files
    /// leave the stream open, the server storing rows while the next batch is read.
    public var idsReadEachBatch = false

    /// As `BulkSQL.approvalFileColumns`.
    package var values: [SQLValue] {
        [.integer(tenant), .integer(org), requestedBy.map(SQLValue.integer) ?? .null, .integer(run), .integer(file),
         kind.map(SQLValue.integer) ?? .null, .integer(isNegativeStockForbidden ? 1 : 0)]
    }
}

/// A valid row held for a manager: what deciding it added to the batch's row.
public struct HeldRow: Sendable {
    public var row: Int
    /// What approving posts.
    public var delta: Int64
    public var costImpactMinor: Int64
    /// A held `set` keeps its target: approving posts target − on-hand then.
    public var setOnHand: Int64?
}

/// Appends one file's held rows to `approval_requests` (`BulkOperations.approvalAppender`).
public protocol ApprovalAppending: AnyObject {
    /// Holds `held`; it may point into the batch's arena until `endBatch`.
    func append(_ held: HeldRow, of batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws
    /// Writes what points into the batch's arena, before the arena goes.
    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws
    /// Writes the rest.
    func finish() throws
}

extension BulkOperations {
    /// Rows of values through `rowAppender`, for a backend without a faster way.
    public func approvalAppender(_ file: HeldFile) throws -> any ApprovalAppending {
        ApprovalRows(try rowAppender(table: "approval_requests", columns: BulkSQL.approvalColumns), file: file)
    }
}

/// Held rows as rows of values, the texts copied out of the arena as each is appended.
final class ApprovalRows: ApprovalAppending {
    private let rows: any RowAppending
    private let fileValues: [SQLValue]
    private let endsEachBatch: Bool

    init(_ rows: any RowAppending, file: HeldFile) {
        self.rows = rows
        fileValues = file.values
        endsEachBatch = file.idsReadEachBatch
    }

    func append(_ held: HeldRow, of batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        var values = fileValues
        values.reserveCapacity(BulkSQL.approvalColumns.count)
        values += [
            .integer(batch.variants[held.row]), .integer(batch.locations[held.row]), .integer(held.delta), .integer(held.costImpactMinor),
            batch.unitCosts[held.row].map(SQLValue.integer) ?? .null, .integer(Int64(batch.lines[held.row])),
            .integer(Int64(batch.records[held.row])), held.setOnHand.map(SQLValue.integer) ?? .null,
        ]
        for column in PostingBatch.TextColumn.allCases { values.append(batch.string(column, of: held.row).map(SQLValue.text) ?? .null) }
        try rows.append(values: values)
    }

    /// Ends the batch's rows (a COPY on PostgreSQL) only where a receipt file's held rows need
    /// their ids for the batch's receipt lines: each end waits for the server to store them.
    func endBatch(_ batch: PostingBatch, arena: UnsafePointer<UInt8>?) throws {
        if endsEachBatch { try rows.finish() }
    }

    func finish() throws { try rows.finish() }
}
