import Foundation
import Testing
@testable import StockReconIO
import StockReconCore
import TestSupport

@Suite struct PipelineFileTests {
    let directory = TemporaryDirectory()

    /// A folder with files for globs to find: `in/b.csv`, `in/a.csv`, `in/c.json`, a mapping.
    func folder() -> String {
        _ = directory.file("a.csv", "variant_id,location_id,quantity_delta\n1,L,1\n")
        _ = directory.file("b.csv", "variant_id,location_id,quantity_delta\n1,L,2\n")
        _ = directory.file("orgs.csv", "org_id,name,default_location_id\nacme,Acme,L\n")
        _ = directory.file("pos.yaml", "columns: {variant: EAN, quantity: Menge}\n")
        _ = directory.file("pos.csv", "EAN,Menge\n1,2\n")
        return directory.url.path
    }

    func parse(_ yaml: String) throws -> PipelineDefinition {
        try PipelineFile.parse(yaml, file: "p.yaml", folder: folder())
    }

    @Test func readsEveryKey() throws {
        let pipeline = try parse("""
            tenant: acme
            org: northwind
            user: u-clerk
            database: ../nightly.sqlite
            rules:
              approval: {max_units: 10, max_value: "99.50", always: [THEFT, damage]}
              require_reason: true
              forbid_negative_stock: yes
              reasons: {Bruch: DAMAGE}
              strict_reasons: true
              receiving: {over_receipt_tolerance: "2.5%", price_variance_tolerance: "0%"}
              counts: {review_over_value: "100.00"}
            mappings:
              pos: pos.yaml
              inline: {columns: {variant: SKU, variant_by: sku, quantity: Qty}}
            stages:
              - catalog: [orgs.csv]
              - catalog: {files: [orgs.csv]}
              - import: {format: synq, files: ["*.csv"]}
              - import: {mapping: pos, files: [pos.csv]}
            """)
        #expect(pipeline.tenantID == "acme")
        #expect(pipeline.orgID == "northwind")
        #expect(pipeline.userID == "u-clerk")
        #expect(pipeline.database == directory.url.path + "/../nightly.sqlite")
        #expect(pipeline.rules.approval == ApprovalPolicy(maxUnits: 10, maxValueMinor: 9950, alwaysRequiresApproval: [.theft, .damage]))
        #expect(pipeline.rules.isReasonRequired)
        #expect(pipeline.rules.isNegativeStockForbidden)
        #expect(pipeline.rules.reasons.type(of: "bruch") == .damage)
        #expect(pipeline.rules.reasons.isStrict)
        #expect(pipeline.receiving.overReceiptToleranceBasisPoints == 250)
        #expect(pipeline.counts.reviewOverValueMinor == 10_000)
        #expect(pipeline.stages.map(\.label) == ["catalog", "catalog", "import --format synq", "import --mapping pos"])
        // Globs match in name order.
        #expect(pipeline.stages[2].files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["a.csv", "b.csv", "orgs.csv", "pos.csv"])
        guard case .importing(let mapping) = pipeline.stages[3].work else {
            Issue.record("the fourth stage is not an import")
            return
        }
        #expect(mapping.name == "pos")
        #expect(mapping.variantColumns == [VariantColumn("EAN", .variantID)])
    }

    @Test func readsCountAndReportStages() throws {
        let pipeline = try parse("""
            tenant: t
            org: o
            rules: {counts: {review_over_value: "25.00"}}
            stages:
              - count: {type: cycle, name: Aisle 3, location: WH-1, user: u-mgr, sheets: [a.csv], complete: {apply: true, uncounted: zero}}
              - count: {type: SPOT, name: Shelf, sheets: [b.csv]}
              - report: {kind: variance, output: out/v.html}
              - report: {kind: summary, format: csv, output: s.txt, from: 2026-11-01, to: 2026-11-30}
            """)
        #expect(pipeline.counts.reviewOverValueMinor == 2_500)
        guard case .count(let first) = pipeline.stages[0].work, case .count(let second) = pipeline.stages[1].work,
              case .report(let variance) = pipeline.stages[2].work, case .report(let summary) = pipeline.stages[3].work
        else {
            Issue.record("the stages are not two counts and two reports")
            return
        }
        #expect(first.type == .cycle && first.name == "Aisle 3" && first.locationID == "WH-1" && first.userID == "u-mgr")
        #expect(first.complete?.apply == true && first.complete?.uncounted == .zero)
        #expect(pipeline.stages[0].files.count == 1)
        #expect(second.complete == nil)
        #expect(variance.format == .html && variance.output.hasSuffix("out/v.html"))
        #expect(summary.format == .csv && summary.from == "2026-11-01" && summary.to == "2026-11-30")
    }

