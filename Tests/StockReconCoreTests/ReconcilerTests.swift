import Testing
@testable import StockReconCore

/// The fate of a valid row, decided without a database.
@Suite struct ReconcilerTests {
    let reconciler = Reconciler()

    @Test func aChangePostsAndASetBecomesTheDifferenceOrNothing() {
        #expect(reconciler.decide(.delta(5), onHand: 3, unitCostMinor: 100, adjustmentType: nil) == .post(.adjustment, delta: 5))
        #expect(reconciler.decide(.set(onHand: 12), onHand: 5, unitCostMinor: nil, adjustmentType: nil) == .post(.set, delta: 7))
        #expect(reconciler.decide(.set(onHand: 2), onHand: 5, unitCostMinor: nil, adjustmentType: nil) == .post(.set, delta: -3))
        #expect(reconciler.decide(.set(onHand: 5), onHand: 5, unitCostMinor: nil, adjustmentType: nil) == .unchanged)
    }

    @Test func anEarlierKeyIsADuplicateOrAConflict() {
        let earlier = EarlierKey(contentDigest: 42, outcome: .posted)
        #expect(reconciler.decide(.delta(5), onHand: 0, unitCostMinor: nil, adjustmentType: nil, earlier: earlier, digest: 42) == .duplicate)
        #expect(reconciler.decide(.delta(5), onHand: 0, unitCostMinor: nil, adjustmentType: nil, earlier: earlier, digest: 7)
            == .reject(.conflictingDuplicate(earlierOutcome: .posted)))
    }

    @Test(arguments: [
        (StockChange.delta(50), Int64(0), Int64?.none, AdjustmentType?.none, false),
        (.delta(51), 0, nil, nil, true),
        (.delta(-51), 100, nil, nil, true),
        (.delta(10), 0, 5_000, nil, false),
        (.delta(10), 0, 5_001, nil, true),
        (.delta(1), 0, nil, .theft, true),
        (.delta(1), 0, nil, .damage, false),
        (.set(onHand: 80), 10, nil, nil, true),
    ])
    func holdsWhatNeedsAManager(change: StockChange, onHand: Int64, cost: Int64?, type: AdjustmentType?, held: Bool) {
        let fate = reconciler.decide(change, onHand: onHand, unitCostMinor: cost, adjustmentType: type)
        if case .hold = fate { #expect(held) } else { #expect(!held, "\(fate)") }
    }

    @Test func negativeStockIsRefusedOnlyWhenForbidden() {
        let strict = Reconciler(isNegativeStockForbidden: true)
        #expect(strict.decide(.delta(-4), onHand: 3, unitCostMinor: nil, adjustmentType: nil) == .reject(.negativeStock(onHand: 3, delta: -4)))
        #expect(strict.decide(.delta(-3), onHand: 3, unitCostMinor: nil, adjustmentType: nil) == .post(.adjustment, delta: -3))
        #expect(reconciler.decide(.delta(-4), onHand: 3, unitCostMinor: nil, adjustmentType: nil) == .post(.adjustment, delta: -4))
    }

    @Test func stagesChooseTheirMovementKind() {
        let receiving = Reconciler(approval: .never, changeKind: .receipt)
        #expect(receiving.decide(.delta(500), onHand: 0, unitCostMinor: 100_000, adjustmentType: nil) == .post(.receipt, delta: 500))
    }

    @Test func reasonsStandForTypes() {
        let map = ReasonMap(["Bruch": .damage], isStrict: true)
        #expect(map.type(of: "bruch") == .damage)
        #expect(map.type(of: "Correction") == .correction)
        #expect(map.type(of: "Schwund") == nil)
        #expect(map.merging(ReasonMap(["bruch": .theft])).type(of: "BRUCH") == .theft)
    }

    @Test func aReasonLookedUpOnItsBytesStandsForWhatItsStringDoes() {
        let map = ReasonMap(["Bruch": .damage, "damage": .theft, "hỏng": .damage, "newproduct": .found], isStrict: true)
        let (index, types) = map.lowercasedIndex()
        let reasons = ["bruch", "BRUCH", "Damage", "THEFT", "return", "Returned", "", "newProduct", "hỏng", "HỎNG",
                       String(repeating: "x", count: 65), "break\tage", "found "]
        var decidedOnBytes = 0
        for reason in reasons {
            let onBytes = index.value(for: reason)
            if onBytes != nil { decidedOnBytes += 1 }
            #expect((onBytes.map { $0.map { types[$0] } } ?? map.type(of: reason)) == map.type(of: reason), "\(reason)")
        }
        #expect(decidedOnBytes == reasons.count - 3, "all but the two non-ASCII and the long one")
        #expect(index.value(for: "Damage") == .some(types.firstIndex(of: .theft)), "the map's entry wins over a type's name")
    }

    @Test func dateFormatsReadDayFirstDatesAndRefuseUnknownDirectives() throws {
        let format = try DateFormat("%d.%m.%Y %H:%M")
        #expect(format.normalize("20.11.2026 14:05") == "2026-11-20T14:05:00Z")
        #expect(format.normalize("32.11.2026 14:05") == nil)
        #expect(try DateFormat("%d %b %Y %z").normalize("03 Feb 2026 +0100") == "2026-02-02T23:00:00Z")
        #expect(throws: DateFormat.PatternError.self) { _ = try DateFormat("%d.%q") }
    }

    @Test func wholeNumbersMayHaveAFractionOfZeros() {
        #expect(Quantity.parse("8.0") == .success(8))
        #expect(Quantity.parse("8,00", decimalMark: UInt8(ascii: ",")) == .success(8))
        #expect(Quantity.parse("8.5") == .failure(.notAnInteger))
        #expect(Quantity.parse(".0") == .failure(.notAnInteger))
    }
}

