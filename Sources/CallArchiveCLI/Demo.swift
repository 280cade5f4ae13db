import Archive
import ArgumentParser
import Catalog
import Foundation
import Model
import Reports
import Simulator
import Telephony
import Transport

extension CallArchive {
    /// `demo`: the whole tool against the in-process simulator, no credentials needed.
    struct Demo: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "demo",
            abstract: "Fetch a few dozen calls from a built-in simulator (with some faults), verify, search and count them.")

        @Option(help: ArgumentHelp("Archive directory to fill.", valueName: "dir"))
        var archive: String = "demo-archive"

        @Option(help: "Number of orders to fetch.")
        var orders: Int = 30

        func validate() throws {
            try FlagRange.check(orders, 1...1000, "--orders")
        }

        func execute() async throws {
            let ids = CallGenerator.sampleOrderIDs(count: orders)
            // A few visible faults: retried server errors and a reset that resume, and some that stay broken.
            var rules: [String: FaultRule] = [:]
            let faults: [FaultRule] = [
                FaultRule(kind: .serverError, times: 1), FaultRule(kind: .reset, times: 1), FaultRule(kind: .rateLimited, times: 1),
                FaultRule(kind: .notFound), FaultRule(kind: .html), FaultRule(kind: .noRecording),
            ]
            for (index, rule) in faults.enumerated() where index * 5 + 2 < ids.count {
                rules[ids[index * 5 + 2]] = rule
            }
            let simulator = Simulator(options: SimulatorOptions(rules: rules))
            let location = ArchiveLocation(directory: archive)
            let orderIDs = try ids.map { try OrderID($0) }
            try await simulator.withRunning { apiURL in
                Console.err("Simulator on \(apiURL); fetching \(orderIDs.count) orders into \(location.directory)/ …\n")
                let options = FetchOptions(
                    location: location, api: APIConfiguration(apiURL: apiURL),
                    retry: RetryPolicy(retries: 2, baseDelay: 0.2), jobs: 4
                )
                _ = try await FetchRun.run(options: options, orders: orderIDs, quiet: false, json: false)
            }
            let catalog = try await location.openExisting()
            let verified = try await VerifyPipeline(location: location, catalog: catalog, jobs: ProcessInfo.processInfo.activeProcessorCount)
                .run(CatalogQuery(words: ["verdict:=valid"]), orphans: false) { _ in }
            Console.out("\nVerified again: \(verified.verdicts[Verdict.valid.rawValue] ?? 0) of \(verified.checked) valid files decode whole.\n")
            Console.out("\n$ callarchive search --archive \(location.directory) --limit 8\n")
            let records = try await catalog.records(CatalogQuery(words: [], limit: 8))
            Console.out(TableWriter(width: Console.width).render(records))
            Console.out("\n$ callarchive stats --archive \(location.directory) --by verdict\n")
            Console.out(StatsRenderer.render(try await catalog.stats(CatalogQuery(), by: .verdict), format: .table, grouping: .verdict))
            Console.out("\nTry: callarchive search --archive \(location.directory) agent:marcus, or export --archive \(location.directory) > calls.csv\n")
        }
    }
}
