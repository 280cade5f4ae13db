import AsyncHTTPClient
import Foundation

/// An HTTP proxy: where it is, and the credentials it is sent (never shown: `description`
/// masks the password).
public struct ProxyServer: Sendable, Hashable, CustomStringConvertible {
    public let host: String
    public let port: Int
    public let username: String?
    public let password: String?

    /// `http://host:port`, `http://user@host:port` or `host:port` (http, as curl assumes);
    /// nil with the reason when the text is no such URL.
    public static func parse(_ text: String) -> Result<ProxyServer, ProxyError> {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        let full = trimmed.contains("://") ? trimmed : "http://" + trimmed
        guard let components = URLComponents(string: full), let host = components.host, !host.isEmpty else {
            return .failure(ProxyError(text: ProxyError.masked(trimmed), reason: "not a proxy URL such as http://proxy.example:3128"))
        }
        guard components.scheme?.lowercased() == "http" else {
            return .failure(ProxyError(text: ProxyError.masked(trimmed), reason: "only http:// proxies are supported"))
        }
        let port = components.port ?? 1080
        guard (1...65_535).contains(port) else { return .failure(ProxyError(text: ProxyError.masked(trimmed), reason: "bad port")) }
        return .success(ProxyServer(
            host: host.trimmingCharacters(in: CharacterSet(charactersIn: "[]")), port: port,
            username: components.percentEncodedUser?.removingPercentEncoding, password: components.percentEncodedPassword?.removingPercentEncoding
        ))
    }

    public var description: String {
        let credentials = username.map { ($0.isEmpty ? "" : $0) + (password == nil ? "" : ":***") + "@" } ?? ""
        return "http://\(credentials)\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The client setting: requests tunnel through the proxy with CONNECT (for http and https alike).
    var configuration: HTTPClient.Configuration.Proxy {
        guard let username else { return .server(host: host, port: port) }
        return .server(host: host, port: port, authorization: .basic(username: username, password: password ?? ""))
    }
}

/// A proxy setting that cannot be used (a usage error): the text with any password masked.
public struct ProxyError: Error, Sendable, CustomStringConvertible, Equatable {
    public let text: String
    public let reason: String
    public var source = "--proxy"

    public var description: String { "\(source) \(text): \(reason)" }

    /// `http://user:***@host`: a password never reaches a message.
    static func masked(_ text: String) -> String {
        guard let at = text.lastIndex(of: "@") else { return text }
        let before = text[..<at]
        let start = before.range(of: "://")?.upperBound ?? before.startIndex
        guard let colon = before[start...].firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}

/// Which proxy a request goes through, as curl decides (docs/operations.md): `--proxy` for every
/// URL, else `http_proxy` for http URLs (lowercase only, as curl reads it), `HTTPS_PROXY` or
/// `https_proxy` for https, `ALL_PROXY`/`all_proxy` for either; `NO_PROXY`/`no_proxy` lists
/// hosts reached directly (`*` for all, a name matches itself and its subdomains, a leading
/// dot is ignored, IP addresses match exactly). Lowercase wins over uppercase.
public struct ProxySettings: Sendable, Equatable {
    public var http: ProxyServer?
    public var https: ProxyServer?
    public var noProxy: [String]
    /// Where each came from, for messages and `config show`.
    public var httpSource: String?
    public var httpsSource: String?

    public static let none = ProxySettings(http: nil, https: nil, noProxy: [])

    public init(http: ProxyServer?, https: ProxyServer?, noProxy: [String], httpSource: String? = nil, httpsSource: String? = nil) {
        self.http = http
        self.https = https
        self.noProxy = noProxy
        self.httpSource = httpSource
        self.httpsSource = httpsSource
    }

    public static func resolve(flag: String?, environment: [String: String]) throws(ProxyError) -> ProxySettings {
        func value(_ names: [String]) -> (String, String)? {
            for name in names { if let text = environment[name], !text.isEmpty { return (name, text) } }
            return nil
        }
        func server(_ found: (String, String)?) throws(ProxyError) -> (ProxyServer, String)? {
            guard let (name, text) = found else { return nil }
            switch ProxyServer.parse(text) {
            case let .success(server): return (server, name)
            case var .failure(error):
                error.source = name == "--proxy" ? name : "$\(name)"
                throw error
            }
        }
        let noProxy = (value(["no_proxy", "NO_PROXY"])?.1 ?? "").split(separator: ",")
            .map { $0.trimmingCharacters(in: .whitespaces).lowercased() }.filter { !$0.isEmpty }
        if let flag {
            let (proxy, source) = try server(("--proxy", flag))!
            return ProxySettings(http: proxy, https: proxy, noProxy: noProxy, httpSource: source, httpsSource: source)
        }
        let all = ["all_proxy", "ALL_PROXY"]
        let http = try server(value(["http_proxy"] + all))
        let https = try server(value(["https_proxy", "HTTPS_PROXY"] + all))
        return ProxySettings(http: http?.0, https: https?.0, noProxy: noProxy, httpSource: http?.1, httpsSource: https?.1)
    }

    /// The proxy for `url`, or nil to connect directly.
    public func proxy(for url: URL) -> ProxyServer? {
        guard let host = url.host?.lowercased().trimmingCharacters(in: CharacterSet(charactersIn: "[]")) else { return nil }
        if bypasses(host) { return nil }
        return url.scheme?.lowercased() == "https" ? https : http
    }

    func bypasses(_ host: String) -> Bool {
        noProxy.contains { entry in
            if entry == "*" { return true }
            var pattern = entry.hasPrefix(".") ? String(entry.dropFirst()) : entry
            if pattern.hasPrefix("["), let close = pattern.firstIndex(of: "]") {
                pattern = String(pattern[pattern.index(after: pattern.startIndex)..<close])
            } else if let colon = pattern.lastIndex(of: ":"), pattern.filter({ $0 == ":" }).count == 1 {
                pattern = String(pattern[..<colon])
            }
            return host == pattern || host.hasSuffix("." + pattern)
        }
    }

    /// The distinct proxies in use.
    var servers: [ProxyServer] {
        Array(Set([http, https].compactMap { $0 })).sorted { $0.description < $1.description }
    }
}
