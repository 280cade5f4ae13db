import AsyncHTTPClient
import NIOCore

/// How both the API client and the downloader talk HTTP: docs/contract.md §1 timeouts, redirects
/// left to the caller (which checks each hop's scheme and origin), and errors in plain words.
public enum Transport {
    /// The configuration every client is made with, inside `HTTPClient.withHTTPClient`.
    public static func configuration(connectTimeout: Double, readTimeout: Double) -> HTTPClient.Configuration {
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
        return configuration
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
