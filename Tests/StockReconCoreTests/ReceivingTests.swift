import Testing
import StockReconCore

/// Over-receipt and price tolerances, order line states, and the receipt decision.
@Suite struct ReceivingTests {
    @Test(arguments: [
        // ordered, received before, this receipt, tolerance (basis points), over?
        (Int64(100), Int64(0), Int64(100), Int64(0), false),
        (100, 0, 101, 0, true),
        (100, 60, 50, 1_000, false),  // 110: exactly at 10%
        (100, 60, 51, 1_000, true),   // 111: just over
        (10, 10, 1, 1_000, false),    // 11 of 10 at 10%: exactly at
        (10, 11, 1, 1_000, true),     // across several receipts
        (3, 0, 4, 2_500, true),       // 4 > 3.75
        (0, 0, 1, 5_000, true),       // nothing ordered: any receipt is over
    ])
    func overReceiptCountsWhatWasReceivedBefore(ordered: Int64, before: Int64, quantity: Int64, tolerance: Int64, over: Bool) {
        let policy = ReceivingPolicy(overReceiptToleranceBasisPoints: tolerance)
        #expect(policy.isOverReceipt(OrderLineState(ordered: ordered, received: before), quantity: quantity) == over)
    }

    @Test func priceVarianceIsFlaggedOnlyBeyondTheTolerance() {
        let policy = ReceivingPolicy(priceVarianceToleranceBasisPoints: 200)  // 2%
        #expect(!policy.isPriceVariance(receiptCostMinor: 1_020, orderCostMinor: 1_000))  // exactly 2%
        #expect(policy.isPriceVariance(receiptCostMinor: 1_021, orderCostMinor: 1_000))
        #expect(policy.isPriceVariance(receiptCostMinor: 979, orderCostMinor: 1_000))     // cheaper counts too
        #expect(!ReceivingPolicy().isPriceVariance(receiptCostMinor: 1_000, orderCostMinor: 1_000))
        #expect(ReceivingPolicy().isPriceVariance(receiptCostMinor: 1_001, orderCostMinor: 1_000))
        #expect(ReceivingPolicy.priceVarianceValue(quantity: 5, receiptCostMinor: 1_260, orderCostMinor: 1_200) == 300)
        #expect(ReceivingPolicy.priceVarianceValue(quantity: 3, receiptCostMinor: 990, orderCostMinor: 1_000) == -30)
    }

    @Test func orderLinesAreCompleteShortOverOrUnreceived() {
        #expect(OrderLineState(ordered: 5, received: 0).status == .unreceived)
        #expect(OrderLineState(ordered: 5, received: 3).status == .short)
        #expect(OrderLineState(ordered: 5, received: 5).status == .complete)
        #expect(OrderLineState(ordered: 5, received: 6).status == .overReceived)
    }

    @Test func receiptsPostAsReceiptsAndWaitOnlyOverTheirOrder() {
        let reconciler = Reconciler.receiving(ReceivingPolicy(overReceiptToleranceBasisPoints: 0), rules: AdjustmentRules())
        let line = OrderLineState(ordered: 100, received: 40)
        // 500 units at 100.00 would wait as an adjustment; as a receipt within its order it posts.
        #expect(reconciler.decide(.delta(60), onHand: 0, unitCostMinor: 10_000, adjustmentType: nil, order: line) == .post(.receipt, delta: 60))
        #expect(reconciler.decide(.delta(61), onHand: 0, unitCostMinor: 10_000, adjustmentType: nil, order: line) == .hold(delta: 61))
        // No order line: unexpected, posted (the goods are there).
        #expect(reconciler.decide(.delta(500), onHand: 0, unitCostMinor: 10_000, adjustmentType: nil, order: nil) == .post(.receipt, delta: 500))
    }

    @Test(arguments: [("2.5%", Int64?(250)), ("0%", 0), ("10%", 1_000), ("100.00%", 10_000), ("2.555%", nil), ("5", nil), ("-1%", nil), ("%", nil)])
    func percentagesAreExact(text: String, basisPoints: Int64?) {
        #expect(Percentage.basisPoints(text) == basisPoints)
    }
}
