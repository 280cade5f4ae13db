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

    /// Every number has a range (NaN and infinity are outside it), and the API URL must be an
    /// absolute http(s) URL: both are usage errors found before anything is created.
    func validate() throws {
        try FlagRange.check(timeout, 0.001...86_400, "--timeout", unit: "seconds")
        try FlagRange.check(connectTimeout, 0.001...3_600, "--connect-timeout", unit: "seconds")
        try FlagRange.check(readTimeout, 0.001...86_400, "--read-timeout", unit: "seconds")
        try FlagRange.check(retries, 0...100, "--retries")
        try FlagRange.check(maxRetryWait, 0...86_400, "--max-retry-wait", unit: "seconds")
        try FlagRange.check(retryBaseDelay, 0...3_600, "--retry-base-delay", unit: "seconds")
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
        return APIConfiguration(
            apiURL: resolvedAPIURL,
            token: environment["CALLARCHIVE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            requestTimeout: timeout, connectTimeout: connectTimeout, readTimeout: readTimeout
        )
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