/// Content digests are stored with every natural key: each kind may never change, or every
/// earlier key would conflict with its own row read again.
@Suite struct ContentDigestTests {
    static func sampleRow() -> AdjustmentInput<String> {
        var input = AdjustmentInput<String>(source: InputSource(file: "f.csv"), line: 1, record: 1)
        input.variant = "d6cd3155-08a8-4c7f-8621-0123456789ab"
        input.quantity = "-3"
        input.reasonCode = "damaged"
        input.notes = " torn\t"
        input.occurredAt = ""
        return input
    }

    /// The words digests were worked out as well by a separate implementation (Python) of
    /// `WordHash`'s description, field by field, and agree.
    @Test func theDigestOfARowIsFixedForever() {
        var input = AdjustmentInput<String>(source: InputSource(file: "f.csv"), line: 1, record: 1)
        #expect(input.contentDigest(.fnv1a) == -8_515_739_809_361_517_925)
        #expect(input.contentDigest(.words) == -1_766_399_882_608_575_787)
        input.variant = "1001"
        input.quantity = "-3"
        input.reasonCode = "damaged"
        input.notes = " torn\t"
        input.occurredAt = ""
        #expect(input.contentDigest(.fnv1a) == -3_956_297_356_185_414_300)
        #expect(input.contentDigest(.words) == -3_210_343_779_533_591_602)
        #expect(Self.sampleRow().contentDigest(.words) == -491_663_231_201_839_769)
    }

    /// Every field that decides what a row posts changes its digest; an absent field differs
    /// from an empty one, and bytes moved from one field to the next change it too.
    @Test(arguments: ContentDigest.allCases) func everyFieldChangesTheDigest(_ kind: ContentDigest) {
        let base = Self.sampleRow()
        let changes: [(String, (inout AdjustmentInput<String>) -> Void)] = [
            ("variant", { $0.variant = "d6cd3155-08a8-4c7f-8621-0123456789ac" }),
            ("variant column", { $0.variantColumn = 1 }),
            ("quantity", { $0.quantity = "-4" }),
            ("mode", { $0.mode = .set }),
            ("type", { $0.adjustmentType = "shrinkage" }),
            ("location", { $0.location = "WH" }),
            ("site", { $0.site = "s1" }),
            ("reason", { $0.reasonCode = "damagee" }),
            ("reason description", { $0.reasonDescription = "" }),
            ("reference", { $0.reference = "PO-1" }),
            ("unit cost", { $0.unitCost = "1.00" }),
            ("total cost", { $0.totalCost = "3.00" }),
            ("notes", { $0.notes = " torn " }),
            ("time absent", { $0.occurredAt = nil }),
            ("bytes moved between fields", { $0.quantity = "-3d"; $0.reasonCode = "amaged" }),
        ]
        var seen: [Int64: String] = [base.contentDigest(kind): "the row"]
        for (name, change) in changes {
            var changed = base
            change(&changed)
            let digest = changed.contentDigest(kind)
            #expect(seen[digest] == nil, "\(kind): changing the \(name) gave the digest of \(seen[digest] ?? "")")
            seen[digest] = name
        }
        #expect(base.contentDigest(kind) == Self.sampleRow().contentDigest(kind))
    }

    /// A reversal is decided as every change is: posted as `reversal`, never held however
    /// large or costly, and allowed below zero.
    @Test func aReversalPostsAsAReversalNeverHeldEvenBelowZero() {
        #expect(Reconciler.reversing.decide(.delta(-500), onHand: 10, unitCostMinor: 1_000_000, adjustmentType: .theft) == .post(.reversal, delta: -500))
        #expect(Reconciler.reversing.decide(.delta(7), onHand: -3, unitCostMinor: nil, adjustmentType: nil) == .post(.reversal, delta: 7))
        #expect(Reconciler.reversing.decide(.delta(0), onHand: 4, unitCostMinor: nil, adjustmentType: nil) == .unchanged)
    }

    /// The last bytes of a field are read as one word, overlapping the words before: every
    /// length from 0 to 24, and every byte position, counts.
    @Test func theWordDigestReadsEveryByteOfEveryLength() {
        for length in 0...24 {
            let text = String((0..<length).map { Character(UnicodeScalar(UInt8(97 + $0 % 26))) })
            var row = Self.sampleRow()
            row.notes = text
            var digests: Set<Int64> = [row.contentDigest(.words)]
            for position in 0..<length {
                var bytes = Array(text.utf8)
                bytes[position] = UInt8(ascii: "Z")
                row.notes = String(decoding: bytes, as: UTF8.self)
                digests.insert(row.contentDigest(.words))
            }
            #expect(digests.count == length + 1, "length \(length)")
        }
    }
}
