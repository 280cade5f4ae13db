import Foundation
import GRDB
import Model

/// A compiled query (docs/contract.md §5): WHERE conditions with bound arguments, an order and a limit.
/// User text only ever reaches SQLite as a bound argument.
public struct CatalogQuery: Sendable {
    var conditions: [Condition] = []
    var orderBy: String = "call_in_time, order_id, call_index"
    var limit: Int?

    public init() {}

    /// Parses query words (ANDed), a `--sort` spec (`FIELD` or `-FIELD`, comma-separated) and a limit.
    public init(words: [String], sort: String? = nil, limit: Int? = nil) throws(CatalogError) {
        guard words.count <= QueryParser.maxWords else {
            throw .invalidQuery(token: words[QueryParser.maxWords], reason: "\(words.count) query words; at most \(QueryParser.maxWords)")
        }
        for word in words where !word.isEmpty {
            try QueryParser.add(word, to: &self)
        }
        if let sort { orderBy = try Self.orderClause(sort) }
        if let limit {
            guard limit >= 0 else { throw .invalidOption(option: "--limit", value: "\(limit)", reason: "the limit must be 0 or more") }
            self.limit = limit
        }
    }

    /// SQL selecting `columns` from `calls` with this query's filter, order and limit.
    func sql(selecting columns: String, in db: Database) throws -> (String, StatementArguments) {
        let (filter, arguments) = try whereClause(in: db)
        var sql = "SELECT \(columns) FROM calls WHERE \(filter) ORDER BY \(orderBy)"
        if let limit { sql += " LIMIT \(limit)" }
        return (sql, arguments)
    }

    /// The WHERE clause (`1` when there is no filter) with its arguments. Value lists are
    /// looked up first, so the planner sees plain `IN (…)` lists and picks the most selective index.
    func whereClause(in db: Database) throws -> (String, StatementArguments) {
        var clauses: [String] = []
        var values: [SQLArgument] = []
        for condition in conditions {
            switch condition {
            case let .sql(text, arguments):
                clauses.append(text)
                values += arguments
            case let .valueList(column, patterns, negated):
                let like = Array(repeating: "value LIKE ? ESCAPE '\\'", count: patterns.count).joined(separator: " OR ")
                let found = try String.fetchAll(
                    db, sql: "SELECT value FROM field_values WHERE field = ? AND (\(like))",
                    arguments: StatementArguments([column] + patterns)
                )
                if found.isEmpty {
                    clauses.append(negated ? "1" : "0")
                } else {
                    let marks = Array(repeating: "?", count: found.count).joined(separator: ", ")
                    clauses.append("\(column) \(negated ? "NOT IN" : "IN") (\(marks))")
                    values += found.map(SQLArgument.text)
                }
            }
        }
        return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), SQLArgumentList(values).statementArguments)
    }

    static func orderClause(_ spec: String) throws(CatalogError) -> String {
        var parts: [String] = []
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let descending = item.hasPrefix("-")
            let name = descending ? String(item.dropFirst()) : item
            guard let column = QueryField.column(forSortName: name) else {
                throw .invalidOption(option: "--sort", value: item, reason: "unknown field '\(name)'; use a column name such as call_in_time or store_name")
            }
            parts.append("\(column) \(descending ? "DESC" : "ASC")")
        }
        guard !parts.isEmpty else { throw .invalidOption(option: "--sort", value: spec, reason: "no field given") }
        return (parts + ["order_id", "call_index"]).joined(separator: ", ")
    }
}

/// One ANDed term of a query.
enum Condition: Sendable {
    /// SQL text with its bound arguments.
    case sql(String, [SQLArgument])
    /// `column IN` the distinct values of `column` (table `field_values`) that match any of the
    /// LIKE patterns; looked up when the query runs.
    case valueList(column: String, patterns: [String], negated: Bool)
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
