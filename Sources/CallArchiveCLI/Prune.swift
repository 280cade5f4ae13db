import Archive
import ArgumentParser
import Foundation
import Model
import Reports

extension CallArchive {
    /// `prune --older-than 18mo [QUERY]`: delete old recordings, keeping their rows as `pruned`.
    struct Prune: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "prune",
            abstract: "Delete recordings of calls older than an age (by call time); their rows stay, with the verdict pruned.",
            discussion: """
                Never without --yes (or a yes at the terminal's prompt), never more than --max-delete files in one \
                run (oldest first; exit 1 when more matched), --dry-run lists what would go. A call tagged hold is \
                never pruned. Calls without a call time are kept.
                """
        )

        @Option(help: ArgumentHelp("Delete recordings of calls older than this: 90d, 12w, 18mo, 2y.", valueName: "age"))
        var olderThan: String

        @Option(help: "Most files deleted in one run (oldest first).")
        var maxDelete: Int = 100

        @Flag(help: "Delete without asking.")
        var yes = false

        @Flag(help: DryRun.help)
        var dryRun = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            guard RetentionAge(olderThan) != nil else {
                throw ValidationError("--older-than '\(TerminalText.safe(String(olderThan.prefix(40))))' is not an age such as 90d, 12w, 18mo or 2y")
            }
            try FlagRange.check(maxDelete, 1...1_000_000, "--max-delete")
        }

        func execute() async throws {
            let age = RetentionAge(olderThan)!
            let compiled = try PrunePipeline.query(query.words, olderThan: age)
            let location = archive.location
            let catalog = try await dryRun ? location.openForReading() : location.openExisting()
            let pipeline = PrunePipeline(location: location, catalog: catalog)
            let plan = try await pipeline.plan(compiled, limit: maxDelete)
            guard !plan.records.isEmpty else {
                Console.err("nothing to prune: no catalogued recording older than \(age) matches\n")
                return
            }
            let what = "\(plan.records.count) recording\(plan.records.count == 1 ? "" : "s") (\(Console.megabytes(plan.bytes))) older than \(age)"
            if dryRun {
                for record in plan.records { Console.out(TerminalText.safe("would delete \(Self.describe(record, in: location))") + "\n") }
                Console.err("dry run: \(what) would be deleted\(Self.beyond(plan)); nothing was deleted\n")
                return
            }
            try confirm(what)
            try await Interrupts.cancellable(notice: "the recording in hand is finished") {
                try await pipeline.run(plan, reason: "older than \(age) (prune)") { record in
                    Console.out(TerminalText.safe("deleted \(Self.describe(record, in: location))") + "\n")
                }
            }
            Console.err("Pruned \(what); the rows stay with the verdict pruned\(Self.beyond(plan))\n")
            if plan.beyondLimit > 0 { throw ExitCode(1) }
        }

        /// Asks on a terminal unless `--yes`; refuses without one.
        private func confirm(_ what: String) throws {
            if yes { return }
            guard isatty(STDIN_FILENO) == 1, Console.stderrIsTerminal else {
                throw Failure("prune would delete \(what): give --yes to confirm (or run it on a terminal to be asked)", code: 64)
            }
            Console.err("Delete \(what)? [y/N] ")
            guard let answer = readLine()?.lowercased(), answer == "y" || answer == "yes" else {
                throw Failure("nothing deleted", code: 1)
            }
        }

        static func describe(_ record: CallRecord, in location: ArchiveLocation) -> String {
            let call = "\(record.orderID) call \(record.callIndex)"
            return "\(location.path(record.filePath ?? "")) (\(call), \(record.callInTime ?? "no call time"), \(Console.megabytes(record.fileSize ?? 0)))"
        }

        static func beyond(_ plan: PrunePlan) -> String {
            plan.beyondLimit == 0 ? "" : "; \(plan.beyondLimit) more match: --max-delete reached, run again to go on"
        }
    }
}
