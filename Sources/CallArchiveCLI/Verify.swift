import Archive
import ArgumentParser
import Catalog
import Foundation
import Model
import Reports
import Synchronization

extension CallArchive {
    /// `verify [QUERY…]`: decode and re-hash catalogued files.
    struct Verify: Subcommand {
        static let configuration = CommandConfiguration(commandName: "verify", abstract: "Decode and re-hash catalogued files; report missing, changed and damaged ones.")

        @Option(help: ArgumentHelp("Files checked at once (default: the number of cores).", valueName: "n"))
        var jobs: Int?

        @Flag(help: "Also list audio files in the archive that the catalog does not know.")
        var orphans = false

        @Flag(help: "JSON Lines on stdout: an object per file checked, then the summary.")
        var json = false

        @Flag(help: "Measure the audio metrics (silence, peak, loudness) of every file again, not only of files never measured.")
        var remeasure = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            try FlagRange.checkJobs(jobs)
        }

        func execute() async throws {
            let location = archive.location
            let (compiled, catalog) = try await query.compile { try await location.openExisting() }
            let renderer = VerifyRenderer(bar: Console.stderrIsTerminal, json: json)
            let pipeline = VerifyPipeline(
                location: location, catalog: catalog, jobs: jobs ?? ProcessInfo.processInfo.activeProcessorCount,
                remeasure: remeasure
            )
            let summary = try await Interrupts.cancellable(notice: "the files being checked are recorded") {
                try await pipeline.run(compiled, orphans: orphans) { renderer.handle($0) }
            }
            try renderer.finish(summary, orphans: orphans)
            if !summary.clean { throw ExitCode(1) }
        }
    }
}

/// What `verify` shows as files are checked: problems on stderr, a counter on a terminal, and
/// with `--json` an object per file on stdout; then the summary.
final class VerifyRenderer: Sendable {
    let bar: Bool
    let json: Bool
    private let done = Mutex(0)

    init(bar: Bool, json: Bool) {
        self.bar = bar
        self.json = json
    }

    func handle(_ outcome: VerifyOutcome) {
        let count = done.withLock { $0 += 1; return $0 }
        let record = outcome.record
        if json { Console.out(Self.object(outcome) + "\n") }
        if record.verdict != .valid || outcome.previous != .valid {
            let name = record.filePath ?? record.orderID
            Console.err((bar ? "\r\u{1B}[2K" : "") + "\(name): \(record.verdict.rawValue)"
                + (record.verdictDetail.isEmpty ? "" : ": \(record.verdictDetail)") + "\n")
        }
        if bar { Console.err("\r\u{1B}[2KVerifying \(count)/\(outcome.total) files") }
    }

    /// Clears the counter, then the summary: a line on stderr (and the orphans on stdout), or
    /// with `--json` an object on stdout.
    func finish(_ summary: VerifySummary, orphans: Bool) throws {
        if bar { Console.err("\r\u{1B}[2K") }
        if json { return Console.out(try JSONStyle.encode(summary) + "\n") }
        for orphan in summary.orphans { Console.out("orphan: \(orphan)\n") }
        let counts = summary.verdicts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        Console.err("Verified \(summary.checked) file\(summary.checked == 1 ? "" : "s"): \(counts.isEmpty ? "nothing to check" : counts)"
            + (orphans ? "; \(summary.orphans.count) orphan\(summary.orphans.count == 1 ? "" : "s")" : "") + "\n")
    }

    /// One checked file: where it is, its verdict before and now, and its hash in the catalog
    /// and on disk (docs/reports.md, "JSON").
    static func object(_ outcome: VerifyOutcome) -> String {
        let record = outcome.record
        let columns = ["order_id", "call_index", "file_path"].map { ($0, record.value(ofColumn: $0) ?? .null) }
        let verdicts: [(String, FieldValue)] = [
            ("previous_verdict", .text(outcome.previous.rawValue)), ("verdict", .text(record.verdict.rawValue)),
            ("verdict_detail", .text(record.verdictDetail)),
            ("sha256", record.value(ofColumn: "sha256") ?? .null), ("file_sha256", outcome.fileSHA256.map(FieldValue.text) ?? .null),
            ("audio_seconds", record.value(ofColumn: "audio_seconds") ?? .null),
        ]
        return JSONStyle.object([("type", .text("file"))] + columns + verdicts)
    }
}
