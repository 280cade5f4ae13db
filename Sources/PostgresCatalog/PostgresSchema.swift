import Catalog
import Foundation
import PostgresNIO

/// The PostgreSQL catalog's schema: the numbered SQL files of `catalog/postgres/`, embedded at
/// build time, applied in name order, each recorded in `schema_migrations`.
enum PostgresSchema {
    /// Migration identifiers (file names without `.sql`) with their statements, in order.
    static let migrations: [(identifier: String, statements: [String])] = Embedded.files
        .filter { $0.name.hasSuffix(".sql") }
        .sorted { $0.name < $1.name }
        .map { (String($0.name.dropLast(4)), statements($0.contents)) }

    /// A migration's statements: comment lines dropped, split at each `;` that ends a line
    /// (the extended query protocol takes one statement at a time).
    static func statements(_ sql: String) -> [String] {
        var statements: [String] = [], current = ""
        for line in sql.split(separator: "\n", omittingEmptySubsequences: false) {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.hasPrefix("--") { continue }
            current += line + "\n"
            if trimmed.hasSuffix(";") {
                statements.append(current)
                current = ""
            }
        }
        if !current.allSatisfy(\.isWhitespace) { statements.append(current) }
        return statements
    }

    /// A number every callarchive takes as a transaction-scoped advisory lock while it
    /// migrates, so two processes starting at once apply each migration once.
    static let lockKey: Int64 = 0x6361_6c6c_6172_6368  // "callarch"

    /// Applies the migrations this catalog lacks, in one transaction; refuses a database that
    /// holds another program's tables or migrations this callarchive does not know.
    static func migrate(_ connection: PostgresConnection, location: String) async throws {
        let logger = ConnectionPool.logger
        // Every command opens the catalog: one query when it is current (nearly always), where
        // the locked path below takes five round trips.
        if let applied = try? await connection.query("SELECT identifier FROM schema_migrations ORDER BY identifier", logger: logger)
            .collect().map({ try $0.decode(String.self) }), applied == migrations.map(\.identifier) {
            return
        }
        try await connection.query("BEGIN", logger: logger)
        do {
            try await connection.query("SELECT pg_advisory_xact_lock(\(lockKey))", logger: logger)
            let applied = try await appliedIdentifiers(connection, location: location)
            let known = migrations.map(\.identifier)
            let unknown = applied.filter { !known.contains($0) }
            if !unknown.isEmpty { throw CatalogError.newerSchema(path: location, unknownMigrations: unknown.sorted()) }
            for migration in migrations where !applied.contains(migration.identifier) {
                for statement in migration.statements {
                    try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
                }
                try await connection.query("INSERT INTO schema_migrations (identifier) VALUES (\(migration.identifier))", logger: logger)
            }
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            throw error
        }
    }

    /// The migrations recorded, creating the record in an empty database.
    private static func appliedIdentifiers(_ connection: PostgresConnection, location: String) async throws -> [String] {
        let logger = ConnectionPool.logger
        let tables = try await connection.query(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema()", logger: logger
        ).collect().map { try $0.decode(String.self) }
        if !tables.contains("schema_migrations") {
            guard tables.isEmpty else {
                throw CatalogError.notACatalog(path: location, reason: "its schema holds tables of another program")
            }
            try await connection.query(
                "CREATE TABLE schema_migrations (identifier TEXT COLLATE \"C\" PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())",
                logger: logger
            )
            return []
        }
        return try await connection.query("SELECT identifier FROM schema_migrations ORDER BY identifier", logger: logger)
            .collect().map { try $0.decode(String.self) }
    }
}
