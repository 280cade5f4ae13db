import Archive
import ArgumentParser
import Foundation
import Telephony

/// Where the archive is: `--archive` (alias `--output-dir`) and `--catalog`.
struct ArchiveOptions: ParsableArguments {
    @Option(name: [.customLong("archive"), .customLong("output-dir")], help: ArgumentHelp(
        "Archive directory (env CALLARCHIVE_ARCHIVE; default ./downloads).", valueName: "dir"))
    var archive: String?

    @Option(help: ArgumentHelp("Catalog file (default DIR/catalog.sqlite).", valueName: "path"))
    var catalog: String?

    var location: ArchiveLocation {
        let directory = archive ?? ProcessInfo.processInfo.environment["CALLARCHIVE_ARCHIVE"] ?? ArchiveLocation.defaultDirectory
        return ArchiveLocation(directory: directory, catalogPath: catalog)
    }
}

/// How to reach the API: URL, timeouts and retries (SPEC §1).
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

    func validate() throws {
        guard timeout > 0, connectTimeout > 0, readTimeout > 0 else {
            throw ValidationError("timeouts must be positive numbers of seconds")
        }
        guard (0...100).contains(retries) else { throw ValidationError("--retries must be between 0 and 100") }
        guard maxRetryWait >= 0, retryBaseDelay >= 0 else { throw ValidationError("waits cannot be negative") }
    }

    var api: APIConfiguration {
        let environment = ProcessInfo.processInfo.environment
        return APIConfiguration(
            apiURL: apiURL ?? environment["CALLARCHIVE_API_URL"] ?? APIConfiguration.defaultAPIURL,
            token: environment["CALLARCHIVE_API_TOKEN"].flatMap { $0.isEmpty ? nil : $0 },
            requestTimeout: timeout, connectTimeout: connectTimeout, readTimeout: readTimeout
        )
    }

    var retry: RetryPolicy {
        RetryPolicy(retries: retries, baseDelay: retryBaseDelay, maxRetryWait: maxRetryWait)
    }
}
