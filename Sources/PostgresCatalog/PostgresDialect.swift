import Catalog
import Model

/// Renders a `CatalogQuery` as PostgreSQL SQL that selects exactly the rows, in exactly the
/// order, that `SQLiteDialect` does on the same calls:
///
/// - substrings: `LIKE` on the text with ASCII letters lowered by `translate` (SQLite's `LIKE`
///   ignores case for ASCII only; `ILIKE` would follow the server's locale);
/// - bare words: the `words` column against a `tsquery` of the word's tokens, made by SQLite's
///   own tokenizer (`FullTextWords`), the last one a prefix, as FTS5's `"word"*` phrase;
/// - order: text compares byte by byte (the columns are `COLLATE "C"`) and a missing value
///   sorts first ascending and last descending, as in SQLite;
/// - negations: `NOT COALESCE(…, FALSE)`, so a NULL column counts as not matching.
///
/// User text reaches the server only as bound values (`$n`).
enum PostgresDialect {
    /// SQL with its bound values, `$1` first.
    struct Statement {
        var sql: String
        var arguments: [FieldValue]
    }

    static func select(_ columns: String, _ query: CatalogQuery, words: FullTextWords) throws(CatalogError) -> Statement {
        var statement = try whereClause(query, words: words)
        statement.sql = "SELECT \(columns) FROM calls WHERE \(statement.sql) ORDER BY \(orderClause(query.order))"
        if let limit = query.limit { statement.sql += " LIMIT \(limit)" }
        return statement
    }

    /// The WHERE clause (`TRUE` when there is no filter) with its values.
    /// `arguments`: values bound before the clause (`$1`… are theirs).
    static func whereClause(_ query: CatalogQuery, words: FullTextWords, after arguments: [FieldValue] = []) throws(CatalogError) -> Statement {
        var arguments = arguments
        var clauses: [String] = []
        for predicate in query.predicates {
            clauses.append(try render(predicate, zones: query.zones, into: &arguments, words: words))
        }
        return Statement(sql: clauses.isEmpty ? "TRUE" : clauses.joined(separator: " AND "), arguments: arguments)
    }

    static func orderClause(_ keys: [SortKey]) -> String {
        keys.map { $0.descending ? "\($0.column) DESC NULLS LAST" : "\($0.column) ASC NULLS FIRST" }.joined(separator: ", ")
    }

