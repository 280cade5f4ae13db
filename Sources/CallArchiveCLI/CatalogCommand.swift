import Archive
import ArgumentParser
import Catalog
import Foundation

extension CallArchive {
    /// `catalog copy FROM TO` and `catalog info`: the catalog itself rather than its calls.
    struct CatalogCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "catalog", abstract: "Copy a catalog between SQLite and PostgreSQL, or describe one.",
            subcommands: [CatalogCopyCommand.self, CatalogInfoCommand.self]
        )
    }
}

/// `catalog copy FROM TO` (docs/scale-out.md, "Moving a catalog").
struct CatalogCopyCommand: Subcommand {
    static let configuration = CommandConfiguration(
        commandName: "copy",
        abstract: "Copy every call and attempt from one catalog to another, resumably, and verify the copy.",
        discussion: """
            FROM and TO are each an SQLite catalog file (or an archive directory, meaning its catalog.sqlite) \
            or a postgresql://user@host:port/db URL. TO must be empty or an earlier, interrupted copy of FROM, \
            which is resumed. Exit 0 when row counts and checksums match at the end, 3 when they do not.
            """
    )

    @Argument(help: ArgumentHelp("The catalog to copy.", valueName: "from"))
    var from: String

    @Argument(help: ArgumentHelp("Where to copy it.", valueName: "to"))
    var to: String

    @Option(help: "Calls per transaction (whole orders; default 5000).")
    var batchSize: Int = CatalogCopy.defaultBatchSize

    func validate() throws {
        try FlagRange.check(batchSize, 1...1_000_000, "--batch-size")
        guard CatalogCopy.identity(from) != CatalogCopy.identity(to) else {
            throw ValidationError("FROM and TO are the same catalog (\(CatalogCopy.identity(from)))")
        }
    }

    func execute() async throws {
        do {
            let source = try await CatalogCopy.open(from, asSource: true)
            let target = try await CatalogCopy.open(to, asSource: false)
            let report = try await CatalogCopy.run(from: source, to: target, batchSize: batchSize) { event in
                switch event {
                case let .resuming(after, already):
                    Console.err("resuming: \(target.location) holds \(already) of the source's orders up to \(after)\n")
                case let .copied(calls, total): Console.err("copied \(calls) of \(total) calls\n")
                case .verifying: Console.err("verifying both sides\n")
                }
            }
            Console.out("copied \(report.copiedCalls) calls and \(report.copiedAttempts) attempts from \(source.location) to \(target.location)\n")
            Console.out("verified: both hold \(report.digest)\n")
        } catch let error as CatalogCopyError {
            throw Failure(error.description, code: 3)
        }
    }
}

/// `catalog info [--catalog …]`.
struct CatalogInfoCommand: Subcommand {
    static let configuration = CommandConfiguration(
        commandName: "info", abstract: "Show the catalog's backend, schema version, row counts and size."
    )

    @OptionGroup var archive: ArchiveOptions

    func execute() async throws {
        guard let catalog = try await archive.location.openForReading() as? any TransferableCatalog else {
            throw Failure("this catalog cannot describe itself", code: 3)
        }
        let summary = try await CatalogSummary.of(catalog)
        let verdicts = summary.verdicts.map { "\($0.verdict) \($0.calls)" }.joined(separator: ", ")
        let lines = [
            ("backend", summary.backend), ("location", summary.location), ("schema version", summary.schemaVersion),
            ("calls", String(summary.calls)), ("attempts", String(summary.attempts)),
            ("verdicts", verdicts.isEmpty ? "none" : verdicts),
            ("size", "\(Console.megabytes(summary.bytes)) (\(summary.bytes) bytes)"),
        ]
        Console.out(lines.map { "\($0.0):".padding(toLength: 16, withPad: " ", startingAt: 0) + $0.1 + "\n" }.joined())
    }
}
