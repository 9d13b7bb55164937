import StockReconCore

extension MovementKind {
    /// The kind of a `ledger.kind` code, nil for none.
    package init?(code: Int64) {
        guard let kind = Self.allCases.first(where: { $0.code == code }) else { return nil }
        self = kind
    }

    /// The `ledger.kind` code; the `movements` view spells these out.
    package var code: Int64 {
        switch self {
        case .adjustment: return 1
        case .set: return 2
        case .receipt: return 3
        case .count: return 4
        case .reversal: return 5
        }
    }
}

