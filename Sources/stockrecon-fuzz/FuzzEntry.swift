import CFuzzDriver
import Foundation
import StockReconFuzzing

/// `stockrecon-fuzz TARGET FILE...` replays inputs (exit 1 on the first broken promise);
/// built for fuzzing (fuzz/run.sh: -sanitize=fuzzer -D FUZZING), `stockrecon-fuzz` runs
/// libFuzzer over the target named by STOCKRECON_FUZZ_TARGET, with libFuzzer's options.
@main
struct FuzzEntry {
    static func main() {
        #if FUZZING
        exit(stockrecon_run_fuzzer(CommandLine.argc, CommandLine.unsafeArgv))
        #else
        let arguments = Array(CommandLine.arguments.dropFirst())
        guard let target = arguments.first, FuzzTargets.names.contains(target) else {
            FileHandle.standardError.write(Data("usage: stockrecon-fuzz \(FuzzTargets.names.joined(separator: "|")) FILE...\n".utf8))
            exit(64)
        }
        for path in arguments.dropFirst() {
            guard let data = FileManager.default.contents(atPath: path) else { continue }
            if let broken = FuzzTargets.check(target, data) {
                print("\(path): \(broken)")
                exit(1)
            }
        }
        #endif
    }
}

private let fuzzTarget = ProcessInfo.processInfo.environment["STOCKRECON_FUZZ_TARGET"] ?? "csv"

/// One input from libFuzzer: a broken promise traps, so that libFuzzer keeps the input.
@_cdecl("stockrecon_fuzz_one")
func fuzzOne(_ bytes: UnsafePointer<UInt8>?, _ count: Int) -> Int32 {
    let data = bytes.map { Data(bytes: $0, count: count) } ?? Data()
    if let broken = FuzzTargets.check(fuzzTarget, data) { fatalError(broken) }
    return 0
}
