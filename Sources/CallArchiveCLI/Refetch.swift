import Archive
import ArgumentParser
import Catalog
import Foundation
import Model

extension CallArchive {
    /// `refetch [QUERY…]`: fetch again every matching call that is not valid.
    struct Refetch: Subcommand {
        static let configuration = CommandConfiguration(commandName: "refetch", abstract: "Fetch again every matching call whose verdict is not valid (default query: -verdict:valid).")

        @Option(help: "Calls fetched at once.")
        var jobs: Int = 4

        @Flag(help: "Print the run's summary as JSON on stdout.")
        var json = false

        @Flag(help: DryRun.help)
        var dryRun = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var network: NetworkOptions
        @OptionGroup var exec: ExecOptions
        @OptionGroup var download: DownloadOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            try FlagRange.checkJobs(jobs)
        }

        func execute() async throws {
            var selection = query
            selection.words = RefetchSelection.words(query.words)
            let location = archive.location
            let (compiled, catalog) = try await selection.compile { dryRun ? try await location.openForReading() : try await location.openExisting() }
            let (orders, unreadable) = try await RefetchSelection.orders(compiled, in: catalog)
            for error in unreadable { Console.err("callarchive: a catalog row has an \(error); skipped\n") }
            guard !orders.isEmpty else {
                Console.err("nothing to refetch: every matching call is valid\n")
                return
            }
            if dryRun { return DryRun.print(try await FetchPlanner.plan(orders: orders, location: location, force: true)) }
            let options = FetchOptions(location: location, network: network, download: download, jobs: jobs, force: true)
            let hook = try exec.hook(archive: location.directory)
            let summary = try await FetchRun.run(options: options, orders: orders, quiet: false, json: json, zone: ZoneOption.single(query.tz), exec: hook)
            if !summary.succeeded || hook?.failed == true { throw ExitCode(1) }
        }
    }
}
