import Catalog
import Model

extension PostgresCatalog {
    /// The query with each substring filter on a listed column (store, code, agent, status)
    /// replaced by the column's values that contain it, found in `field_values` (migration
    /// 0006), as SQLite's catalog does: `store_name IN (…)` is answered by the column's index
    /// in listing order, where `LIKE` on the column read every row (5 s for a store that does
    /// not exist, in a million calls). The same calls match: a value is tested exactly as the
    /// column was (`PostgresDialect.lowered`).
    func resolvingValueLists(_ query: CatalogQuery) async throws(CatalogError) -> CatalogQuery {
        guard query.predicates.contains(where: Self.hasListedSubstring) else { return query }
        var predicates: [Predicate] = []
        for predicate in query.predicates {
            predicates.append(try await resolved(predicate))
        }
        return query.replacingPredicates(predicates)
    }

    private static func hasListedSubstring(_ predicate: Predicate) -> Bool {
        switch predicate {
        case let .containsAny(column, _): PortableSQL.listedColumns.contains(column)
        case let .not(inner): hasListedSubstring(inner)
        default: false
        }
    }

    private func resolved(_ predicate: Predicate) async throws(CatalogError) -> Predicate {
        switch predicate {
        case let .containsAny(column, fragments) where PortableSQL.listedColumns.contains(column):
            var arguments: [FieldValue] = [.text(column)]
            let matches = fragments.map { fragment in
                arguments.append(.text(PostgresDialect.likePattern(fragment)))
                return "\(PostgresDialect.lowered("value")) LIKE $\(arguments.count) ESCAPE '\\'"
            }
            let sql = "SELECT value FROM field_values WHERE field = $1 AND (\(matches.joined(separator: " OR "))) ORDER BY value"
            var values: [String] = []
            try await withConnection { connection in
                try await Self.run(sql, arguments, on: connection) { row in
                    if case let .text(value) = row[0] { values.append(value) }
                }
            }
            return values.isEmpty ? .nothing : .equalsAny(column: column, values: values)
        case let .not(inner):
            return .not(try await resolved(inner))
        default:
            return predicate
        }
    }
}
