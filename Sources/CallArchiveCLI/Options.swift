import Archive
import ArgumentParser
import Foundation
import Reports
import Telephony
import Transport

/// Where the archive is: `--archive` (alias `--output-dir`) and `--catalog`.
struct ArchiveOptions: ParsableArguments {
    @Option(name: [.customLong("archive"), .customLong("output-dir")], help: ArgumentHelp(
        "Archive directory (env CALLARCHIVE_ARCHIVE; default ./downloads).", valueName: "dir"))
    var archive: String?

    @Option(help: ArgumentHelp(
        "Catalog file, or a postgresql://user@host:port/db URL (env CALLARCHIVE_CATALOG; default DIR/catalog.sqlite).",
        valueName: "path|url"))
    var catalog: String?

    var location: ArchiveLocation {
        let environment = ProcessInfo.processInfo.environment
        let directory = archive ?? environment["CALLARCHIVE_ARCHIVE"] ?? ArchiveLocation.defaultDirectory
        return ArchiveLocation(directory: directory, catalogPath: catalog ?? environment["CALLARCHIVE_CATALOG"].flatMap { $0.isEmpty ? nil : $0 })
    }
}

/// How to reach the API: URL, timeouts and retries (docs/contract.md §1).
struct NetworkOptions: ParsableArguments {
    @Option(help: ArgumentHelp("API base URL, or a template with {order_id} (env CALLARCHIVE_API_URL).", valueName: "url"))
    var apiURL: String?

    @Option(help: "Seconds a whole request may take.")
    var timeout: Double = 300

    @Option(help: "Seconds to wait for a connection.")
    var connectTimeout: Double = 30

    @Option(help: "Seconds to wait between reads.")
    var readTimeout: Double = 60

    @Option(help: "Extra attempts after a transient failure (5xx, reset, timeout, short body).")
    var retries: Int = 3

    @Option(help: "Longest Retry-After wait to accept, in seconds; longer fails the item.")
    var maxRetryWait: Double = 120

    @Option(help: .hidden)
    var retryBaseDelay: Double = 1

    @Option(help: ArgumentHelp(
        "HTTP proxy for API and recording requests (else HTTPS_PROXY, http_proxy, ALL_PROXY; NO_PROXY lists hosts reached directly).",
        valueName: "url"))
    var proxy: String?

    /// Every number has a range (NaN and infinity are outside it), and the API URL must be an
    /// absolute http(s) URL: both are usage errors found before anything is created.
    func validate() throws {
        try FlagRange.check(timeout, 0.001...86_400, "--timeout", unit: "seconds")
        try FlagRange.check(connectTimeout, 0.001...3_600, "--connect-timeout", unit: "seconds")
        try FlagRange.check(readTimeout, 0.001...86_400, "--read-timeout", unit: "seconds")
        try FlagRange.check(retries, 0...100, "--retries")
        try FlagRange.check(maxRetryWait, 0...86_400, "--max-retry-wait", unit: "seconds")
        try FlagRange.check(retryBaseDelay, 0...3_600, "--retry-base-delay", unit: "seconds")
        do {
            _ = try ProxySettings.resolve(flag: proxy, environment: ProcessInfo.processInfo.environment)
        } catch {
            throw ValidationError(TerminalText.safe(error.description))
        }
        if let problem = APIConfiguration.problem(withAPIURL: resolvedAPIURL) {
            let source = apiURL == nil ? "CALLARCHIVE_API_URL" : "--api-url"
            throw ValidationError("\(source) \"\(TerminalText.safe(String(resolvedAPIURL.prefix(200))))\": \(problem)")
        }
    }

    private var resolvedAPIURL: String {
        apiURL ?? ProcessInfo.processInfo.environment["CALLARCHIVE_API_URL"] ?? APIConfiguration.defaultAPIURL
    }

    var api: APIConfiguration {
        let environment = ProcessInfo.processInfo.environment
        var configuration = APIConfiguration(
            apiURL: resolvedAPIURL,
            token: environment["CALLARCHIVE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            requestTimeout: timeout, connectTimeout: connectTimeout, readTimeout: readTimeout
        )
        configuration.proxy = (try? ProxySettings.resolve(flag: proxy, environment: environment)) ?? .none
        return configuration
    }

    var retry: RetryPolicy {
        RetryPolicy(retries: retries, baseDelay: retryBaseDelay, maxRetryWait: maxRetryWait)
    }
}

/// Ranges of numeric flags: a value outside (or NaN, or infinite) is a usage error naming
/// the flag, the range and the value.
enum FlagRange {
    static func check<Number: Comparable>(
        _ value: Number, _ range: ClosedRange<Number>, _ flag: String, unit: String = ""
    ) throws {
        guard !range.contains(value) else { return }
        let unitText = unit.isEmpty ? "" : " \(unit)"
        throw ValidationError("\(flag) must be from \(range.lowerBound) to \(range.upperBound)\(unitText); got \(value)")
    }
}

/// How recordings are downloaded: `--limit-rate` (fetch, refetch, sync).
struct DownloadOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Cap the total download rate of all jobs, bytes a second with K or M (e.g. 500K).", valueName: "rate"))
    var limitRate: String?

    func validate() throws {
        if let limitRate, RateLimiter.parse(limitRate) == nil {
            throw ValidationError("--limit-rate '\(TerminalText.safe(String(limitRate.prefix(40))))' is not a rate such as 500K or 2M (at least 16K)")
        }
    }

    /// Bytes a second, nil for no cap.
    var bytesPerSecond: Int64? { limitRate.flatMap(RateLimiter.parse) }
}

extension FetchOptions {
    /// What fetch, refetch and sync run with: the API and retries of `network`, the rate cap of
    /// `download`.
    init(location: ArchiveLocation, network: NetworkOptions, download: DownloadOptions, jobs: Int, maxSize: Int64? = nil, force: Bool = false) {
        self.init(location: location, api: network.api, retry: network.retry, jobs: jobs, force: force)
        if let maxSize { self.maxSize = maxSize }
        limitRate = download.bytesPerSecond
    }
}
