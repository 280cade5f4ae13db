import Catalog

/// The notice a query on the audio metrics gets when some calls were catalogued before the
/// metrics existed (docs/query.md, "Audio metrics"): they match no metric filter until `verify`
/// measures them.
enum MetricsNotice {
    /// Prints "N calls have no metrics yet; run verify" to stderr when `query` uses a metric
    /// and the catalog holds such calls.
    static func warn(_ query: CatalogQuery, catalog: any Catalog) async throws {
        guard query.usesAudioMetrics else { return }
        let lacking = try await catalog.stats(.lackingAudioMetrics, by: nil).last?.calls ?? 0
        guard lacking > 0 else { return }
        Console.err("\(lacking) \(lacking == 1 ? "call has" : "calls have") no metrics yet; run verify\n")
    }
}
