import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
@testable import StockReconStore

/// Approvals, decisions, reversals, negative stock and attribution (issue 3). Variant 1001
/// costs 10.00 in the fixture catalog; alice is a manager, bob is staff.
@Suite struct ApprovalTests {
    func approvalRows(_ fixture: Fixture) throws -> [[String: SQLValue]] {
        try fixture.store.read { db in
            try db.fetchAll(sql: "SELECT * FROM approvals ORDER BY id").map { row in
                Dictionary(uniqueKeysWithValues: zip(row.columns, row.values).map { ($0, $1) })
            }
        }
    }

    @Test(arguments: Backend.available) func thresholdsAreExclusiveAndTheftAlwaysWaits(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("s.csv", """
            product,type,quantity,reason,notes,reference
            1001,FOUND,50,,,exactly 50 units and 500.00
            1001,FOUND,51,,,51 units
            1001,CORRECTION,-51,,,minus 51 units

            """)
        let costs = fixture.file("c.csv", """
            variant_id,quantity_delta,unit_cost
            1001,1,500.00
            1001,1,500.05
            1001,-1,500.05

            """)
        let theft = fixture.file("t.csv", "product,type,quantity\n1001,THEFT,-1\n1001,theft,1\n")
        let first = try fixture.importing([file], format: .stockAdjustments, user: "bob")
        #expect(first.counts == OutcomeCounts(rows: 3, posted: 1, pending: 2))
        #expect(first.exitStatus == 0)
        #expect(try fixture.importing([costs], format: .synq, user: "bob").counts == OutcomeCounts(rows: 3, posted: 1, pending: 2))
        #expect(try fixture.importing([theft], format: .stockAdjustments, user: "bob").counts == OutcomeCounts(rows: 2, pending: 2))
        #expect(try fixture.balance("1001") == 51)  // 50 + 1: pending rows moved nothing
        let approvals = try approvalRows(fixture)
        #expect(approvals.map { $0["quantity_delta"] } == [51, -51, 1, -1, -1, 1].map { .integer($0) })
        #expect(approvals.map { $0["cost_impact_minor"] } == [51000, -51000, 50005, -50005, -1000, 1000].map { .integer($0) })
        #expect(approvals.allSatisfy { $0["status"] == .text("PENDING") && $0["requested_by"] == .text("bob") })
        #expect(approvals.map { $0["adjustment_type"] }.suffix(2) == [.text("THEFT"), .text("THEFT")])
    }

