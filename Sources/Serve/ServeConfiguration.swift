import Archive
import Foundation
import Model

/// What `callarchive serve` serves and where (docs/serve.md).
public struct ServeConfiguration: Sendable {
    public var location: ArchiveLocation
    /// The address to listen on; loopback unless a token guards the pages.
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// When set, every request must carry it (a Bearer header or the cookie `/login` sets).
    public var token: String?
    /// Rows a search page shows (the API's `limit` defaults to it too).
    public var pageSize: Int
    /// Rows `/export.csv` reads per catalog query (it streams page after page).
    public var exportPageSize = 2_000
    /// The zones queries read `date:`, `hour:`, `weekday:` and `time:` in, and `call_in_local` shows
    /// (`--tz`, as on the command line).
    public var zones: CallZones = .utc
    /// Called once per answered request (tests watch for the Range requests a seek makes).
    public var onRequest: (@Sendable (ServedRequest) -> Void)?

    public init(
        location: ArchiveLocation, host: String = "127.0.0.1", port: Int = 8090, token: String? = nil, pageSize: Int = 50,
        onRequest: (@Sendable (ServedRequest) -> Void)? = nil
    ) {
        self.location = location
        self.host = host
        self.port = port
        self.token = token.flatMap { $0.isEmpty ? nil : $0 }
        self.pageSize = pageSize
        self.onRequest = onRequest
    }

    /// Refuses what would expose the archive: any address but loopback without a token, a
    /// token too short to resist guessing, a port out of range.
    public func validate() throws(ServeError) {
        guard (0...65_535).contains(port) else { throw .usage("--port must be from 0 to 65535; got \(port)") }
        guard !host.isEmpty else { throw .usage("--listen needs an address, such as 127.0.0.1") }
        if let token, token.count < 16 {
            throw .usage("the token must be at least 16 characters (got \(token.count)); `openssl rand -hex 16` makes one")
        }
        if token == nil && !Self.isLoopback(host) {
            throw .usage("--listen \(host) would open the archive to the network: give --token (or CALLARCHIVE_SERVE_TOKEN) too, or listen on 127.0.0.1")
        }
    }

    /// True for addresses only this machine can reach: 127.0.0.0/8, ::1 and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts.allSatisfy({ UInt8($0) != nil }) else { return false }
        return parts[0] == "127"
    }
}

/// One request the server answered.
public struct ServedRequest: Sendable, Equatable {
    public let method: String
    public let path: String
    public let range: String?
    public let status: Int
}
