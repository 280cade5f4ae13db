import Archive
import ArgumentParser
import Catalog
import Foundation
import Synchronization
import Model

extension CallArchive {
    /// `verify [QUERY…]`: decode and re-hash catalogued files.
    struct Verify: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Decode and re-hash catalogued files; report missing, changed and damaged ones.")

        @Option(help: ArgumentHelp("Files checked at once (default: the number of cores).", valueName: "n"))
        var jobs: Int?

        @Flag(help: "Also list audio files in the archive that the catalog does not know.")
        var orphans = false

        @Flag(help: "Print the summary as JSON on stdout.")
        var json = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            if let jobs { try FlagRange.check(jobs, 1...64, "--jobs") }
        }

        func run() async throws {
            do {
                let compiled = try CatalogQuery(words: query.words)
                let location = archive.location
                let catalog = try location.openExisting()
                let bar = Console.stderrIsTerminal
                let done = Mutex(0)
                let summary = try await Interrupts.cancellable(notice: "the files being checked are recorded") {
                    try await VerifyPipeline(location: location, catalog: catalog, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount).run(compiled, orphans: orphans) { outcome in
                        let count = done.withLock { $0 += 1; return $0 }
                        let record = outcome.record
                        if record.verdict != .valid || outcome.previous != .valid {
                            let name = record.filePath ?? record.orderID
                            Console.err((bar ? "\r\u{1B}[2K" : "") + "\(name): \(record.verdict.rawValue)"
                                + (record.verdictDetail.isEmpty ? "" : ": \(record.verdictDetail)") + "\n")
                        }
                        if bar { Console.err("\r\u{1B}[2KVerifying \(count)/\(outcome.total) files") }
                    }
                }
                if bar { Console.err("\r\u{1B}[2K") }
                for orphan in summary.orphans { Console.out("orphan: \(orphan)\n") }
                if json {
                    let encoder = JSONEncoder()
                    encoder.outputFormatting = [.sortedKeys]
                    Console.out(String(decoding: try encoder.encode(summary), as: UTF8.self) + "\n")
                } else {
                    let counts = summary.verdicts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                    Console.err("Verified \(summary.checked) file\(summary.checked == 1 ? "" : "s"): \(counts.isEmpty ? "nothing to check" : counts)"
                        + (orphans ? "; \(summary.orphans.count) orphan\(summary.orphans.count == 1 ? "" : "s")" : "") + "\n")
                }
                if !summary.clean { throw ExitCode(1) }
            } catch {
                throw Failure.exit(error)
            }
        }
    }
}
