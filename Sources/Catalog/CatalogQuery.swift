import Foundation
import Model

/// A compiled query (SPEC §5): WHERE conditions with bound arguments, an order and a limit.
/// User text only ever reaches SQLite as a bound argument.
public struct CatalogQuery: Sendable {
    var conditions: [String] = []
    var arguments: [SQLArgument] = []
    var orderBy: String = "call_in_time, order_id, call_index"
    var limit: Int?

    public init() {}

    /// Parses query words (ANDed), a `--sort` spec (`FIELD` or `-FIELD`, comma-separated) and a limit.
    public init(words: [String], sort: String? = nil, limit: Int? = nil) throws(CatalogError) {
        for word in words where !word.isEmpty {
            try QueryParser.add(word, to: &self)
        }
        if let sort { orderBy = try Self.orderClause(sort) }
        if let limit {
            guard limit >= 0 else { throw .invalidQuery(token: "--limit \(limit)", reason: "the limit must be 0 or more") }
            self.limit = limit
        }
    }

    /// SQL selecting `columns` from `calls` with this query's filter, order and limit.
    public func sql(selecting columns: String) -> (String, SQLArgumentList) {
        var sql = "SELECT \(columns) FROM calls"
        if !conditions.isEmpty { sql += " WHERE " + conditions.joined(separator: " AND ") }
        sql += " ORDER BY \(orderBy)"
        if let limit { sql += " LIMIT \(limit)" }
        return (sql, SQLArgumentList(arguments))
    }

    /// The WHERE clause alone (`1` when there is no filter) with its arguments, for grouping queries.
    public var whereClause: (String, SQLArgumentList) {
        (conditions.isEmpty ? "1" : conditions.joined(separator: " AND "), SQLArgumentList(arguments))
    }

    static func orderClause(_ spec: String) throws(CatalogError) -> String {
        var parts: [String] = []
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let descending = item.hasPrefix("-")
            let name = descending ? String(item.dropFirst()) : item
            guard let column = QueryField.column(forSortName: name) else {
                throw .invalidQuery(token: item, reason: "unknown sort field; use a column name such as call_in_time or store_name")
            }
            parts.append("\(column) \(descending ? "DESC" : "ASC")")
        }
        guard !parts.isEmpty else { throw .invalidQuery(token: spec, reason: "empty sort field") }
        return (parts + ["order_id", "call_index"]).joined(separator: ", ")
    }
}

/// A value bound to a `?` placeholder.
public enum SQLArgument: Sendable, Equatable {
    case text(String)
    case integer(Int64)
    case real(Double)
}

/// The bound values of a compiled query, in placeholder order.
public struct SQLArgumentList: Sendable {
    public let values: [SQLArgument]
    init(_ values: [SQLArgument]) { self.values = values }
}
