import AsyncHTTPClient
import NIOCore

/// The HTTP client both the API client and the downloader use, configured from docs/contract.md §1
/// timeouts, with redirects left to the caller (which checks each hop's scheme and origin).
public enum Transport {
    public static func makeClient(connectTimeout: Double, readTimeout: Double) -> HTTPClient {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: .milliseconds(Int64(connectTimeout * 1000)),
                read: .milliseconds(Int64(readTimeout * 1000))
            )
        )
        configuration.decompression = .disabled
        // A refused connection or an unknown host is known at once: fail the attempt now and
        // let the caller's retry policy (backoff, --retries) decide, instead of the client
        // retrying silently until the connect timeout.
        configuration.connectionPool.retryConnectionEstablishment = false
        return HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
    }

    /// Runs `body` with a client made by `makeClient`, shutting it down afterwards.
    public static func withClient<T>(
        connectTimeout: Double, readTimeout: Double, _ body: (HTTPClient) async throws -> T
    ) async throws -> T {
        let client = makeClient(connectTimeout: connectTimeout, readTimeout: readTimeout)
        do {
            let result = try await body(client)
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// A short, user-facing account of a transport error.
    public static func describe(_ error: any Error) -> String {
        if let error = error as? HTTPClientError {
            switch error {
            case .connectTimeout: return "connection timed out"
            case .readTimeout: return "no data within the read timeout"
            case .deadlineExceeded: return "the request took longer than --timeout"
            case .remoteConnectionClosed: return "the server closed the connection"
            default: break
            }
        }
        let text = "\(error)"
        if text.contains("connectionRefused") || text.contains("Connection refused") { return "connection refused" }
        if text.contains("connectionReset") || text.contains("Connection reset") { return "connection reset by the server" }
        return text
    }
}
