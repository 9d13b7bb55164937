import Testing
@testable import StockReconIO
import StockReconCore

struct Row: RowReading {
    var line = 2
    var record = 1
    var values: [String?]
    func text(_ column: Int) -> String? { column < values.count ? values[column] : nil }
    func value(_ column: Int) -> String? { text(column) }
}

@Suite struct SourceFormatTests {
    @Test func explainsMissingColumnsAndSuggestsAFormat() {
        #expect {
            _ = try SourceFormat.synq.mapper(header: ["variant_id", "quantity_change", "reason"], file: "d.csv")
        } throws: { error in
            guard let error = error as? FileReadError else { return false }
            return error.message.contains("quantity_delta") && error.message.contains("--format dayzero") && error.location.line == 1
        }
    }

    @Test func normalizesHeaderNames() throws {
        let mapper = try SourceFormat.synq.mapper(header: ["Variant ID", " Quantity-Delta "], file: "s.csv")
        let input = mapper.input(from: Row(values: ["1001", "4"]))
        #expect(input.variant == "1001")
        #expect(input.quantity == "4")
        #expect(input.source.quantityColumn == "quantity_delta")
        #expect(input.notes == "Import")
    }

    @Test func dayzeroReadsQuantityChangeAndReason() throws {
        let mapper = try SourceFormat.dayzero.mapper(header: ["variant_id", "quantity_change", "reason", "location_id"], file: "d.csv")
        let input = mapper.input(from: Row(values: ["1001", "-2", "damaged", nil]))
        #expect(input.quantity == "-2")
        #expect(input.source.quantityColumn == "quantity_change")
        #expect(input.reasonCode == "damaged")
        #expect(input.source.reasonColumn == "reason")
        #expect(input.location == nil)
        #expect(SourceFormat.dayzero.rules(AdjustmentRules()).isReasonRequired)
    }

    @Test func canonicalReadsSetRowsAndNaturalKeys() throws {
        let mapper = try SourceFormat.canonical.mapper(
            header: ["idempotency_key", "sku", "transaction_type", "quantity_delta", "quantity_after", "unit_cost_minor"], file: "c.csv")
        let set = mapper.input(from: Row(values: ["k1", "TENT", "set", nil, "12", "1250"]))
        #expect(set.mode == .set)
        #expect(set.quantity == "12")
        #expect(set.quantityColumn == "quantity_after")
        #expect(set.source.variantKeyKind == .sku)
        #expect(set.source.variantColumn == "sku")
        #expect(set.naturalKey == "k1")
        #expect(set.isUnitCostInMinorUnits)
        let odd = mapper.input(from: Row(values: ["k2", "TENT", "teleport", "1", nil, nil]))
        #expect(odd.invalidChoice?.text == "teleport")
    }
}
