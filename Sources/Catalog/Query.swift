import Foundation
import Model

/// A parsed query (docs/contract.md §5): what to match, in what order, how many. It holds no
/// SQL: each catalog renders it in its own dialect (`SQLiteDialect`), binding every value the
/// user wrote as an argument.
public struct CatalogQuery: Sendable, Equatable, CustomStringConvertible {
    /// ANDed terms.
    public internal(set) var predicates: [Predicate] = []
    /// The listing order; always ends with `order_id`, `call_index`, so it is total.
    public internal(set) var order: [SortKey] = SortKey.listing
    public internal(set) var limit: Int?
    /// The zones `date:`, `hour:`, `weekday:` and `time:` and the stats groupings by time read
    /// local times in (`--tz`).
    public internal(set) var zones: CallZones = .utc

    public init() {}

    /// Parses query words (ANDed), a `--sort` spec (`FIELD` or `-FIELD`, comma-separated) and a limit.
    public init(words: [String], sort: String? = nil, limit: Int? = nil, zones: CallZones = .utc) throws(CatalogError) {
        self.zones = zones
        guard words.count <= QueryParser.maxWords else {
            throw .invalidQuery(token: words[QueryParser.maxWords], reason: "\(words.count) query words; at most \(QueryParser.maxWords)")
        }
        for word in words where !word.isEmpty {
            predicates.append(try QueryParser.predicate(word, zones: zones))
        }
        if let sort { order = try SortKey.parse(sort) }
        if let limit {
            guard limit >= 0 else { throw .invalidOption(option: "--limit", value: "\(limit)", reason: "the limit must be 0 or more") }
            self.limit = limit
        }
    }

    /// The same query continuing after the row whose `order` keys hold `values`, in `order`'s
    /// order: keyset pagination, which reads no skipped rows (no OFFSET).
    public func resuming(after values: [FieldValue]) -> CatalogQuery {
        var next = self
        next.predicates.append(.after(keys: order, values: values))
        return next
    }

    /// The same query with other terms: a catalog's rewrite of terms it answers better in
    /// another form (PostgreSQL names the values a substring matches).
    public func replacingPredicates(_ predicates: [Predicate]) -> CatalogQuery {
        var next = self
        next.predicates = predicates
        return next
    }

    /// The same query returning at most `limit` rows.
    public func limited(to limit: Int) -> CatalogQuery {
        var next = self
        next.limit = max(0, limit)
        return next
    }

    /// The query in words, as `explain` shows it.
    public var description: String {
        var text = predicates.isEmpty ? "every call" : predicates.map(\.description).joined(separator: " and ")
        text += ", by " + order.map(\.description).joined(separator: ", ")
        if let limit { text += ", at most \(limit)" }
        return text
    }
}

/// One ANDed term of a query.
public indirect enum Predicate: Sendable, Equatable, CustomStringConvertible {
    /// The column's value is exactly one of `values`.
    case equalsAny(column: String, values: [String])
    /// The column's value contains one of `fragments` (ASCII letters in any case).
    case containsAny(column: String, fragments: [String])
    case compare(column: String, Comparison, Double)
    /// `low ≤ value ≤ high`.
    case between(column: String, low: Double, high: Double)
    /// The column, an ISO 8601 UTC time, lies in `[start, end)`; a missing end is open.
    case timeRange(column: String, start: Timestamp?, end: Timestamp?)
    /// The call's local time (in the query's `zones`) has its `part` in one of `ranges`.
    case localTime(LocalPart, ranges: [ClosedRange<Int>])
    /// A bare word: a prefix of a word of the store, agent, order id or status.
    case word(String)
    /// True when the term is false or unknown (a NULL column).
    case not(Predicate)
    /// Matches no call (`verdict:` with a text no verdict contains).
    case nothing
    /// The rows after a row whose `keys` hold `values`, in the order `keys` give: keyset
    /// pagination (`serve`'s `after` cursor), where a missing value sorts first ascending.
    case after(keys: [SortKey], values: [FieldValue])
    /// The call carries one of these tags (`tag:`; names lowered, as stored).
    case tagged([String])
    /// One of the call's notes contains one of `fragments` (`note:`; ASCII letters in any case).
    case noted([String])

    public enum Comparison: String, Sendable, Equatable {
        case less = "<", lessOrEqual = "<=", greater = ">", greaterOrEqual = ">=", equal = "="
    }

    public var description: String {
        func list(_ values: [String]) -> String { values.map { "\"\($0)\"" }.joined(separator: " or ") }
        switch self {
        case let .equalsAny(column, values): return "\(column) is \(list(values))"
        case let .containsAny(column, fragments): return "\(column) contains \(list(fragments))"
        case let .compare(column, comparison, value): return "\(column) \(comparison.rawValue) \(value)"
        case let .between(column, low, high): return "\(column) from \(low) to \(high)"
        case let .timeRange(column, start, end):
            return "\(column) " + [start.map { "from \($0.iso8601)" }, end.map { "before \($0.iso8601)" }]
                .compactMap { $0 }.joined(separator: " ")
        case let .localTime(part, ranges):
            return "local \(part.rawValue) " + ranges.map {
                $0.count == 1 ? part.text($0.lowerBound) : "\(part.text($0.lowerBound)) to \(part.text($0.upperBound))"
            }.joined(separator: " or ")
        case let .word(text): return "a word starting \"\(text)\""
        case let .not(inner): return "not (\(inner))"
        case .nothing: return "nothing"
        case let .after(keys, _): return "after a given row by " + keys.map(\.description).joined(separator: ", ")
        case let .tagged(names): return "tagged \(list(names))"
        case let .noted(fragments): return "a note contains \(list(fragments))"
        }
    }
}

/// One key of the listing order.
public struct SortKey: Sendable, Equatable, CustomStringConvertible {
    public let column: String
    public let descending: Bool

    public init(column: String, descending: Bool) {
        self.column = column
        self.descending = descending
    }

    /// The default order, by call time; also the tie-breakers every order ends with.
    public static let listing = [SortKey(column: "call_in_time", descending: false), tieBreakers[0], tieBreakers[1]]
    static let tieBreakers = [SortKey(column: "order_id", descending: false), SortKey(column: "call_index", descending: false)]

    public var description: String { descending ? "\(column) descending" : column }

    /// `FIELD` or `-FIELD`, comma-separated: docs/contract.md §4 column names or query field names.
    public static func parse(_ spec: String) throws(CatalogError) -> [SortKey] {
        var keys: [SortKey] = []
        for item in spec.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
            let descending = item.hasPrefix("-")
            let name = descending ? String(item.dropFirst()) : item
            guard let column = QueryField.column(forSortName: name) else {
                throw .invalidOption(option: "--sort", value: item, reason: "unknown field '\(name)'; use a column name such as call_in_time or store_name")
            }
            keys.append(SortKey(column: column, descending: descending))
        }
        guard !keys.isEmpty else { throw .invalidOption(option: "--sort", value: spec, reason: "no field given") }
        return keys + tieBreakers
    }
}
