import Catalog
import Foundation
import Model
import PostgresNIO

/// The PostgreSQL catalog (`--catalog postgresql://…`): the same rows, queries and stats as
/// `SQLiteCatalog`, for an archive that a team or several fetch machines share. Claims live in
/// the database (`PostgresClaims`), so no lock file is used.
///
/// Connections come from a small pool; a connection the server closed fails its query at once
/// with a message naming the catalog, so a run stops (exit 3) instead of hanging.
public final class PostgresCatalog: Catalog {
    public let address: PostgresAddress
    public let backend = "postgresql"
    public var location: String { address.description }
    let pool: ConnectionPool
    let words: FullTextWords

    private init(address: PostgresAddress, pool: ConnectionPool, words: FullTextWords) {
        self.address = address
        self.pool = pool
        self.words = words
    }

    /// Connects to the catalog at `url` and applies pending migrations. `connections` bounds
    /// the pool (a fetch's `--jobs` plus a few). Refuses an unreachable server (naming its host
    /// and port, never the password), another program's database and a newer schema.
    /// `environment` supplies `PGPASSWORD`, `PGPASSFILE`, `HOME` and `PGUSER`.
    public static func open(
        url: String, connections: Int = 8, environment: [String: String] = ProcessInfo.processInfo.environment
    ) async throws(CatalogError) -> PostgresCatalog {
        let address = try PostgresAddress(url: url, environment: environment)
        let pool = ConnectionPool(configuration: try address.configuration(), capacity: connections)
        let catalog = PostgresCatalog(address: address, pool: pool, words: try FullTextWords())
        try await catalog.withConnection { connection in
            try await PostgresSchema.migrate(connection, location: address.description)
        }
        return catalog
    }

    // MARK: Plumbing

    /// Runs `body` with a connection of the pool; any failure becomes a `CatalogError` that
    /// says what went wrong in the user's terms.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(CatalogError) -> T {
        let connection: PostgresConnection
        do {
            connection = try await pool.lease()
        } catch {
            throw .cannotOpen(path: location, reason: reason(error))
        }
        do {
            let result = try await body(connection)
            await pool.giveBack(connection)
            return result
        } catch {
            await pool.giveBack(connection)
            throw catalogError(error)
        }
    }

    /// `body` inside one transaction, at the server's default isolation level or `isolation`
    /// (`REPEATABLE READ`: every statement sees one snapshot).
    func transaction<T: Sendable>(
        isolation: String? = nil, _ body: (PostgresConnection) async throws -> T
    ) async throws(CatalogError) -> T {
        try await withConnection { connection in
            let begin = "BEGIN" + (isolation.map { " ISOLATION LEVEL \($0)" } ?? "")
            try await connection.query(PostgresQuery(unsafeSQL: begin), logger: ConnectionPool.logger)
            do {
                let result = try await body(connection)
                try await connection.query("COMMIT", logger: ConnectionPool.logger)
                return result
            } catch {
                _ = try? await connection.query("ROLLBACK", logger: ConnectionPool.logger)
                throw error
            }
        }
    }

    /// Runs `sql` with `values` bound, calling `body` with each row's cells.
    static func run(
        _ sql: String, _ values: [FieldValue], on connection: PostgresConnection, _ body: ([FieldValue]) throws -> Void = { _ in }
    ) async throws {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: PostgresRows.bindings(values)), logger: ConnectionPool.logger)
        var cells: [FieldValue] = []
        for try await row in rows {
            cells.removeAll(keepingCapacity: true)
            for cell in row { cells.append(try PostgresRows.value(cell)) }
            try body(cells)
        }
    }

    private func catalogError(_ error: any Error) -> CatalogError {
        if let error = error as? CatalogError { return error }
        if let error = error as? PSQLError, error.code == .server, error.serverInfo?[.sqlState] == "57014" {
            return .database("PostgreSQL cancelled a statement: \(error.serverInfo?[.message] ?? "") (SQLSTATE 57014). "
                + "A statement may run \(PostgresAddress.defaultStatementTimeout) unless the URL's options set another "
                + "statement_timeout (?options=-c%20statement_timeout%3D10min); look for a lock held by another session")
        }
        if let error = error as? PSQLError, error.code == .server {
            return .database("PostgreSQL says: \(error.serverInfo?[.message] ?? "an error") (SQLSTATE \(error.serverInfo?[.sqlState] ?? "?"))")
        }
        if error is PSQLError {
            return .cannotOpen(path: location, reason: "the connection to the server was lost (\(reason(error)))")
        }
        return .database("\(error)")
    }

    /// Why a connection failed, naming the host and port (the password never appears: the
    /// errors are built from the server's message or the socket's).
    func reason(_ error: any Error) -> String {
        let place = address.socketDirectory.map { "the socket in \($0) (port \(address.port))" } ?? "\(address.host):\(address.port)"
        guard let error = error as? PSQLError else { return "cannot connect to \(place): \(error)" }
        if error.code == .sslUnsupported {
            return "the server at \(place) does not offer TLS, which the URL's sslmode=\(address.sslMode.rawValue) requires"
        }
        if let message = error.serverInfo?[.message] { return "the server at \(place) says: \(message)" }
        if let underlying = error.underlying { return "cannot connect to \(place): \(underlying)" }
        return "cannot connect to \(place): \(error.code)"
    }
}
