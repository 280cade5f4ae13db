import Foundation
import Simulator
import Testing
import TestSupport

/// The examples in README.md and docs/*.md are promises: each reaches the program exactly as
/// written when a shell runs it, and the README's examples run against the simulator.
@Suite(.serialized) struct DocExamplesTests {
    @Test func everyExampleReachesTheProgramAsWritten() async throws {
        var checked = 0
        for file in DocExamples.documents {
            for example in try DocExamples.examples(in: file) {
                let shell = try await DocExamples.shellArguments(example.command)
                let meant = Array(DocExamples.intendedArguments(example.command).dropFirst())
                #expect(shell == meant, "\(example): a shell passes \(shell); quote the word it splits or redirects")
                checked += 1
            }
        }
        #expect(checked >= 60)
    }

    /// The README's Examples section, line by line through `/bin/sh` in a fresh directory,
    /// against the in-process simulator (which stands in for the `simulate … &` line). A
    /// console example's output lines must be what the command prints.
    @Test func readmeExamplesRun() async throws {
        let home = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: home + "/old-recordings", withIntermediateDirectories: true)
        let examples = try DocExamples.examples(in: "README.md", program: nil).filter { $0.section == "Examples" }
        #expect(examples.count >= 10)
        let simulator = Simulator()
        try await simulator.withRunning { url in
            let origin = String(url.dropLast("/calls".count))
            try FileManager.default.copyItem(
                atPath: DocExamples.root.appendingPathComponent("Tests/AudioCheckTests/Fixtures/tel-8k-cbr32.mp3").path,
                toPath: home + "/old-recordings/OLD001.mp3")
            for example in examples where !example.command.hasSuffix("&") && !example.command.hasPrefix("export ") {
                let command = example.command.replacingOccurrences(of: "http://127.0.0.1:18089", with: origin)
                let result = try await DocExamples.run(command, environment: ["CALLARCHIVE_API_URL": url, "HOME": home], in: home)
                #expect(result.status == example.status ?? 0, "\(example): \(result.stderr)")
                let printed = Set((result.stdout + "\n" + result.stderr).split(separator: "\n").map(String.init))
                for line in example.output {
                    #expect(printed.contains(line), "\(example): does not print '\(line)'; it printed:\n\(result.stdout)\(result.stderr)")
                }
            }
        }
    }
}
