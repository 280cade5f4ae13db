import Catalog
import Foundation
import Model

/// Claims in the PostgreSQL catalog: a row of `claims` per call being fetched, with a lease.
/// Workers on every machine that shares the catalog take turns through it, so each recording
/// is fetched once; no lock file is used. While a claim is held its lease is renewed; a worker
/// that dies stops renewing, and its claims pass to others once the lease runs out.
final class PostgresClaims: CallClaims {
    /// How long a claim outlives its last renewal.
    static let lease = 20
    /// How often held claims are renewed.
    static let renewal: Duration = .seconds(5)

    private let catalog: PostgresCatalog
    /// This process's claims, and no other's.
    private let owner = "\(ProcessInfo.processInfo.hostName):\(getpid()):\(UUID().uuidString)"
    private let renewing: Task<Void, Never>

    init(catalog: PostgresCatalog) {
        self.catalog = catalog
        let owner = owner
        renewing = Task { [weak catalog] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.renewal)
                guard let catalog else { return }
                _ = try? await catalog.execute(
                    "UPDATE claims SET expires_at = now() + make_interval(secs => \(Self.lease)) WHERE owner = $1", [.text(owner)]
                )
            }
        }
    }

    deinit { renewing.cancel() }

    /// Takes `name` when nobody holds it or its holder's lease ran out; else waits and retries.
    func claim(_ name: String) async throws {
        let sql = """
            INSERT INTO claims (name, owner, expires_at) VALUES ($1, $2, now() + make_interval(secs => \(Self.lease)))
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE claims.expires_at < now() RETURNING name
            """
        while try await catalog.execute(sql, [.text(name), .text(owner)]) == 0 {
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// Deletes the claim without waiting for the server; should that fail, the lease expires.
    func release(_ name: String) {
        let catalog = catalog, owner = owner
        Task { _ = try? await catalog.execute("DELETE FROM claims WHERE name = $1 AND owner = $2", [.text(name), .text(owner)]) }
    }
}

extension PostgresCatalog {
    /// Runs one statement; returns the rows it returned.
    @discardableResult
    func execute(_ sql: String, _ values: [FieldValue]) async throws(CatalogError) -> Int {
        try await withConnection { connection in
            var rows = 0
            try await Self.run(sql, values, on: connection) { _ in rows += 1 }
            return rows
        }
    }
}
