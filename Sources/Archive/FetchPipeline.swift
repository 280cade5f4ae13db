import AsyncHTTPClient
import AudioCheck
import Catalog
import Downloads
import Foundation
import Model
import Telephony
import Transport

/// What `fetch` needs to know, as plain values (the CLI maps flags onto it).
public struct FetchOptions: Sendable {
    public var location: ArchiveLocation
    public var api: APIConfiguration
    public var retry: RetryPolicy
    public var jobs: Int
    public var maxSize: Int64
    /// Fetch again even calls already catalogued valid.
    public var force: Bool
    /// `--limit-rate`: bytes a second all downloads share, nil for no cap.
    public var limitRate: Int64?

    public init(
        location: ArchiveLocation, api: APIConfiguration, retry: RetryPolicy = RetryPolicy(),
        jobs: Int = 4, maxSize: Int64 = 512 << 20, force: Bool = false
    ) {
        self.location = location
        self.api = api
        self.retry = retry
        self.jobs = jobs
        self.maxSize = maxSize
        self.force = force
    }
}

/// metadata → streamed download → decode → atomic rename (or quarantine) → catalog row,
/// for many orders at once.
public struct FetchPipeline: Sendable {
    public let options: FetchOptions
    private let catalog: any Catalog

    public init(options: FetchOptions, catalog: any Catalog) {
        self.options = options
        self.catalog = catalog
    }

    /// Fetches every order, `options.jobs` at a time, reporting through `events`.
    public func run(orders: [OrderID], events: @escaping @Sendable (FetchEvent) -> Void) async throws -> FetchSummary {
        let started = ContinuousClock.now
        let summary = try await APIClient.withClients(options.api) { clients in
            let api = try APIClient(configuration: options.api, clients: clients)
            let limiter = options.limitRate.map { RateLimiter(bytesPerSecond: $0) }
            let claims = try catalog.claims(archiveDirectory: options.location.directory)
            let worker = OrderWorker(
                options: options, catalog: catalog, api: api, downloader: Downloader(clients: clients, limiter: limiter),
                retrier: Retrier(policy: options.retry), events: events, locks: claims,
                checks: CheckRunner(width: ProcessInfo.processInfo.activeProcessorCount)
            )
            var total = FetchSummary()
            try await concurrentForEach(orders, width: options.jobs, { order in try await worker.fetch(order) }) { total.merge($0) }
            await claims.settle()
            return total
        }
        var result = summary
        result.orders = orders.count
        result.seconds = (ContinuousClock.now - started).seconds
        return result
    }
}

extension FetchSummary {
    mutating func merge(_ other: FetchSummary) {
        calls += other.calls
        valid += other.valid
        skipped += other.skipped
        quarantined += other.quarantined
        bytes += other.bytes
        resumed += other.resumed
        verdicts.merge(other.verdicts, uniquingKeysWith: +)
        failures.merge(other.failures, uniquingKeysWith: +)
    }
}
