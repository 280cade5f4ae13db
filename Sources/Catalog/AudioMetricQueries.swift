import Model

/// Queries about the audio metric columns (docs/contract.md §10), which rows catalogued before
/// them lack until the next `verify`.
extension CatalogQuery {
    /// The metric columns, as `CallRecord.columns` names them.
    public static let metricColumns: Set<String> = [
        "silence_seconds", "longest_silence_seconds", "leading_silence_seconds", "peak_dbfs", "clipped_samples", "loudness_lufs",
    ]

    /// True when a filter or the order names a metric column.
    public var usesAudioMetrics: Bool {
        predicates.contains { $0.columns.contains(where: Self.metricColumns.contains) }
            || order.contains { Self.metricColumns.contains($0.column) }
    }

    /// Calls whose file was decoded but whose metrics were never measured: catalogued before
    /// the metrics existed, and not verified since. (`silence_seconds` is set by every decode
    /// that measured.)
    public static var lackingAudioMetrics: CatalogQuery {
        var query = CatalogQuery()
        query.predicates = [
            .compare(column: "audio_seconds", .greaterOrEqual, 0),
            .not(.equalsAny(column: "verdict", values: [Verdict.missing.rawValue, Verdict.changed.rawValue])),
            .not(.compare(column: "silence_seconds", .greaterOrEqual, 0)),
        ]
        return query
    }
}

extension Predicate {
    /// The columns the term reads (none for a bare word's full-text match).
    var columns: [String] {
        switch self {
        case let .equalsAny(column, _), let .containsAny(column, _), let .compare(column, _, _),
             let .between(column, _, _), let .timeRange(column, _, _):
            [column]
        case let .not(inner): inner.columns
        case .localTime: ["call_in_time"]
        case let .after(keys, _): keys.map(\.column)
        case .word, .nothing, .tagged, .noted: []
        }
    }
}
