/// What kind of change a movement is (`movements.transaction_type`).
public enum MovementKind: String, Sendable, CaseIterable, Hashable {
    case adjustment, set, receipt, count, reversal
}

/// Where an approval stands (`approvals.status`).
public enum ApprovalStatus: String, Sendable, CaseIterable, Hashable {
    case pending = "PENDING"
    case approved = "APPROVED"
    case rejected = "REJECTED"
}
