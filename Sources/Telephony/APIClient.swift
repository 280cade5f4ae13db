import AsyncHTTPClient
import Foundation
import Model
import NIOCore
import NIOHTTP1
import Transport

/// Where the API is and how to talk to it (docs/contract.md §1).
public struct APIConfiguration: Sendable {
    /// `{api-url}/{order_id}`, or a template containing `{order_id}`.
    public var apiURL: String
    /// Sent as `Authorization: Bearer …` to the API's own origin only.
    public var token: String?
    public var requestTimeout: Double
    public var connectTimeout: Double
    public var readTimeout: Double
    /// `--proxy` and the proxy variables: which requests go through which proxy.
    public var proxy: ProxySettings = .none

    public static let defaultAPIURL = "https://telephony.ordrai.com/calls"

    public init(
        apiURL: String = APIConfiguration.defaultAPIURL, token: String? = nil,
        requestTimeout: Double = 300, connectTimeout: Double = 30, readTimeout: Double = 60
    ) {
        self.apiURL = apiURL
        self.token = token
        self.requestTimeout = requestTimeout
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
    }

    /// The HTTP client settings these timeouts give, for `HTTPClient.withHTTPClient`.
    public var clientConfiguration: HTTPClient.Configuration {
        Transport.configuration(connectTimeout: connectTimeout, readTimeout: readTimeout)
    }

    /// Why `text` cannot be the API URL, or nil when it can: an absolute http or https URL
    /// with a host, possibly a template with `{order_id}`.
    public static func problem(withAPIURL text: String) -> String? {
        if text.isEmpty { return "the API URL is empty" }
        let probe = text.replacingOccurrences(of: "{order_id}", with: "ORDER")
        guard let url = URL(string: probe) else { return "not an absolute URL; use one such as https://host/calls" }
        switch Origin.refusal(of: url) {
        case nil: return nil
        case .notAbsolute: return "not an absolute URL; use one such as https://host/calls"
        case let .scheme(scheme): return "only http and https APIs are supported, not \(scheme):"
        case .noHost: return "the URL has no host"
        }
    }
}

/// The telephony API client: one order's calls, the URL and headers of a recording.
public struct APIClient: Sendable {
    public let configuration: APIConfiguration
    private let http: HTTPClient
    private let apiOrigin: Origin
    private let apiBase: URL

    /// Max size of a metadata body; an API answer is a few KB.
    static let maxBodyBytes = 8 * 1024 * 1024

    public init(configuration: APIConfiguration, http: HTTPClient) throws(TelephonyError) {
        let probe = configuration.apiURL.replacingOccurrences(of: "{order_id}", with: "ORDER")
        guard APIConfiguration.problem(withAPIURL: configuration.apiURL) == nil, let base = URL(string: probe), let origin = Origin(base) else {
            throw .invalidAPIURL(configuration.apiURL)
        }
        self.configuration = configuration
        self.http = http
        apiOrigin = origin
        apiBase = base
    }

    /// The client for the API among a run's clients (the API's host may be in `NO_PROXY`).
    public init(configuration: APIConfiguration, clients: HTTPClients) throws(TelephonyError) {
        let probe = configuration.apiURL.replacingOccurrences(of: "{order_id}", with: "ORDER")
        guard let base = URL(string: probe) else { throw .invalidAPIURL(configuration.apiURL) }
        try self.init(configuration: configuration, http: clients.client(for: base))
    }

    /// Runs `body` with the HTTP clients these settings give (timeouts, proxies).
    public static func withClients<T: Sendable>(
        _ configuration: APIConfiguration, _ body: (HTTPClients) async throws -> T
    ) async throws -> T {
        try await HTTPClients.with(configuration: configuration.clientConfiguration, proxy: configuration.proxy, body)
    }

    /// The origin 429 pauses of metadata requests apply to.
    public var origin: Origin { apiOrigin }

    public func metadataURL(for order: OrderID) -> String {
        let template = configuration.apiURL
        if template.contains("{order_id}") {
            return template.replacingOccurrences(of: "{order_id}", with: order.rawValue)
        }
        return (template.hasSuffix("/") ? String(template.dropLast()) : template) + "/" + order.rawValue
    }

    /// One metadata request (no retries: the caller's `Retrier` decides). Returns the calls;
    /// an answer other than 200 is thrown as a `TelephonyError` carrying its status.
    public func calls(for order: OrderID) async throws(TelephonyError) -> [CallInfo] {
        var request = HTTPClientRequest(url: metadataURL(for: order))
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: CallArchiveVersion.userAgent)
        if let token = configuration.token, !token.isEmpty {
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
        }
        let status: Int
        let body: ByteBuffer
        let retryAfter: Double?
        do {
            let response = try await http.execute(request, timeout: .milliseconds(Int64(configuration.requestTimeout * 1000)))
            status = Int(response.status.code)
            retryAfter = RetryAfter.seconds(in: response.headers)
            if status == 200 {
                body = try await response.body.collect(upTo: Self.maxBodyBytes)
            } else {
                body = ByteBuffer()
                _ = try? await response.body.collect(upTo: Self.maxBodyBytes)
            }
        } catch is NIOTooManyBytesError {
            throw .invalidResponse(order: order, reason: "the body is larger than \(Self.maxBodyBytes / 1_048_576) MiB")
        } catch {
            throw .network(order: order, reason: Transport.describe(error))
        }
        switch status {
        case 200: return try CallDecoding.calls(from: Array(buffer: body), order: order)
        case 404: throw .notFound(order: order)
        default: throw .httpStatus(order: order, status: status, retryAfter: retryAfter)
        }
    }

    /// The absolute URL of a recording: absolute http(s) URLs as they are, relative ones against
    /// the API URL; any other scheme refused (docs/contract.md §1).
    public func recordingURL(_ text: String) throws(TelephonyError) -> URL {
        guard let url = URL(string: text, relativeTo: apiBase)?.absoluteURL else {
            throw .refusedURL(url: text, reason: "not a URL")
        }
        switch Origin.refusal(of: url) {
        case nil: return url
        case .notAbsolute, .scheme: throw .refusedURL(url: text, reason: "only http and https recordings are fetched")
        case .noHost: throw .refusedURL(url: text, reason: "no host")
        }
    }

    /// Headers for fetching `url`: the bearer token only when `url` is on the API's own origin.
    public func headers(for url: URL) -> [(String, String)] {
        var headers = [("User-Agent", CallArchiveVersion.userAgent)]
        if let token = configuration.token, !token.isEmpty, Origin(url) == apiOrigin {
            headers.append(("Authorization", "Bearer \(token)"))
        }
        return headers
    }
}
