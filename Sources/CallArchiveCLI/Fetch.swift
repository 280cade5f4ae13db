import Archive
import ArgumentParser
import Foundation
import Model
import Reports
import Transport

extension CallArchive {
    /// `fetch ORDER_ID… [--input FILE]`: metadata + download + verify + catalog.
    struct Fetch: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "fetch",
            abstract: "Download orders' call recordings into the archive, verify and catalogue them.",
            discussion: "The default command: `callarchive E8ZQCJ --output-dir DIR` is `callarchive fetch E8ZQCJ --output-dir DIR`."
        )

        @Argument(help: ArgumentHelp("Order ids to fetch.", valueName: "order-id"))
        var orderIDs: [String] = []

        @Option(help: ArgumentHelp("Read order ids from a file, or - for stdin (one a line; # comments; a CSV's first column).", valueName: "file"))
        var input: String?

        @Option(help: "Calls fetched at once.")
        var jobs: Int = 4

        @Option(help: ArgumentHelp("Abort recordings larger than this (bytes, or with K/M/G).", valueName: "size"))
        var maxSize: String = "512M"

        @Flag(help: "Fetch again even calls already catalogued valid.")
        var force = false

        @Flag(help: "Print the run's summary as JSON on stdout.")
        var json = false

        @Flag(help: DryRun.help)
        var dryRun = false

        @Flag(name: .shortAndLong, help: "Only errors: a line for each call that failed, and the summary when one did.")
        var quiet = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var display: ZoneArguments
        @OptionGroup var exec: ExecOptions
        @OptionGroup var download: DownloadOptions

        func validate() throws {
            try FlagRange.checkJobs(jobs)
            guard ByteSize.parse(maxSize).map({ $0 >= 1 && $0 < 9e18 }) == true else { throw ValidationError("--max-size '\(maxSize)' is not a size such as 512M") }
            if orderIDs.isEmpty && input == nil { throw ValidationError("give order ids, or --input FILE") }
        }

        func execute() async throws {
            let list = try OrderInput.collect(arguments: orderIDs, input: input)
            for problem in list.problems { Console.err("callarchive: \(problem)\n") }
            let orders = list.orders
            guard !orders.isEmpty else { throw Failure("no valid order ids in the input", code: 64) }
            if dryRun {
                DryRun.print(try await FetchPlanner.plan(orders: orders, location: archive.location, force: force))
                if !list.problems.isEmpty { throw ExitCode(1) }
                return
            }
            let options = FetchOptions(
                location: archive.location, network: network, download: download, jobs: jobs, maxSize: Int64(ByteSize.parse(maxSize)!), force: force
            )
            let hook = try exec.hook(archive: options.location.directory)
            let summary = try await FetchRun.run(options: options, orders: orders, quiet: quiet, json: json, zone: display.zone, exec: hook)
            if !summary.succeeded || !list.problems.isEmpty || hook?.failed == true { throw ExitCode(1) }
        }
    }
}

/// Runs a fetch pipeline with the CLI's rendering; shared by fetch, refetch and demo.
enum FetchRun {
    static func run(
        options: FetchOptions, orders: [OrderID], quiet: Bool, json: Bool, summaryLine: Bool = true,
        zone: TimeZone = CallZones.utc.fallback, exec: ExecHook? = nil
    ) async throws -> FetchSummary {
        let catalog = try await options.location.openForWriting(workers: options.jobs)
        let cap = options.limitRate.map { RateLimiter(bytesPerSecond: $0).description }
        let renderer = FetchRenderer(orders: orders.count, quiet: quiet, zone: zone, cap: cap)
        renderer.start()
        let pipeline = FetchPipeline(options: options, catalog: catalog)
        let summary: FetchSummary
        do {
            summary = try await Interrupts.cancellable {
                try await pipeline.run(orders: orders) { event in
                    renderer.handle(event)
                    exec?.observe(event)
                }
            }
        } catch {
            renderer.finish()
            throw error
        }
        renderer.finish()
        await exec?.finish()
        if json {
            Console.out(try JSONStyle.encode(summary) + "\n")
        } else if summaryLine && (quiet ? !summary.succeeded : orders.count > 1 || !summary.succeeded || summary.skipped > 0) {
            Console.err(describe(summary) + "\n")
        }
        return summary
    }

    /// `Fetched 30 orders (32 calls) in 4.2 s: 27 valid, …`
    static func describe(_ summary: FetchSummary) -> String {
        var parts = ["\(summary.valid) valid"]
        if summary.skipped > 0 { parts.append("\(summary.skipped) skipped (already valid)") }
        if let none = summary.verdicts[Verdict.noRecording.rawValue] { parts.append("\(none) without recording") }
        let failed = summary.failures.values.reduce(0, +)
        if failed > 0 {
            let reasons = summary.failures.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
                .prefix(5).map { "\($0.value) \(TerminalText.safe($0.key))" }.joined(separator: "; ")
            parts.append("\(failed) failed (\(reasons))")
        }
        if summary.quarantined > 0 { parts.append("\(summary.quarantined) quarantined") }
        if summary.resumed > 0 { parts.append("\(summary.resumed) resumed") }
        let calls = summary.calls + summary.skipped
        return "Fetched \(summary.orders) order\(summary.orders == 1 ? "" : "s") (\(calls) call\(calls == 1 ? "" : "s")) in "
            + String(format: "%.1f s", summary.seconds) + ": " + parts.joined(separator: ", ") + "; " + Console.megabytes(summary.bytes)
    }
}
