import Catalog
import Model

/// What `callarchive catalog info` shows: the backend, where the catalog is (never a password),
/// its schema version (the latest migration applied), its rows and the room it takes.
public struct CatalogSummary: Sendable {
    public var backend: String
    public var location: String
    public var schemaVersion: String
    public var calls: Int
    public var attempts: Int
    /// Calls by verdict, in docs/contract.md §6 order; verdicts with no call left out.
    public var verdicts: [(verdict: String, calls: Int)]
    public var bytes: Int64

    public static func of(_ catalog: any TransferableCatalog) async throws(CatalogError) -> CatalogSummary {
        let groups = try await catalog.stats(CatalogQuery(), by: .verdict)
        let byVerdict = Dictionary(groups.map { ($0.group, $0.calls) }, uniquingKeysWith: +)
        return CatalogSummary(
            backend: catalog.backend, location: catalog.location,
            schemaVersion: try await catalog.appliedMigrations().max() ?? "none",
            calls: try await catalog.count(), attempts: try await catalog.attemptCount(),
            verdicts: verdicts(byVerdict),
            bytes: try await catalog.storageBytes()
        )
    }

    /// Known verdicts in §6 order, then any other (a later version's) by name.
    private static func verdicts(_ counts: [String: Int]) -> [(verdict: String, calls: Int)] {
        let known = Verdict.allCases.map(\.rawValue)
        let others = counts.keys.filter { !known.contains($0) && $0 != "TOTAL" }.sorted()
        return (known + others).compactMap { name in counts[name].map { (name, $0) } }
    }
}
