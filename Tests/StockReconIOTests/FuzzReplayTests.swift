import Foundation
import StockReconFuzzing
import Testing
import TestSupport

/// Every input the fuzzers kept (fuzz/corpus, minimised) and every input that once broke a
/// promise (fuzz/regressions) keeps its target's promise: rows, or one located error.
@Suite struct FuzzReplayTests {
    @Test(arguments: FuzzTargets.names)
    func keptInputsKeepTheirPromise(_ target: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        var replayed = 0
        for folder in ["fuzz/corpus/\(target)", "fuzz/regressions/\(target)"] {
            let directory = root.appendingPathComponent(folder)
            for name in (try? FileManager.default.contentsOfDirectory(atPath: directory.path)) ?? [] {
                let data = try Data(contentsOf: directory.appendingPathComponent(name))
                #expect(FuzzTargets.check(target, data) == nil, "\(folder)/\(name)")
                replayed += 1
            }
        }
        #expect(replayed > 0, "no kept inputs for \(target): run fuzz/run.sh")
    }
}