    private static func render(
        _ predicate: Predicate, zones: CallZones, into arguments: inout [FieldValue], words: FullTextWords
    ) throws(CatalogError) -> String {
        func bind(_ value: FieldValue) -> String {
            arguments.append(value)
            return "$\(arguments.count)"
        }
        func either(_ clauses: [String], _ joiner: String) -> String {
            clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " \(joiner) ") + ")"
        }
        switch predicate {
        case let .equalsAny(column, values):
            return "\(column) IN (\(values.map { bind(.text($0)) }.joined(separator: ", ")))"
        case let .containsAny(column, fragments):
            return either(fragments.map { "\(lowered(column)) LIKE \(bind(.text(likePattern($0)))) ESCAPE '\\'" }, "OR")
        case let .compare(column, comparison, value):
            return "\(column) \(comparison.rawValue) \(bind(.real(value)))"
        case let .between(column, low, high):
            return "\(column) BETWEEN \(bind(.real(low))) AND \(bind(.real(high)))"
        case let .timeRange(column, start, end):
            let bounds = [start.map { "\(column) >= \(bind(.text($0.iso8601)))" }, end.map { "\(column) < \(bind(.text($0.iso8601)))" }]
            return either(bounds.compactMap { $0 }, "AND")
        case let .localTime(part, ranges):
            return localTime(zones).condition(part, ranges, bind)
        case let .word(text):
            guard let query = try tsQuery(text, words: words) else { return "FALSE" }
            return "words @@ \(bind(.text(query)))::tsquery"
        case let .not(inner):
            return "NOT COALESCE(\(try render(inner, zones: zones, into: &arguments, words: words)), FALSE)"
        case .nothing:
            return "FALSE"
        case let .after(keys, values):
            return PortableSQL.after(keys, values, bind: bind)
        case let .tagged(names):
            let patterns = PortableSQL.tagPatterns(names)
            return PortableSQL.annotated(patterns.map { "\(PortableSQL.paddedTags) LIKE \(bind(.text($0))) ESCAPE '\\'" }.joined(separator: " OR "))
        case let .noted(fragments):
            return PortableSQL.annotated(fragments.map { "\(lowered("a.notes")) LIKE \(bind(.text(likePattern($0)))) ESCAPE '\\'" }.joined(separator: " OR "))
        }
    }

    private static let upper = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    private static let lower = upper.lowercased()

    /// `text` with its ASCII letters lowered, which substring filters compare (as SQLite's
    /// `LIKE` ignores the case of ASCII letters only).
    static func lowered(_ text: String) -> String {
        "translate(\(text), '\(upper)', '\(lower)')"
    }

    /// `%fragment%` with ASCII letters lowered, as the `translate`d column is.
    static func likePattern(_ fragment: String) -> String {
        var lowered = ""
        for scalar in fragment.unicodeScalars {
            lowered.unicodeScalars.append(("A"..."Z").contains(scalar) ? Unicode.Scalar(scalar.value + 32)! : scalar)
        }
        return PortableSQL.containsPattern(lowered)
    }

    /// FTS5's prefix phrase `"text"*` as a `tsquery`: the tokens one after another, the last a
    /// prefix. Nil when the text has no token (FTS5's empty phrase matches nothing).
    static func tsQuery(_ text: String, words: FullTextWords) throws(CatalogError) -> String? {
        let tokens = try words.words([text])[0]
        guard !tokens.isEmpty else { return nil }
        return tokens.enumerated().map { index, token in
            PostgresRows.lexeme(token) + (index == tokens.count - 1 ? ":*" : "")
        }.joined(separator: " <-> ")
    }

    // MARK: stats

    /// The figures of a `StatsRow`, in the order `StatsRow.init(group:computed:)` reads them.
    static let statsFigures: String = {
        func count(_ condition: String) -> String { "COUNT(*) FILTER (WHERE \(condition))" }
        let verdicts = StatsRow.notValidVerdicts.map { count("verdict = '\($0.rawValue)'") }.joined(separator: ", ")
        return "COUNT(*), \(count("verdict = 'valid'")), \(verdicts), COALESCE(SUM(audio_seconds), 0), "
            + "COALESCE(SUM(call_seconds), 0), \(count(PortableSQL.shortRecording)), AVG(audio_seconds), "
            + "AVG(longest_silence_seconds), \(count(PortableSQL.deadAir)), \(count(PortableSQL.clipped))"
    }()

    /// Local time in PostgreSQL: the stored ISO text cast to `timestamptz` (its `Z` or offset
    /// says the zone, whatever the session's), as whole seconds.
    static func localTime(_ zones: CallZones) -> LocalTimeSQL {
        LocalTimeSQL(
            zones: zones, epoch: "CAST(floor(EXTRACT(EPOCH FROM CAST(call_in_time AS timestamptz))) AS bigint)",
            dayText: { "to_char(to_timestamp(\($0)) AT TIME ZONE 'UTC', 'YYYY-MM-DD')" },
            monthText: { "to_char(to_timestamp(\($0)) AT TIME ZONE 'UTC', 'YYYY-MM')" }
        )
    }

    /// One row per group, its names first (a missing one first, as SQLite sorts NULL), then
    /// the totals, then each call's audio seconds after its group's names.
    static func statsStatements(
        _ query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool, words: FullTextWords
    ) throws(CatalogError) -> (grouped: Statement?, totals: Statement, audio: Statement) {
        let local = localTime(query.zones)
        func statement(_ select: (inout [FieldValue]) -> String, _ tail: String) throws(CatalogError) -> Statement {
            var arguments: [FieldValue] = []
            let columns = select(&arguments)
            let filter = try whereClause(query, words: words, after: arguments)
            return Statement(sql: "SELECT \(columns) FROM calls WHERE \(filter.sql)\(tail)", arguments: filter.arguments)
        }
        func bindOne(_ value: FieldValue, _ arguments: inout [FieldValue]) -> String {
            arguments.append(value)
            return "$\(arguments.count)"
        }
        func figures(_ arguments: inout [FieldValue]) -> String {
            guard rates else { return statsFigures }
            let status = "translate(call_status, '\(upper)', '\(lower)')"
            return statsFigures + ", " + PortableSQL.rateFigures(count: { "COUNT(*) FILTER (WHERE \($0))" }, status: status) {
                local.value(.day) { bindOne($0, &arguments) }
            }
        }
        func names(_ arguments: inout [FieldValue]) -> [String] {
            groupings.enumerated().map { index, grouping in
                "\(local.grouping(grouping) { bindOne($0, &arguments) }) AS grp\(index)"
            }
        }
        let keys = groupings.indices.map { "grp\($0)" }
        let grouped = groupings.isEmpty ? nil : try statement(
            { (names(&$0) + [figures(&$0)]).joined(separator: ", ") },
            " GROUP BY \(keys.joined(separator: ", ")) ORDER BY \(keys.map { "\($0) ASC NULLS FIRST" }.joined(separator: ", "))"
        )
        let audio = try statement({ (names(&$0) + ["audio_seconds"]).joined(separator: ", ") }, " AND audio_seconds IS NOT NULL")
        return (grouped, try statement(figures, ""), audio)
    }

    /// `statement` with its values written in as SQL literals: what the benchmarks hand `psql`.
    static func expanded(_ statement: Statement) -> String {
        func literal(_ value: FieldValue) -> String {
            switch value {
            case .null: return "NULL"
            case .integer(let number): return String(number)
            case .real(let number): return "\(number)::float8"
            case .text(let text): return "'" + text.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "''") + "'"
            }
        }
        var sql = "", number: Int?
        for character in statement.sql + " " {
            if let digit = character.wholeNumberValue, let current = number {
                number = current * 10 + digit
                continue
            }
            if let current = number {
                sql += current >= 1 && current <= statement.arguments.count
                    ? literal(statement.arguments[current - 1]) : (current == 0 ? "$" : "$\(current)")
                number = nil
            }
            if character == "$" { number = 0 } else { sql.append(character) }
        }
        return String(sql.dropLast())
    }
}
