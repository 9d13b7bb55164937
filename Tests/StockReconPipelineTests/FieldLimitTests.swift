import Foundation
import TestSupport
import Testing
@testable import StockReconPipeline
import StockReconCore
import StockReconIO
import StockReconStore

/// Nothing is stored cut short, empty or clamped (SPEC section 3): a field over the limit and
/// a value beyond 64 bits of minor units are refused at their row; sums that would overflow
/// are an error, never a saturated figure.
@Suite struct FieldLimitTests {
    func importing(_ fixture: Fixture, _ file: InputFile, mapping: ColumnMapping = SourceFormat.synq.mapping) throws -> RunReport {
        try ImportPipeline(store: fixture.store).run(ImportRequest(
            tenantID: "t1", orgID: "acme", mapping: mapping, files: [file], rules: AdjustmentRules(approval: .never)))
    }

    @Test(arguments: Backend.available) func aFieldOverTheLimitIsRejectedAtItsLineAndField(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let limit = ColumnMapping.defaultMaxFieldBytes
        let fits = String(repeating: "n", count: limit)
        let file = fixture.file("a.csv", "variant_id,quantity_delta,notes\n1001,1,\(fits)\n1001,2,\(fits)x\n")
        let report = try importing(fixture, file)
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        let rejection = try #require(report.sampleRejections.first)
        #expect(rejection.type == .invalidText)
        #expect(rejection.location.line == 3 && rejection.location.field == "notes")
        #expect(rejection.message.contains("\(limit + 1) bytes"))
        #expect((rejection.input ?? "").utf8.count < 200)
        // The row that fits is stored whole.
        #expect(try fixture.count("SELECT length(notes) FROM movements") == limit)
    }

    @Test func aMappingRaisesOrLowersTheLimit() throws {
        let fixture = try Fixture()
        let mapping = try MappingFile.parse("""
            max_field_bytes: 8
            columns: {variant: variant_id, quantity: qty, notes: notes}
            """, file: "small.yaml")
        #expect(mapping.maxFieldBytes == 8)
        let report = try importing(fixture, fixture.file("a.csv", "variant_id,qty,notes\n1001,1,12345678\n1001,1,123456789\n"), mapping: mapping)
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(throws: ConfigurationError.self) {
            _ = try MappingFile.parse("max_field_bytes: lots\ncolumns: {variant: v, quantity: q}\n", file: "bad.yaml")
        }
    }

    @Test func aHeaderOverTheLimitMakesTheFileUnreadable() throws {
        let fixture = try Fixture()
        let long = String(repeating: "h", count: ColumnMapping.defaultMaxFieldBytes + 1)
        let report = try importing(fixture, fixture.file("a.csv", "variant_id,quantity_delta,\(long)\n1001,1,x\n"))
        let failure = try #require(report.files.first?.failure)
        #expect(failure.message.contains("column 3"), "\(failure.message)")
        #expect(report.counts.posted == 0)
    }

    @Test(arguments: Backend.available) func aValueBeyond64BitsIsAnInvalidCostAtItsRow(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        let file = fixture.file("a.csv", "variant_id,quantity_delta,unit_cost\n1001,10000000,10000000000.00\n1001,1,10000000000.00\n")
        let report = try importing(fixture, file)
        #expect(report.counts == OutcomeCounts(rows: 2, posted: 1, rejected: 1))
        #expect(report.sampleRejections.map(\.type) == [.invalidCost])
        #expect(report.sampleRejections.first?.location.line == 2)
    }

    @Test(arguments: Backend.available) func aSummaryWhoseSumWouldOverflowIsAnErrorNotAClampedFigure(_ backend: Backend) throws {
        let fixture = try Fixture(backend)
        // Each movement is worth 5e18 minor units, which fits; their sum does not.
        let file = fixture.file("a.csv", "variant_id,quantity_delta,unit_cost\n1001,10000000,5000000000.00\n1001,10000000,5000000000.00\n")
        #expect(try importing(fixture, file).counts.posted == 2)
        #expect(throws: MoneyOverflow.self) { _ = try Reporting(store: fixture.store).summary(tenantID: "t1", from: nil, to: nil) }
    }

    @Test func countTotalsThatWouldOverflowAreAnError() throws {
        let item = { (variant: String) in
            CountItem(variantID: variant, sku: nil, locationID: "WH", batch: nil, systemQuantity: 0, countedQuantity: 10_000_000,
                      movedDuringCount: 0, unitCostMinor: 500_000_000_000, reason: nil, notes: nil)
        }
        #expect(try CountTotals([item("a")]).excessValueMinor == 5_000_000_000_000_000_000)
        #expect(throws: MoneyOverflow.self) { _ = try CountTotals([item("a"), item("b")]) }
    }
}
