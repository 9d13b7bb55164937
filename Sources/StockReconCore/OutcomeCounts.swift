/// The five outcomes of SPEC section 2, counted over a file or a run. They add up to `rows`.
public struct OutcomeCounts: Sendable, Hashable {
    public var rows = 0
    public var posted = 0
    public var pending = 0
    public var rejected = 0
    public var unchanged = 0
    public var duplicate = 0

    public init(rows: Int = 0, posted: Int = 0, pending: Int = 0, rejected: Int = 0, unchanged: Int = 0, duplicate: Int = 0) {
        self.rows = rows
        self.posted = posted
        self.pending = pending
        self.rejected = rejected
        self.unchanged = unchanged
        self.duplicate = duplicate
    }

    public var isBalanced: Bool { posted + pending + rejected + unchanged + duplicate == rows }

    public static func += (lhs: inout OutcomeCounts, rhs: OutcomeCounts) {
        lhs.rows += rhs.rows
        lhs.posted += rhs.posted
        lhs.pending += rhs.pending
        lhs.rejected += rhs.rejected
        lhs.unchanged += rhs.unchanged
        lhs.duplicate += rhs.duplicate
    }
}

/// What happened to one row.
public enum Outcome: String, Sendable, CaseIterable {
    case posted, pending, rejected, unchanged, duplicate
}

extension OutcomeCounts {
    public mutating func count(_ outcome: Outcome) {
        rows += 1
        switch outcome {
        case .posted: posted += 1
        case .pending: pending += 1
        case .rejected: rejected += 1
        case .unchanged: unchanged += 1
        case .duplicate: duplicate += 1
        }
    }
}
