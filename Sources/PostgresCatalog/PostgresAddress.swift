import Catalog
import Foundation
import PostgresNIO

/// Where a PostgreSQL catalog lives: `postgresql://user:password@host:port/database?sslmode=…`
/// (or `postgres://…`), as libpq reads it. The password may instead come from `PGPASSWORD` or
/// `~/.pgpass` (or `PGPASSFILE`), as libpq users expect; it is never part of `description`.
public struct PostgresAddress: Sendable, CustomStringConvertible {
    /// How the connection uses TLS (libpq's `sslmode`).
    public enum SSLMode: String, Sendable {
        case disable, allow, prefer, require
        case verifyCA = "verify-ca", verifyFull = "verify-full"
    }

    public let host: String
    public let port: Int
    public let user: String
    public let database: String
    public let sslMode: SSLMode
    /// A directory holding the server's socket (`?host=/path`), instead of TCP.
    public let socketDirectory: String?
    /// Server settings for every connection, as libpq's `options` (`-c statement_timeout=30s`):
    /// the URL's `?options=…`, else `PGOPTIONS`.
    public let options: String?
    let password: String?

    /// How long one statement may run unless `options` says otherwise: a statement stuck
    /// behind a lock or on a sick server is cancelled by the server, and the command ends
    /// with exit 3 instead of hanging.
    public static let defaultStatementTimeout = "300s"

    /// True when `text` names a PostgreSQL catalog rather than a file.
    public static func isURL(_ text: String) -> Bool {
        text.hasPrefix("postgresql://") || text.hasPrefix("postgres://")
    }

    /// The URL without its password: what every message shows.
    public var description: String {
        "postgresql://\(user)@\(host):\(port)/\(database)" + (socketDirectory.map { "?host=\($0)" } ?? "")
    }

    /// Reads a catalog URL. `environment` supplies `PGPASSWORD`, `PGUSER`, `PGPASSFILE` and `HOME`.
    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment) throws(CatalogError) {
        // Never echo the URL itself: it may hold the password.
        func refuse(_ reason: String) -> CatalogError { .cannotOpen(path: "the PostgreSQL URL", reason: reason) }
        guard Self.isURL(text), let components = URLComponents(string: text) else {
            throw refuse("it is not a URL of the form postgresql://user:password@host:port/database")
        }
        let query = Dictionary((components.queryItems ?? []).map { ($0.name, $0.value ?? "") }, uniquingKeysWith: { $1 })
        let port = components.port ?? Int(query["port"] ?? "") ?? 5432
        guard (1...65535).contains(port) else { throw refuse("the port \(port) is outside 1-65535") }
        guard let mode = SSLMode(rawValue: query["sslmode"] ?? "prefer") else {
            throw refuse("sslmode '\(query["sslmode"] ?? "")' is not one of disable, allow, prefer, require, verify-ca, verify-full")
        }
        let host = components.host.flatMap { $0.isEmpty ? nil : $0 } ?? "localhost"
        let user = components.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        let path = String(components.path.drop { $0 == "/" })
        let database = path.removingPercentEncoding.flatMap { $0.isEmpty ? nil : $0 } ?? user
        (self.host, self.port, self.user, self.database, sslMode) = (host, port, user, database, mode)
        socketDirectory = query["host"].flatMap { $0.hasPrefix("/") ? $0 : nil }
        options = (query["options"] ?? environment["PGOPTIONS"]).flatMap { $0.isEmpty ? nil : $0 }
        password = components.password.flatMap { $0.removingPercentEncoding }
            ?? environment["PGPASSWORD"]
            ?? Self.passwordFile(environment).flatMap { PassFile.password(in: $0, host: host, port: port, database: database, user: user) }
    }

    private static func passwordFile(_ environment: [String: String]) -> String? {
        if let file = environment["PGPASSFILE"] { return try? String(contentsOfFile: file, encoding: .utf8) }
        guard let home = environment["HOME"] else { return nil }
        return try? String(contentsOfFile: home + "/.pgpass", encoding: .utf8)
    }

    /// The connection settings for postgres-nio.
    func configuration() throws(CatalogError) -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let socketDirectory {
            configuration = .init(unixSocketPath: socketDirectory + "/.s.PGSQL.\(port)", username: user, password: password, database: database)
        } else {
            configuration = .init(host: host, port: port, username: user, password: password, database: database, tls: try tls())
        }
        configuration.options.connectTimeout = .seconds(10)
        // The server reads `options` itself; the timeout is a setting sent at start.
        configuration.options.additionalStartupParameters = (options.map { [("options", $0)] } ?? [])
            + ((options ?? "").contains("statement_timeout") ? [] : [("statement_timeout", Self.defaultStatementTimeout)])
        return configuration
    }

    private func tls() throws(CatalogError) -> PostgresConnection.Configuration.TLS {
        do {
            switch sslMode {
            case .disable: return .disable
            case .allow, .prefer:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                return .prefer(try NIOSSLContext(configuration: settings))
            case .require:
                // libpq's `require` encrypts without checking the certificate; verify-* check it.
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = .none
                return .require(try NIOSSLContext(configuration: settings))
            case .verifyCA, .verifyFull:
                var settings = TLSConfiguration.makeClientConfiguration()
                settings.certificateVerification = sslMode == .verifyCA ? .noHostnameVerification : .fullVerification
                return .require(try NIOSSLContext(configuration: settings))
            }
        } catch {
            throw .cannotOpen(path: description, reason: "cannot set up TLS: \(error)")
        }
    }
}

/// libpq's password file: lines `host:port:database:user:password`, `*` matching anything,
/// `\:` and `\\` escaping; the first matching line wins.
enum PassFile {
    static func password(in text: String, host: String, port: Int, database: String, user: String) -> String? {
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = split(line)
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    /// The fields of a line, split at unescaped colons.
    private static func split(_ line: Substring) -> [String] {
        var fields = [""], escaped = false
        for character in line {
            if escaped {
                fields[fields.count - 1].append(character)
                escaped = false
            } else if character == "\\" {
                escaped = true
            } else if character == ":" {
                fields.append("")
            } else {
                fields[fields.count - 1].append(character)
            }
        }
        return fields
    }
}
