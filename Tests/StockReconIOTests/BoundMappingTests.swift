import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

@Suite struct BoundMappingTests {
    let directory = TemporaryDirectory()

    @Test func fieldPositionsFollowTheCaseOrder() {
        for (offset, field) in MappedField.allCases.enumerated() { #expect(field.position == offset, "\(field)") }
    }

    @Test func explainsMissingColumnsAndSuggestsAFormat() {
        let path = directory.file("d.csv", "variant_id,quantity_change,reason\n1001,2,x\n")
        #expect {
            _ = try readRows(path, SourceFormat.synq.mapping)
        } throws: { error in
            guard let error = error as? FileReadError else { return false }
            return error.message.contains("quantity_delta") && error.message.contains("--format dayzero") && error.location.line == 1
        }
    }

    @Test func aColumnTheHeaderNamesTwiceRefusesTheFile() throws {
        // The first was read, silently: 5 units where the second column said 500.
        let path = directory.file("twice.csv", "variant_id,location_id,Quantity Delta,quantity-delta,notes,notes\n1001,WH,5,500,a,b\n")
        #expect {
            _ = try readRows(path, SourceFormat.synq.mapping)
        } throws: { error in
            (error as? FileReadError)?.message
                == "the header has quantity_delta 2 times (columns 3, 4): which one holds the value is not clear; rename or remove the others"
        }
        // A column the mapping does not read may repeat.
        let other = directory.file("other.csv", "variant_id,quantity_delta,comment,comment\n1001,5,a,b\n")
        #expect(try readRows(other, SourceFormat.synq.mapping).map(\.input.quantity) == ["5"])
    }

    @Test func normalizesHeaderNamesAndFillsDefaults() throws {
        let rows = try readRows(directory.file("s.csv", "Variant ID, Quantity-Delta ,notes\n1001,4,\n1002,5, \n"), SourceFormat.synq.mapping)
        #expect(rows[0].input.variant == "1001")
        #expect(rows[0].input.quantity == "4")
        #expect(rows[0].input.quantityColumn == "quantity_delta")
        #expect(rows[0].input.notes == "Import")
        #expect(rows[1].input.notes == " ", "a note of one space is kept, not replaced by the default")
    }

    @Test func keepsFreeTextExactAndTrimsIDsAndNumbers() throws {
        let path = directory.file("f.csv", "variant_id,quantity_delta,notes,reference_id,location_id\n 1001 ,\t7 ,\t edge\t ,  R-1 , WH \n")
        let input = try #require(try readRows(path, SourceFormat.synq.mapping).first).input
        #expect(input.variant == "1001")
        #expect(input.quantity == "7")
        #expect(input.location == "WH")
        #expect(input.notes == "\t edge\t ")
        #expect(input.reference == "  R-1 ")
    }

    @Test func dayzeroReadsQuantityChangeAndReasonAndRequiresIt() throws {
        let rows = try readRows(directory.file("d.csv", "variant_id,quantity_change,reason,location_id\n1001,-2,damaged,\n"), SourceFormat.dayzero.mapping)
        let input = try #require(rows.first).input
        #expect(input.quantity == "-2")
        #expect(input.quantityColumn == "quantity_change")
        #expect(input.reasonCode == "damaged")
        #expect(input.source.column(.reason) == "reason")
        #expect(input.location == nil)
        #expect(AdjustmentRules().applying(SourceFormat.dayzero.mapping).isReasonRequired)
        #expect(!AdjustmentRules().applying(SourceFormat.synq.mapping).isReasonRequired)
    }

    @Test func canonicalReadsSetRowsNaturalKeysAndFallsBackPerRow() throws {
        let path = directory.file("c.csv", """
            idempotency_key,variant_id,sku,transaction_type,quantity_delta,quantity_after,unit_cost_minor
            k1,,TENT,set,,12,1250
            k2,1001,TENT,teleport,1,,
            k3,1001,,,3,,

            """)
        let rows = try readRows(path, SourceFormat.canonical.mapping)
        let set = rows[0].input
        #expect(set.mode == .set)
        #expect(set.quantity == "12")
        #expect(set.quantityColumn == "quantity_after")
        #expect(set.variantKey == VariantColumn("sku", .sku))
        #expect(set.naturalKey == "k1")
        #expect(set.isUnitCostInMinorUnits)
        #expect(rows[1].input.invalidChoice?.text == "teleport")
        #expect(rows[1].input.variantKey == VariantColumn("variant_id", .variantID))
        #expect(rows[2].input.mode == .delta)
    }

    @Test func sniffsSemicolonsAndTabs() throws {
        let semicolons = try readRows(directory.file("s.csv", "variant_id;quantity_delta;notes\n1001;3;a, b\n"), SourceFormat.synq.mapping)
        #expect(semicolons.first?.input.notes == "a, b")
        let tabs = try readRows(directory.file("t.csv", "variant_id\tquantity_delta\n1001\t-3\n"), SourceFormat.synq.mapping)
        #expect(tabs.first?.input.quantity == "-3")
    }

    @Test func aFormatOfAnotherShapeIsRefused() {
        let path = directory.file("h.csv", "variant_id,quantity\n1,2\n")
        #expect {
            _ = try readRows(path, SourceFormat.haravan.mapping)
        } throws: { error in
            (error as? FileReadError)?.message.contains("reads haravan JSON") == true
        }
    }

    @Test func everyImporterClaimsItsOwnKindOnly() {
        for mapping in SourceFormat.allCases.map(\.mapping) {
            for kind in [InputFile.Kind.csv, .json, .xlsx] {
                #expect(Importers.all.filter { $0.identify(kind, mapping: mapping) }.count <= 1)
            }
        }
    }
}
