import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
import StockReconStore

/// A held row keeps the change as written and the rules it was held under, and approving
/// decides it again against on-hand then (SPEC section 3). Variant 1001 costs 10.00.
@Suite struct HeldChangeTests {
    func importing(_ fixture: Fixture, _ name: String, _ text: String, format: SourceFormat = .synq, forbidNegative: Bool = false) throws -> RunReport {
        try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: format, userID: "bob", files: [fixture.file(name, text)],
            rules: AdjustmentRules(isNegativeStockForbidden: forbidNegative)))
    }

    func approve(_ fixture: Fixture, _ id: Int64) throws -> Decision {
        try fixture.store.decide(approvalID: id, tenantID: "t1", userID: "alice", note: nil, approve: true)
    }

    @Test(arguments: Backend.available) func approvingKeepsTheNegativeStockRuleItWasHeldUnder(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        #expect(try importing(fixture, "in.csv", "variant_id,quantity_delta\n1001,50\n1001,20\n").counts.posted == 2)
        let held = try importing(fixture, "held.csv", "variant_id,quantity_delta\n1001,-60\n", forbidNegative: true)
        #expect(held.counts == OutcomeCounts(rows: 1, pending: 1))
        #expect(try importing(fixture, "drain.csv", "variant_id,quantity_delta\n1001,-40\n").counts.posted == 1)
        #expect(try fixture.balance("1001") == 30)
        #expect {
            _ = try approve(fixture, 1)
        } throws: { error in
            let message = (error as? Refusal)?.message ?? ""
            return message.contains("from 30 to -30") && message.contains("stays pending")
        }
        #expect(try fixture.balance("1001") == 30)
        #expect(try fixture.count("SELECT count(*) FROM approvals WHERE status = 'PENDING'") == 1)
        // Once the stock is there, the same approval goes through.
        #expect(try importing(fixture, "more.csv", "variant_id,quantity_delta\n1001,40\n").counts.posted == 1)
        #expect(try approve(fixture, 1).movementID != nil)
        #expect(try fixture.balance("1001") == 10)
    }

    /// Held rows are written in batches (issue 29): every one, numbered in file order, with
    /// what it said; a rerun holds none again, and each approves as one held alone would.
    @Test(arguments: Backend.available) func aFileOfHeldRowsIsWrittenWholeAndInOrder(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        var rows = "variant_id,location_id,quantity_delta,reference_id,notes,idempotency_key\n"
        for row in 1...1_000 { rows += "1001,WH,\(row % 2 == 0 ? 60 + row % 7 : -(60 + row % 7)),R\(row),\"tab\tand, comma \(row)\",K\(row)\n" }
        let report = try importing(fixture, "held.csv", rows)
        #expect(report.counts == OutcomeCounts(rows: 1_000, pending: 1_000))
        let held = try fixture.store.read { db in
            try db.fetchAll(sql: """
                SELECT a.id, a.quantity_delta, a.reference_id, a.notes, a.idempotency_key, a.source_line, u.user_id
                FROM approval_requests a JOIN catalog_users u ON u.id = a.requested_by ORDER BY a.id
                """)
                .map { row in "\(try row[0] as Int64) \(try row[1] as Int64) \(try row[2] as String) \(try row[3] as String) \(try row[4] as String) \(try row[5] as Int64) \(try row[6] as String)" }
        }
        #expect(held == (1...1_000).map { row in
            "\(row) \(row % 2 == 0 ? 60 + row % 7 : -(60 + row % 7)) R\(row) tab\tand, comma \(row) K\(row) \(row + 1) bob"
        })
        #expect(try importing(fixture, "again.csv", rows).counts == OutcomeCounts(rows: 1_000, duplicate: 1_000))
        #expect(try fixture.count("SELECT count(*) FROM approvals") == 1_000)
        #expect(try approve(fixture, 2).movementID != nil)
        #expect(try fixture.balance("1001") == 62)
    }

    @Test(arguments: Backend.available) func aHeldRowWithoutTheRuleMayStillGoNegative(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        #expect(try importing(fixture, "held.csv", "variant_id,quantity_delta\n1001,-60\n").counts.pending == 1)
        #expect(try approve(fixture, 1).movementID != nil)
        #expect(try fixture.balance("1001") == -60)
    }

    @Test(arguments: Backend.available) func heldSetsPostTheirTargetMinusOnHandAtApproval(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let header = "variant_id,transaction_type,quantity_after,notes\n"
        // An export and its corrected copy: different files, so both rows are new, both held.
        #expect(try importing(fixture, "first.csv", header + "1001,set,100,first\n", format: .canonical).counts.pending == 1)
        #expect(try importing(fixture, "copy.csv", header + "1001,set,100,corrected\n", format: .canonical).counts.pending == 1)
        let first = try approve(fixture, 1)
        #expect(first.movementID != nil)
        #expect(try fixture.balance("1001") == 100)
        // On-hand is already 100: the second set has nothing to post.
        let second = try approve(fixture, 2)
        #expect(second.movementID == nil)
        #expect(second.status == .approved)
        #expect(try fixture.balance("1001") == 100)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE transaction_type = 'set'") == 1)
        #expect(try fixture.count("SELECT unchanged FROM runs WHERE id = ?", [second.runID]) == 1)

        // A held set approved after stock moved posts what is missing to reach its target.
        #expect(try importing(fixture, "third.csv", header + "1001,set,200,third\n", format: .canonical).counts.pending == 1)
        #expect(try importing(fixture, "sold.csv", "variant_id,quantity_delta\n1001,-30\n").counts.posted == 1)
        let third = try approve(fixture, 3)
        let delta = try fixture.count("SELECT quantity_delta FROM movements WHERE id = ?", [try #require(third.movementID)])
        #expect(delta == 130)
        #expect(try fixture.balance("1001") == 200)
    }

    @Test(arguments: Backend.available) func aSetToANegativeOnHandIsAllowedUnlessForbidden(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let set = "variant_id,transaction_type,quantity_after\n1001,set,-2\n"
        let strict = try importing(fixture, "strict.csv", set, format: .canonical, forbidNegative: true)
        #expect(strict.counts == OutcomeCounts(rows: 1, rejected: 1))
        #expect(strict.sampleRejections.map(\.type) == [.negativeStock])
        #expect(try importing(fixture, "books.csv", set, format: .canonical).counts == OutcomeCounts(rows: 1, posted: 1))
        #expect(try fixture.balance("1001") == -2)
    }
}
