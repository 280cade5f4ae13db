import AsyncHTTPClient
import Foundation

/// The HTTP clients of one run: a direct one, and one per proxy in use; `client(for:)` picks
/// by URL as `ProxySettings` says (so `NO_PROXY` hosts are reached directly).
public struct HTTPClients: Sendable {
    public let direct: HTTPClient
    private let proxied: [ProxyServer: HTTPClient]
    public let proxy: ProxySettings

    /// Runs `body` with the clients of `configuration` and `proxy`, shut down when it returns.
    public static func with<T: Sendable>(
        configuration: HTTPClient.Configuration, proxy: ProxySettings, _ body: (HTTPClients) async throws -> T
    ) async throws -> T {
        try await HTTPClient.withHTTPClient(configuration: configuration) { direct in
            try await withProxied(proxy.servers[...], configuration: configuration, [:]) { proxied in
                try await body(HTTPClients(direct: direct, proxied: proxied, proxy: proxy))
            }
        }
    }

    private static func withProxied<T: Sendable>(
        _ servers: ArraySlice<ProxyServer>, configuration: HTTPClient.Configuration, _ made: [ProxyServer: HTTPClient],
        _ body: ([ProxyServer: HTTPClient]) async throws -> T
    ) async throws -> T {
        guard let server = servers.first else { return try await body(made) }
        var proxied = configuration
        proxied.proxy = server.configuration
        return try await HTTPClient.withHTTPClient(configuration: proxied) { client in
            var more = made
            more[server] = client
            return try await withProxied(servers.dropFirst(), configuration: configuration, more, body)
        }
    }

    /// The client for a request to `url`.
    public func client(for url: URL) -> HTTPClient {
        proxy.proxy(for: url).flatMap { proxied[$0] } ?? direct
    }
}
