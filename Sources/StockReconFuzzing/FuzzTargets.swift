import Foundation
import StockReconCore
import StockReconIO

/// What reads outside input, each as a fuzz target that checks the promise, not only "no
/// crash": an input ends as rows or as one located error of the kinds a user is shown
/// (`FileReadError`, `ConfigurationError`); anything else is a failure, reported by trapping
/// so that libFuzzer keeps the input. Time and memory are bounded by libFuzzer's `-timeout`
/// and `-rss_limit_mb` (fuzz/run.sh). The ordinary tests replay `fuzz/regressions`.
public enum FuzzTargets {
    public static let names = ["csv", "json", "haravan", "xlsx", "mapping", "pipeline", "catalog", "countsheet", "sniff", "sheet", "variantindex"]

    /// The outcome of one input: nil when the promise held, else what broke it.
    public static func check(_ target: String, _ data: Data) -> String? {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("stockrecon-fuzz-\(ProcessInfo.processInfo.processIdentifier)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let suffix = ["json": "json", "haravan": "json", "xlsx": "xlsx", "mapping": "yaml", "pipeline": "yaml"][target] ?? "csv"
        let path = folder.appendingPathComponent("input.\(suffix)").path
        guard FileManager.default.createFile(atPath: path, contents: data) else { return "cannot write \(path)" }
        defer { try? FileManager.default.removeItem(atPath: path) }
        let file = InputFile(path: path, displayName: "input.\(suffix)")
        do {
            switch target {
            case "csv": try readRows(file, mapping: SourceFormat.canonical.mapping)
            case "json": try readRows(file, mapping: SourceFormat.dayzero.mapping)
            case "haravan": try readRows(file, mapping: SourceFormat.haravan.mapping)
            case "xlsx": try readRows(file, mapping: SourceFormat.canonical.mapping)
            case "mapping": _ = try MappingFile.parse(String(decoding: data, as: UTF8.self), file: "input.yaml")
            case "pipeline": _ = try PipelineFile.parse(String(decoding: data, as: UTF8.self), file: "input.yaml", folder: folder.path)
            case "catalog": _ = try CatalogFileReader.read(file)
            case "countsheet": _ = try CountSheetReader.read(file)
            case "sniff": _ = try FormatSniffing.choose(for: file, role: .books)
            case "sheet": return sheetReadsBack(data, folder: folder)
            case "variantindex": return variantIndexFindsAsMemory(data, folder: folder)
            default: return "no fuzz target \(target)"
            }
        } catch is FileReadError {
        } catch is ConfigurationError {
        } catch {
            return "\(target): an error users are not shown: \(type(of: error)): \(error)"
        }
        return nil
    }

    /// Reads every row through the importer the mapping picks, as an import would.
    private static func readRows(_ file: InputFile, mapping: ColumnMapping) throws {
        try Importers.forEachInput(file, mapping: mapping) { _ in }
    }

    /// The input's lines as variants (`id,product,org,sku,barcode`, `-` for none): a variant
    /// index file written of them finds every key, ambiguity and variant as the catalog in memory.
    private static func variantIndexFindsAsMemory(_ data: Data, folder: URL) -> String? {
        var variants: [Catalog.Variant] = []
        var keys: Set<String> = ["", "0"]
        for (index, line) in String(decoding: data, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false).prefix(500).enumerated() {
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
            func field(_ at: Int) -> String? { at < fields.count && fields[at] != "-" ? fields[at] : nil }
            variants.append(Catalog.Variant(
                id: Int64(index) * 2 + 1, variantID: field(0) ?? "", productID: field(1), orgID: field(2) ?? "o", sku: field(3),
                barcode: field(4), unitCostMinor: index % 3 == 0 ? nil : Int64(index) - 7, isLocationAware: index % 2 == 0))
            for text in fields { keys.formUnion([text, String(text.drop { $0 == "0" }), "0" + text]) }
        }
        let path = folder.appendingPathComponent("input.index").path
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            var writer = try VariantIndexWriter(path: path, tenant: 1, token: 2, expectedVariants: variants.count)
            for variant in variants { try writer.add(variant) }
            try writer.finish()
        } catch {
            return "the variant index could not be written: \(error)"
        }
        guard let file = VariantIndexFile(path: path, tenant: 1, token: 2, variants: variants.count) else { return "the variant index written was refused" }
        let memory = Catalog(variants: variants)
        let mapped = Catalog(orgs: [], locations: [], users: [], indexFile: file)
        for index in variants.indices where mapped.variant(at: index) != memory.variant(at: index) || mapped.facts(at: index) != memory.facts(at: index) {
            return "variant \(index) reads back otherwise"
        }
        for key in keys {
            for kind in VariantKeyKind.allCases {
                guard mapped.variant(key, by: kind) == memory.variant(key, by: kind) else { return "\(kind) \(key) finds another variant" }
                let (found, expected) = (mapped.ambiguity(key, by: kind), memory.ambiguity(key, by: kind))
                guard found?.what == expected?.what, found?.variants == expected?.variants else { return "\(kind) \(key): another ambiguity" }
            }
            guard mapped.variantIndex(barcodeWithoutLeadingZeros: key) == memory.variantIndex(barcodeWithoutLeadingZeros: key) else {
                return "barcode \(key) without its zeros finds another variant"
            }
        }
        return nil
    }

    /// The input's bytes as cell texts (split at 0xFF): a sheet stockrecon writes of them, CSV
    /// and XLSX, reads back to the same cells (ids are trimmed where they are read).
    private static func sheetReadsBack(_ data: Data, folder: URL) -> String? {
        let texts = data.split(separator: 0xFF, omittingEmptySubsequences: false).prefix(8)
            .map { "X" + String(decoding: $0, as: UTF8.self).replacingOccurrences(of: "\u{0}", with: "") + "X" }
        let row = (texts + Array(repeating: "X", count: max(0, 4 - texts.count))).prefix(4) + ["", "1", "", ""]
        for format in SheetFormat.allCases {
            let path = folder.appendingPathComponent("sheet.\(format.rawValue)").path
            do {
                try SheetWriter.write(header: CountSheetRow.columns, rows: [Array(row)], format: format, to: path)
                let read = try CountSheetReader.read(InputFile(path: path, displayName: "sheet"))
                let cells = read.first.map { [$0.variantID, $0.sku, $0.barcode, $0.locationID] }
                guard cells == row.prefix(4).map(Optional.some) else { return "a \(format) sheet read back \(String(describing: cells)), wrote \(row.prefix(4))" }
            } catch {
                return "a \(format) sheet stockrecon wrote could not be read: \(error)"
            }
        }
        return nil
    }
}