    @Test(arguments: Backend.available) func theThresholdsAreSettings(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rules = AdjustmentRules(approval: ApprovalPolicy(maxUnits: 5, maxValueMinor: .max, alwaysRequiresApproval: []))
        let report = try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: .stockAdjustments,
            files: [fixture.file("s.csv", "product,type,quantity\n1001,THEFT,-5\n1001,FOUND,6\n")], rules: rules))
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, pending: 1))
    }

    @Test(arguments: Backend.available) func onlyAManagerDecidesOnceAndApprovingPostsWithBothUsers(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,60\n1001,70\n")], user: "bob")
        let store = fixture.store
        #expect {
            _ = try store.decide(approvalID: 1, tenantID: "t1", userID: "bob", note: nil, approve: true)
        } throws: { error in
            (error as? Refusal)?.message.contains("only a manager") == true
        }
        #expect(throws: Refusal.self) { _ = try store.decide(approvalID: 1, tenantID: "t1", userID: "mallory", note: nil, approve: true) }
        #expect(throws: Refusal.self) { _ = try store.decide(approvalID: 99, tenantID: "t1", userID: "alice", note: nil, approve: true) }
        #expect(try fixture.balance("1001") == nil)

        let decision = try store.decide(approvalID: 1, tenantID: "t1", userID: "alice", note: "PO 17 checked", approve: true)
        #expect(decision.status == .approved)
        let movement = try #require(decision.movementID)
        #expect(try fixture.balance("1001") == 60)
        let posted = try store.read { db in
            try db.fetchOne(sql: "SELECT user_id, approved_by, quantity_delta, quantity_before, source_line FROM movements WHERE id = ?", arguments: [movement])
        }
        #expect(try posted?["user_id"] == "bob")
        #expect(try posted?["approved_by"] == "alice")
        #expect(try posted?["quantity_delta"] == 60)
        #expect(try posted?["source_line"] == 2)

        _ = try store.decide(approvalID: 2, tenantID: "t1", userID: "alice", note: "no", approve: false)
        #expect(try fixture.balance("1001") == 60)
        for (id, approve) in [(1, false), (1, true), (2, true)] {
            #expect {
                _ = try store.decide(approvalID: Int64(id), tenantID: "t1", userID: "alice", note: nil, approve: approve)
            } throws: { error in
                (error as? Refusal)?.message.contains("a decision is final") == true
            }
        }
        let approvals = try approvalRows(fixture)
        #expect(approvals.map { $0["status"] } == [.text("APPROVED"), .text("REJECTED")])
        #expect(approvals.map { $0["decided_by"] } == [.text("alice"), .text("alice")])
        #expect(approvals.map { $0["note"] } == [.text("PO 17 checked"), .text("no")])
        #expect(approvals[0]["movement_id"] == .integer(movement))
        #expect(try fixture.count("SELECT count(*) FROM movements") == 1)
        #expect(try fixture.variantRunsMatchLedger())
    }

    @Test(arguments: Backend.available) func aRerunDoesNotHoldThePendingRowsAgain(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("a.csv", "variant_id,quantity_delta\n1001,60\n1001,2\n9,1\n")
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 3, posted: 1, pending: 1, rejected: 1))
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 3, rejected: 1, duplicate: 2))
        #expect(try fixture.count("SELECT count(*) FROM approvals") == 1)
    }

    @Test(arguments: Backend.available) func reversalsPostTheOppositeOnceAndOnlyInTheirTenant(_ backend: Backend) throws {
        let fixture = try Fixture(backend, tenants: ["t1", "t2"])
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta,unit_cost\n1001,5,2.00\n")], user: "bob")
        let store = fixture.store
        #expect {
            _ = try store.reverse(movementID: 1, tenantID: "t2", userID: "alice", reason: "x")
        } throws: { error in
            (error as? Refusal)?.message.contains("tenant t2 has no movement 1") == true
        }
        let (reversal, _) = try store.reverse(movementID: 1, tenantID: "t1", userID: "bob", reason: "entered twice")
        let row = try store.read { db in
            try db.fetchOne(sql: "SELECT * FROM movements WHERE id = ?", arguments: [reversal])
        }
        #expect(try row?["transaction_type"] == "reversal")
        #expect(try row?["quantity_delta"] == -5)
        #expect(try row?["quantity_before"] == 5)
        #expect(try row?["quantity_after"] == 0)
        #expect(try row?["reverses_id"] == 1)
        #expect(try row?["reason_code"] == "entered twice")
        #expect(try row?["user_id"] == "bob")
        #expect(try row?["unit_cost_minor"] == 200)
        #expect(try fixture.balance("1001") == 0)
        #expect {
            _ = try store.reverse(movementID: 1, tenantID: "t1", userID: "alice", reason: "again")
        } throws: { error in
            (error as? Refusal)?.message.contains("already reversed by movement \(reversal)") == true
        }
        #expect(throws: Refusal.self) { _ = try store.reverse(movementID: 1, tenantID: "t1", userID: "ghost", reason: "x") }
        #expect(try fixture.count("SELECT count(*) FROM movements") == 2)
        #expect(try fixture.variantRunsMatchLedger())
    }

    @Test(arguments: Backend.available) func negativeStockIsAllowedUnlessForbidden(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("a.csv", "variant_id,quantity_delta\n1001,3\n1001,-5\n1001,-3\n")
        #expect(try fixture.importing([file]).counts == OutcomeCounts(rows: 3, posted: 3))
        #expect(try fixture.balance("1001") == -5)

        let strict = try Fixture(backend)
        let report = try ImportPipeline(store: strict.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", format: .synq, files: [strict.file("a.csv", "variant_id,quantity_delta\n1001,3\n1001,-5\n1001,-3\n")],
            rules: AdjustmentRules(isNegativeStockForbidden: true)))
        #expect(report.counts == OutcomeCounts(rows: 3, posted: 2, rejected: 1))
        #expect(try strict.rejections(report.runID).map(\.type) == ["negative_stock"])
        #expect(try strict.rejections(report.runID).map(\.line) == [3])
        #expect(try strict.balance("1001") == 0)
    }

    @Test(arguments: Backend.available) func everyMovementNamesItsUserAndTheDefaultIsTheSystemUser(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        _ = try fixture.importing([fixture.file("a.csv", "variant_id,quantity_delta\n1001,3\n")])
        _ = try fixture.importing([fixture.file("b.csv", "variant_id,quantity_delta\n1001,4\n")], user: "bob")
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE user_id IS NULL") == 0)
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE user_id = 'system'") == 1)
        #expect(try fixture.count("SELECT count(*) FROM users WHERE user_id = 'system' AND role = 'staff'") == 1)
    }

    @Test(arguments: Backend.available) func stockAdjustmentTypesAreAClosedSet(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("s.csv", "product,type,quantity,reason\nTENT,damage,-2,wet\n1001,LOST,-1,\n1001,,1,\n1002,FOUND,1,\n")
        let report = try fixture.importing([file], format: .stockAdjustments)
        #expect(report.counts == OutcomeCounts(rows: 4, posted: 1, rejected: 3))
        #expect(try fixture.rejections(report.runID).map(\.type) == ["invalid_choice", "missing_field", "location_required"])
        #expect(try fixture.count("SELECT count(*) FROM movements WHERE adjustment_type = 'DAMAGE' AND reason_code = 'wet' AND location_id = 'WH'") == 1)
    }
}

