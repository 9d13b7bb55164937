import Foundation
import Testing

/// The command line's help and the README agree.
@Suite struct HelpTests {
    /// The subcommand names a `--help` lists.
    func subcommands(_ arguments: [String]) throws -> [String] {
        let help = try Binary.run(arguments + ["--help"]).stdout
        guard let start = help.range(of: "SUBCOMMANDS:\n") else { return [] }
        return help[start.upperBound...].split(separator: "\n").compactMap { line in
            // A subcommand's line starts with two spaces and its name; wrapped help is indented further.
            guard line.hasPrefix("  "), !line.hasPrefix("   "), let name = line.split(separator: " ").first else { return nil }
            return String(name)
        }.filter { $0 != "See" }
    }

    /// Every command and subcommand is shown in the README as `stockrecon NAME …`.
    @Test func everyCommandIsInTheREADME() throws {
        let readme = try String(contentsOf: Binary.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let commands = try subcommands([])
        #expect(commands.count >= 12, "\(commands)")
        var missing: [String] = []
        for command in commands {
            let nested = try subcommands([command])
            let full = nested.isEmpty ? [command] : nested.map { "\(command) \($0)" }
            for name in full where !readme.contains("stockrecon \(name)") {
                // `approvals approve|reject` and `report variance|summary` are written with a bar.
                let parts = name.split(separator: " ")
                let barred = parts.count == 2 && readme.range(
                    of: "stockrecon \(parts[0]) [a-z|]*\\b\(parts[1])\\b", options: .regularExpression) != nil
                if !barred { missing.append(name) }
            }
        }
        #expect(missing.isEmpty, "commands missing from the README: \(missing)")
    }

    @Test func theTopLevelHelpMatchesItsGoldenFile() throws {
        let help = try Binary.run(["--help"], environment: ["COLUMNS": "80"])  // help wraps at the terminal width
        #expect(help.status == 0)
        expectGolden(help.stdout, "help.txt")
    }
}
