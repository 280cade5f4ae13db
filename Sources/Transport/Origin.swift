import Foundation

/// Scheme, host and port: the unit the token is scoped to and 429 pauses apply to.
public struct Origin: Hashable, Sendable, CustomStringConvertible {
    public let scheme: String
    public let host: String
    public let port: Int

    /// Why a URL is not one callarchive fetches (docs/contract.md §1: absolute http or https, with a host).
    public enum Refusal: Equatable, Sendable {
        case notAbsolute
        /// The scheme, lowercased, when it is neither http nor https.
        case scheme(String)
        case noHost
    }

    /// The one check of a URL to be fetched: nil when it is absolute http(s) with a host.
    public static func refusal(of url: URL) -> Refusal? {
        guard let scheme = url.scheme?.lowercased() else { return .notAbsolute }
        guard scheme == "http" || scheme == "https" else { return .scheme(scheme) }
        guard let host = url.host, !host.isEmpty else { return .noHost }
        return nil
    }

    /// The origin of an http(s) URL with a host; nil for any other URL.
    public init?(_ url: URL) {
        guard Self.refusal(of: url) == nil, let scheme = url.scheme?.lowercased(), let host = url.host?.lowercased() else { return nil }
        self.scheme = scheme
        self.host = host
        port = url.port ?? (scheme == "http" ? 80 : 443)
    }

    public var description: String { "\(scheme)://\(host):\(port)" }
}
