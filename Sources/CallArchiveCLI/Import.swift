import Archive
import ArgumentParser
import Foundation
import Model
import Reports

extension CallArchive {
    /// `import PATH…`: adopt existing MP3 files.
    struct Import: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Adopt existing MP3 files (named ORDER_ID.mp3 or ORDER_ID-N.mp3) into the archive: copy, decode, catalogue.",
            discussion: """
                ORDER_ID.mp3 is call 1 of ORDER_ID; ORDER_ID-N.mp3 (N from 2 to 999) is its call N. Only regular files \
                are read; symbolic links, FIFOs, sockets and devices are skipped. Damaged files are \
                catalogued in quarantine/. What the catalog already knows about a call is kept unless the file or the \
                API tells better. Exit 1 when a path was skipped or a file is not valid.
                """)

        @Argument(help: "Files or directories (searched recursively for .mp3).")
        var paths: [String]

        @Flag(help: "Do not ask the API for metadata.")
        var offline = false

        @Flag(help: "One JSON object per file on stdout, then a summary object.")
        var json = false

        @Flag(help: DryRun.help)
        var dryRun = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var network: NetworkOptions

        func execute() async throws {
            let location = archive.location
            if dryRun {
                let plan = ImportPlanner(location: location).plan(paths: paths)
                DryRun.print(plan)
                if plan.contains(where: { $0.call == nil }) { throw ExitCode(1) }
                return
            }
            let catalog = try await location.openForWriting()
            let pipeline = ImportPipeline(location: location, catalog: catalog, api: offline ? nil : network.api, retry: network.retry)
            let (renderer, paths) = (ImportRenderer(json: json), paths)
            let summary = try await Interrupts.cancellable(notice: "the file in hand is recorded") {
                try await pipeline.run(paths: paths) { renderer.handle($0) }
            }
            renderer.finish(summary, rows: try await catalog.count())
            if summary.skipped > 0 || summary.notValid > 0 { throw ExitCode(1) }
        }
    }
}

/// What `import` shows: a line on stderr per file, or with `--json` an object per file on
/// stdout; then the summary.
struct ImportRenderer: Sendable {
    let json: Bool

    /// The catalog columns a `--json` line carries after `path`.
    static let jsonColumns = JSONLinesWriter(columns: [
        "order_id", "call_index", "file_path", "file_size", "sha256", "verdict", "verdict_detail", "audio_seconds",
    ])

    func handle(_ event: ImportEvent) {
        if json { Self.printJSON(event) } else { Self.printText(event) }
    }

    func finish(_ summary: ImportSummary, rows: Int) {
        if json {
            Console.out(JSONStyle.object([
                ("imported", .integer(Int64(summary.imported))), ("skipped", .integer(Int64(summary.skipped))),
                ("not_valid", .integer(Int64(summary.notValid))), ("catalog_rows", .integer(Int64(rows))),
            ]) + "\n")
        } else {
            Console.err("Imported \(summary.imported) file\(summary.imported == 1 ? "" : "s") (\(summary.notValid) not valid), "
                + "skipped \(summary.skipped); the catalog has \(rows) call\(rows == 1 ? "" : "s").\n")
        }
    }

    private static func printText(_ event: ImportEvent) {
        switch event {
        case let .imported(record, _, path):
            let detail = record.verdictDetail.isEmpty ? "" : " (\(record.verdictDetail))"
            Console.err(TerminalText.safe("\(path): \(record.verdict.rawValue)\(detail)") + "\n")
        case let .skipped(path, reason):
            Console.err(TerminalText.safe("\(path): skipped: \(reason)") + "\n")
        case let .metadataUnavailable(order, index, reason):
            Console.err(TerminalText.safe("\(order) call \(index): no metadata from the API: \(reason)") + "\n")
        }
    }

    private static func printJSON(_ event: ImportEvent) {
        switch event {
        case let .imported(record, source, _):
            Console.out("{\"path\":\(JSONText.quoted(source)),\(jsonColumns.object(record).dropFirst())\n")
        case let .skipped(path, reason):
            Console.out("{\"path\":\(JSONText.quoted(path)),\"skipped\":\(JSONText.quoted(reason))}\n")
        case .metadataUnavailable:
            printText(event)
        }
    }
}