    /// JSON is YAML too.
    @Test func readsAPipelineWrittenAsJSON() throws {
        let pipeline = try parse(#"{"tenant": "t", "org": "o", "rules": {"approval": {"max_units": 5}}, "stages": [{"import": {"format": "synq", "files": ["a.csv"]}}]}"#)
        #expect(pipeline.rules.approval.maxUnits == 5)
        #expect(pipeline.stages.map(\.label) == ["import --format synq"])
    }

    @Test func defaultsAreTheSpecs() throws {
        let pipeline = try parse("tenant: t\norg: o\nstages:\n  - catalog: [orgs.csv]\n")
        #expect(pipeline.rules.approval == ApprovalPolicy())
        #expect(!pipeline.rules.isReasonRequired && !pipeline.rules.isNegativeStockForbidden)
        #expect(pipeline.userID == nil && pipeline.database == nil)
    }

    @Test(arguments: [
        ("tenat: t\norg: o\nstages: [{catalog: [orgs.csv]}]\n", "1:1", "unknown key `tenat` in the pipeline: did you mean `tenant`?"),
        ("org: o\nstages: [{catalog: [orgs.csv]}]\n", "1:1", "the pipeline has no `tenant`"),
        ("tenant: [a, b]\norg: o\nstages: [{catalog: [orgs.csv]}]\n", "1:9", "expected a single value"),
        ("tenant: t\norg: o\n", "1:1", "the pipeline has no `stages`"),
        ("tenant: t\norg: o\nstages: {catalog: x}\n", "3:9", "stages must be a list"),
        ("tenant: t\norg: o\nstages:\n  - import: {format: synk, files: [a.csv]}\n", "4:22", "synk is not one of canonical, synq"),
        ("tenant: t\norg: o\nstages:\n  - import: {mapping: poss, files: [a.csv]}\n", "4:23", "no mapping named `poss`"),
        ("tenant: t\norg: o\nmappings: {pos: pos.yaml}\nstages:\n  - import: {mapping: poss, files: [a.csv]}\n", "5:23", "did you mean `pos`?"),
        ("tenant: t\norg: o\nstages:\n  - import: {format: synq, files: [nothing-*.csv]}\n", "4:36", "nothing-*.csv matches no file"),
        ("tenant: t\norg: o\nstages:\n  - import: {format: synq}\n", "4:13", "needs `files:`"),
        ("tenant: t\norg: o\nstages:\n  - import: {format: synq, mapping: pos, files: [a.csv]}\n", "4:13", "either `format:`"),
        ("tenant: t\norg: o\nstages:\n  - imprt: {format: synq, files: [a.csv]}\n", "4:5", "did you mean `import`?"),
        ("tenant: t\norg: o\nstages:\n  - receive: {purchase_order: [a.csv]}\n", "4:15", "did you mean `purchase_orders`?"),
        ("tenant: t\norg: o\nstages:\n  - receive: {files: [a.csv], mapping: pos}\n", "4:40", "no mapping named `pos`"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: variance}\n", "4:13", "the report stage needs `output:`"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: variance, output: r.md, po: PO-1}\n", "4:48", "`po:` belongs to the receipts report"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: varience, output: r.md}\n", "4:20", "did you mean variance?"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: variance, output: r.md, from: 2026-01-01}\n", "4:50", "belongs to the summary report"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: summary, output: r.md, from: 2026-13-01}\n", "4:49", "must be a date"),
        ("tenant: t\norg: o\nstages:\n  - report: {kind: summary, format: pdf, output: r.pdf}\n", "4:37", "pdf is not one of md, csv, json, html"),
        ("tenant: t\norg: o\nstages:\n  - count: {type: WEEKLY, name: x, sheets: [a.csv]}\n", "4:19", "WEEKLY is not one of FULL"),
        ("tenant: t\norg: o\nstages:\n  - count: {type: FULL, name: x}\n", "4:12", "the count stage needs `sheets:`"),
        ("tenant: t\norg: o\nstages:\n  - count: {type: FULL, name: x, sheets: [a.csv], complete: {uncounted: drop}}\n", "4:73", "drop is not one of keep, zero"),
        ("tenant: t\norg: o\nstages:\n  - count: {type: FULL, nam: x, sheets: [a.csv]}\n", "4:25", "did you mean `name`?"),
        ("tenant: t\norg: o\nstages:\n  - {catalog: [a.csv], import: {format: synq, files: [a.csv]}}\n", "4:5", "exactly one kind"),
        ("tenant: t\norg: o\nrules: {approval: {max_unit: 5}}\nstages: [{catalog: [orgs.csv]}]\n", "3:20", "did you mean `max_units`?"),
        ("tenant: t\norg: o\nrules: {approval: {max_value: 12.345}}\nstages: [{catalog: [orgs.csv]}]\n", "3:31", "at most 2 decimals"),
        ("tenant: t\norg: o\nrules: {approval: {max_units: -1}}\nstages: [{catalog: [orgs.csv]}]\n", "3:31", "max_units must be a whole number"),
        ("tenant: t\norg: o\nrules: {approval: {always: [THEFD]}}\nstages: [{catalog: [orgs.csv]}]\n", "3:29", "did you mean THEFT?"),
        ("tenant: t\norg: o\nrules: {forbid_negative_stock: maybe}\nstages: [{catalog: [orgs.csv]}]\n", "3:32", "expected true or false"),
        ("tenant: t\norg: o\nrules: {receiving: {over_receipt_tolerance: 5}}\nstages: [{catalog: [orgs.csv]}]\n", "3:45", "expected a percentage"),
        ("tenant: t\norg: o\nrules: {strict_reason: true}\nstages: [{catalog: [orgs.csv]}]\n", "3:9", "did you mean `strict_reasons`?"),
        ("tenant: t\norg: o\nmappings: {pos: missing.yaml}\nstages: [{catalog: [orgs.csv]}]\n", "3:17", "cannot read the mapping file"),
        ("tenant: t\norg: o\nmappings: {pos: {colums: {}}}\nstages: [{catalog: [orgs.csv]}]\n", "3:18", "did you mean `columns`?"),
        ("tenant: t\norg: o\nmappings: {pos: {columns: {variant: EAN, quantity: Mengen}}}\nstages:\n  - import: {mapping: pos, files: [pos.csv]}\n",
         "5:23", "column \"Mengen\" is not in the header"),
        ("a: &x 1\n", "1:4", "anchors and aliases"),
        // An apostrophe in a plain scalar is no quote: the anchor after it is seen (issue 26).
        ("tenant: t\norg: o\nstages: [{catalog: [it's, &f orgs.csv]}, {catalog: [*f]}]\n", "3:27", "anchors and aliases"),
        ("tenant: t\norg: o\nnote: \"it's\" # it's\nx: *y\n", "4:4", "anchors and aliases"),
        ("tenant: demo\norg: acme\ntenant: other\n", "3:1", "`tenant` given twice in one mapping"),
        ("tenant: t\norg: [o\n", "3:1", "malformed YAML"),
    ])
    func reportsEachMistakeAtItsLine(yaml: String, at: String, message: String) {
        #expect {
            _ = try parse(yaml)
        } throws: { error in
            guard let problems = (error as? ConfigurationError)?.problems else { return false }
            return problems.contains { $0.description.hasPrefix("p.yaml:\(at): error:") && $0.message.contains(message) }
        }
    }

    /// Nested aliases behind an apostrophe (479 bytes that took 18.7 s, and one level deeper
    /// that did not end), a file of too many values and one nested too deep: each is one
    /// located refusal, found by the parser before anything is built.
    @Test func hostileYAMLIsRefusedBeforeItIsBuilt() {
        var laughs = "tenant: t\norg: o\nnote: it's\na0: &a0 [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n"
        for level in 1...12 {
            laughs += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 9).joined(separator: ", ") + "]\n"
        }
        var wide = "tenant: t\nvalues: ["
        wide += (0..<100_001).map { _ in "1" }.joined(separator: ",") + "]\n"
        let deep = "tenant: t\nx: " + String(repeating: "[", count: 65) + String(repeating: "]", count: 65) + "\n"
        for (yaml, message) in [(laughs, "4:5: error: YAML anchors and aliases"), (wide, "more than 100000 values"), (deep, "nests more than 64 levels")] {
            #expect {
                _ = try parse(yaml)
            } throws: { error in
                guard let problems = (error as? ConfigurationError)?.problems else { return false }
                return problems.count == 1 && problems[0].description.contains(message)
            }
        }
    }

    @Test func reportsEveryMistakeAtOnce() {
        #expect {
            _ = try parse("tenat: t\norg: o\nrules: {require_reason: 3}\nstages:\n  - import: {format: synk, files: [none.csv]}\n")
        } throws: { error in
            (error as? ConfigurationError)?.problems.count == 4
        }
    }

    @Test func aMistakeInANamedMappingFileIsReportedInThatFile() {
        _ = directory.file("bad.yaml", "columns: {variant: A, quantiy: B}\n")
        #expect {
            _ = try parse("tenant: t\norg: o\nmappings: {bad: bad.yaml}\nstages: [{catalog: [orgs.csv]}]\n")
        } throws: { error in
            (error as? ConfigurationError)?.problems.first?.description.contains("bad.yaml:1:23: error: unknown key `quantiy`") == true
        }
    }

    /// A glob's `*` after `-` or `/` is not a YAML alias.
    @Test func globsAreNotAliases() throws {
        _ = directory.file("pos-1.csv", "EAN,Menge\n1,2\n")
        let pipeline = try parse("tenant: t\norg: o\nstages:\n  - import: {format: synq, files: [pos-*.csv, ./b*.csv]}\n")
        #expect(pipeline.stages.first?.files.map { URL(fileURLWithPath: $0.path).lastPathComponent } == ["pos-1.csv", "b.csv"])
    }
}
