import Archive
import ArgumentParser
import Foundation
import Model
import Reports

extension CallArchive {
    /// `sync --from-csv FILE --column NAME` / `sync --watch DIR`: fetch what an order export
    /// lists and the archive does not yet hold valid.
    struct Sync: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "sync",
            abstract: "Fetch the orders an ordering system's CSV export lists that are not yet valid in the archive.",
            discussion: """
                The telephony API has no endpoint listing calls (only GET /calls/{order_id}), so sync reads \
                order ids from an export: the column named by --column (any position; quoted fields, a \
                byte-order mark, and , ; or tab separators are read as spreadsheets write them). Orders \
                whose calls are all valid are skipped without a request. --watch DIR takes every *.csv \
                dropped into DIR once its size and time have settled, moves it to DIR/done/ when handled, \
                and runs until Ctrl-C (exit 130).
                """
        )

        @Option(name: .customLong("from-csv"), help: ArgumentHelp("A CSV export to read, or - for stdin.", valueName: "file"))
        var fromCSV: String?

        @Option(help: ArgumentHelp("The header of the column holding order ids (matched without case).", valueName: "name"))
        var column = "order_id"

        @Option(help: ArgumentHelp("Keep taking CSV files dropped into this folder until Ctrl-C.", valueName: "dir"))
        var watch: String?

        @Option(help: ArgumentHelp("Seconds a dropped file's size and time must stay unchanged before it is read.", valueName: "seconds"))
        var settle: Double = 2

        @Option(help: "Calls fetched at once.")
        var jobs: Int = 4

        @Flag(help: "Print each run's fetch summary as JSON on stdout.")
        var json = false

        @Flag(name: .shortAndLong, help: "Only errors: a line for each call that failed, and the summary when one did.")
        var quiet = false

        @Flag(help: DryRun.help)
        var dryRun = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var exec: ExecOptions
        @OptionGroup var download: DownloadOptions

        func validate() throws {
            try FlagRange.checkJobs(jobs)
            try FlagRange.check(settle, 0...3_600, "--settle", unit: "seconds")
            if fromCSV == nil && watch == nil { throw ValidationError("give --from-csv FILE (or -), or --watch DIR") }
            if column.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--column must name a column") }
        }

        func execute() async throws {
            var succeeded = true
            if let fromCSV {
                let name = fromCSV == "-" ? "stdin" : fromCSV
                succeeded = try await syncOnce(CSVOrderSource(name: name, text: try OrderInput.read(fromCSV), column: column))
            }
            if let watch { try await watchFolder(watch) }
            if !succeeded { throw ExitCode(1) }
        }

        /// One source: the plan, then a fetch of the orders not yet valid. False when an entry
        /// was skipped or a call failed.
        func syncOnce(_ source: any OrderSource) async throws -> Bool {
            let list = try await source.orders()
            for problem in list.problems { Console.err("callarchive: \(TerminalText.safe(problem))\n") }
            let location = archive.location
            let plan = try await FetchPlanner.plan(orders: list.orders, location: location, force: false)
            if dryRun {
                DryRun.print(plan)
                return list.problems.isEmpty
            }
            let new = plan.filter { $0.action == .fetch }.map(\.order)
            let shown = new.prefix(10).map(\.rawValue).joined(separator: ", ") + (new.count > 10 ? ", …" : "")
            Console.err(TerminalText.safe("\(source.name): \(list.orders.count) order\(list.orders.count == 1 ? "" : "s") listed, "
                + "\(plan.count - new.count) already valid, \(new.count) new\(new.isEmpty ? "" : " (\(shown))")") + "\n")
            guard !new.isEmpty else { return list.problems.isEmpty }
            let options = FetchOptions(location: location, network: network, download: download, jobs: jobs)
            let hook = try exec.hook(archive: location.directory)
            let summary = try await FetchRun.run(options: options, orders: new, quiet: quiet, json: json, exec: hook)
            return summary.succeeded && list.problems.isEmpty && hook?.failed != true
        }

        /// Takes each settled CSV in `directory` in turn, until Ctrl-C. A file that cannot be
        /// read as an export is reported and left in place until it changes.
        func watchFolder(_ directory: String) async throws {
            var folder = DropFolder(directory: directory, settle: .milliseconds(Int64(settle * 1000)))
            try folder.prepare()
            Interrupts.exitPromptly()
            Console.err("watching \(TerminalText.safe(directory)) for CSV exports (Ctrl-C to stop)\n")
            let poll = Duration.milliseconds(Int64(min(max(settle / 4, 0.05), 1) * 1000))
            while true {
                for name in folder.settled() {
                    let source: CSVOrderSource
                    do {
                        source = CSVOrderSource(name: name, text: try OrderInput.read(folder.path(name)), column: column)
                        _ = try source.orders()
                    } catch {
                        Console.err("callarchive: \(TerminalText.safe(Failure(error).message ?? "\(name): cannot be read")); left in place\n")
                        folder.refuse(name)
                        continue
                    }
                    _ = try await syncOnce(source)
                    if dryRun {
                        folder.refuse(name)
                    } else {
                        Console.err(TerminalText.safe("\(name): done, moved to \(try folder.finish(name))") + "\n")
                    }
                }
                try await Task.sleep(for: poll)
            }
        }
    }
}