/// Undoing a run larger than the page its reversal reads at once.
@Suite struct RunReversalTests {
    /// Every movement of the run reversed once, a page at a time (each page's reversals do not
    /// hide the next page), those reversed before left as they are; the balances back to zero;
    /// a second reversal of the run refused.
    @Test(arguments: Backend.available) func aRunIsReversedPageByPageEachMovementOnce(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let rows = (0 ..< 230).map { "\(["1001", "1002"][$0 % 2]),\(["WH", "SHOP"][$0 % 3 == 0 ? 1 : 0]),\($0 % 9 + 1)\n" }
        let report = try fixture.importing([fixture.file("run.csv", "variant_id,location_id,quantity_delta\n" + rows.joined())])
        let run = try #require(report.runID)
        #expect(report.counts.posted == 230)
        let first = try fixture.count("SELECT min(l.id) FROM ledger l JOIN postings p ON p.id = l.posting WHERE p.run = ?", [run])
        for id in [first, first + 49, first + 50, first + 229] {
            _ = try fixture.store.reverse(movementID: Int64(id), tenantID: "t1", userID: "alice", reason: "one")
        }
        let reversal = try Store.$reversalPage.withValue(50) {
            try fixture.store.reverse(runID: run, tenantID: "t1", userID: "alice", reason: "all")
        }
        #expect(reversal.reversals == 226 && reversal.alreadyReversed == 4)
        #expect(try fixture.count("""
            SELECT count(*) FROM ledger r JOIN postings p ON p.id = r.posting WHERE p.run = ? AND r.reverses_id IS NOT NULL
            """, [reversal.runID]) == 226)
        #expect(try fixture.count("""
            SELECT count(*) FROM ledger l JOIN postings p ON p.id = l.posting
            WHERE p.run = ? AND (SELECT count(*) FROM ledger r WHERE r.reverses_id = l.id) <> 1
            """, [run]) == 0, "each movement of the run reversed exactly once")
        #expect(try fixture.count("SELECT count(*) FROM balances WHERE tenant_id = 't1' AND on_hand <> 0") == 0)
        #expect(throws: Refusal.self) { try fixture.store.reverse(runID: run, tenantID: "t1", userID: "alice", reason: "again") }
    }
}
