import GRDB
import Model

/// Renders a `CatalogQuery` as SQLite SQL: FTS5 `MATCH` for bare words, `LIKE … ESCAPE` for
/// substrings, value lists from `field_values`, `IFNULL` for negations. User text only ever
/// reaches SQLite as a bound argument.
package enum SQLiteDialect {
    static let listedColumns = PortableSQL.listedColumns

    /// SQL selecting `columns` from `calls` with the query's filter, order and limit.
    static func select(_ columns: String, _ query: CatalogQuery, in db: Database) throws -> (String, StatementArguments) {
        let (filter, arguments) = try whereClause(query, in: db)
        var sql = "SELECT \(columns) FROM calls WHERE \(filter) ORDER BY \(orderClause(query.order))"
        if let limit = query.limit { sql += " LIMIT \(limit)" }
        return (sql, arguments)
    }

    /// For a filtered search with a limit, in the listing order, whose filter matches many
    /// calls: the same search over only the first calls in that order (their ids come from
    /// `calls_listing` alone). When it finds `limit` rows, they are the answer; a filter on
    /// an index would instead have read and sorted every match (83,000 for `agent:priya` in a
    /// million calls: 160 ms, against 10 for the head). Nil when it does not apply, or when the
    /// head would likely hold too few matches (a store, a time range: their indexes give the
    /// rows in order already).
    static func headSelect(_ columns: String, _ query: CatalogQuery, in db: Database) throws -> (String, StatementArguments)? {
        guard let limit = query.limit, limit > 0, !query.predicates.isEmpty, query.order == SortKey.listing else { return nil }
        let head = min(max(2_000, limit * 40), 50_000)
        var share = 1.0
        for predicate in query.predicates {
            guard let part = try self.share(predicate, in: db) else { return nil }
            share *= part
        }
        guard Double(head) * share >= Double(2 * limit) else { return nil }
        let (filter, arguments) = try whereClause(query, in: db, wordsByValue: true)
        let order = orderClause(query.order)
        // The head is filtered on the columns the filter reads, taken from `calls_listing`
        // when it holds them all (migration 0009): a call's row is read only for the `limit`
        // shown. The head is named `calls`, as the filter's annotation test expects.
        var seen = Set<String>()
        let read = (["id"] + query.order.map(\.column) + query.predicates.flatMap(headColumns)).filter { seen.insert($0).inserted }
        let rows = "SELECT \(read.joined(separator: ", ")) FROM calls ORDER BY \(order) LIMIT \(head)"
        return ("SELECT \(columns) FROM (SELECT id AS head_id FROM (\(rows)) AS calls WHERE \(filter) ORDER BY \(order) LIMIT \(limit)) "
            + "CROSS JOIN calls ON calls.id = head_id ORDER BY \(order) LIMIT \(limit)", arguments)
    }

    /// The columns `render(_:wordsByValue: true)` reads for `predicate`. (The annotations are
    /// found by order id and call index, which the listing order reads anyway.)
    private static func headColumns(_ predicate: Predicate) -> [String] {
        switch predicate {
        case .word: ["store_name", "agent_name", "call_status", "order_id"]
        case .localTime: ["call_in_time", "store_code"]
        case let .not(inner): headColumns(inner)
        default: predicate.columns
        }
    }

    /// A rough share of the calls `predicate` matches: for a listed column, the share of its
    /// distinct values named (`field_values`); nil for a time range, which its index serves
    /// in listing order; a half when nothing better is known.
    private static func share(_ predicate: Predicate, in db: Database) throws -> Double? {
        func part(_ column: String, _ matching: String, _ arguments: [String]) throws -> Double {
            let total = try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM field_values WHERE field = ?", arguments: [column]) ?? 0
            let found = try Int.fetchOne(
                db, sql: "SELECT COUNT(*) FROM field_values WHERE field = ? AND (\(matching))", arguments: StatementArguments([column] + arguments)
            ) ?? 0
            return total == 0 ? 0 : Double(found) / Double(total)
        }
        switch predicate {
        case let .containsAny(column, fragments) where listedColumns.contains(column):
            let like = Array(repeating: "value LIKE ? ESCAPE '\\'", count: fragments.count).joined(separator: " OR ")
            return try part(column, like, fragments.map { PortableSQL.containsPattern($0) })
        case let .equalsAny(column, values) where listedColumns.contains(column):
            return try part(column, "value IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))", values)
        case let .equalsAny("verdict", values): return Double(values.count) / Double(Verdict.allCases.count)
        case .timeRange, .after: return nil
        case let .not(inner): return try share(inner, in: db).map { 1 - $0 } ?? 0.5
        case .nothing: return 0
        default: return 0.5
        }
    }

    /// The WHERE clause (`1` when there is no filter) with its arguments. `wordsByValue`: bare
    /// words as `wordByValue` renders them, for the head of the listing.
    static func whereClause(_ query: CatalogQuery, in db: Database, wordsByValue: Bool = false) throws -> (String, StatementArguments) {
        var arguments: [DatabaseValue] = []
        var clauses: [String] = []
        for predicate in query.predicates {
            clauses.append(try render(predicate, zones: query.zones, into: &arguments, in: db, wordsByValue: wordsByValue))
        }
        return (clauses.isEmpty ? "1" : clauses.joined(separator: " AND "), StatementArguments(arguments))
    }

    static func orderClause(_ keys: [SortKey]) -> String {
        keys.map { $0.descending ? "\($0.column) DESC" : $0.column }.joined(separator: ", ")
    }


    private static func render(
        _ predicate: Predicate, zones: CallZones, into arguments: inout [DatabaseValue], in db: Database, wordsByValue: Bool
    ) throws -> String {
        func bind(_ values: [String]) -> String {
            arguments += values.map(\.databaseValue)
            return Array(repeating: "?", count: values.count).joined(separator: ", ")
        }
        switch predicate {
        case let .equalsAny(column, values):
            return "\(column) IN (\(bind(values)))"
        case let .containsAny(column, fragments) where listedColumns.contains(column):
            return try valueList(column, fragments, negated: false, into: &arguments, in: db)
        case let .containsAny(column, fragments):
            let patterns = fragments.map { PortableSQL.containsPattern($0) }
            arguments += patterns.map(\.databaseValue)
            let clauses = Array(repeating: "\(column) LIKE ? ESCAPE '\\'", count: patterns.count)
            return clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " OR ") + ")"
        case let .compare(column, comparison, value):
            arguments.append(value.databaseValue)
            return "\(column) \(comparison.rawValue) ?"
        case let .between(column, low, high):
            arguments += [low.databaseValue, high.databaseValue]
            return "\(column) BETWEEN ? AND ?"
        case let .timeRange(column, start, end):
            let bounds = [start.map { ("\(column) >= ?", $0) }, end.map { ("\(column) < ?", $0) }].compactMap { $0 }
            arguments += bounds.map(\.1.iso8601.databaseValue)
            let clauses = bounds.map(\.0)
            return clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " AND ") + ")"
        case let .word(text) where wordsByValue:
            return try wordByValue(text, into: &arguments, in: db)
        case let .localTime(part, ranges):
            return localTime(zones).condition(part, ranges) { bindOne($0, &arguments) }
        case let .word(text):
            arguments.append(ftsPhrase(text).databaseValue)
            return "id IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)"
        case let .not(.containsAny(column, fragments)) where listedColumns.contains(column):
            return try valueList(column, fragments, negated: true, into: &arguments, in: db)
        case let .not(inner):
            return "NOT IFNULL(\(try render(inner, zones: zones, into: &arguments, in: db, wordsByValue: wordsByValue)), 0)"
        case .nothing:
            return "0"
        case let .after(keys, values):
            return PortableSQL.after(keys, values) { value in
                arguments.append(value.databaseValue)
                return "?"
            }
        case let .tagged(names):
            return PortableSQL.annotated(likeAny(PortableSQL.paddedTags, PortableSQL.tagPatterns(names), into: &arguments))
        case let .noted(fragments):
            return PortableSQL.annotated(likeAny("a.notes", fragments.map { PortableSQL.containsPattern($0) }, into: &arguments))
        }
    }

    /// `text LIKE ? ESCAPE '\' OR …`, one per pattern (SQLite's `LIKE` ignores ASCII case).
    private static func likeAny(_ text: String, _ patterns: [String], into arguments: inout [DatabaseValue]) -> String {
        arguments += patterns.map(\.databaseValue)
        return Array(repeating: "\(text) LIKE ? ESCAPE '\\'", count: patterns.count).joined(separator: " OR ")
    }

    /// `column IN` the distinct values of `column` that contain a fragment: the few values are
    /// matched first, so the planner sees a plain `IN (…)` list and picks the column's index.
    private static func valueList(
        _ column: String, _ fragments: [String], negated: Bool, into arguments: inout [DatabaseValue], in db: Database
    ) throws -> String {
        let patterns = fragments.map { PortableSQL.containsPattern($0) }
        let like = Array(repeating: "value LIKE ? ESCAPE '\\'", count: patterns.count).joined(separator: " OR ")
        let found = try String.fetchAll(
            db, sql: "SELECT value FROM field_values WHERE field = ? AND (\(like))",
            arguments: StatementArguments([column] + patterns)
        )
        guard !found.isEmpty else { return negated ? "1" : "0" }
        arguments += found.map(\.databaseValue)
        let marks = Array(repeating: "?", count: found.count).joined(separator: ", ")
        return "\(column) \(negated ? "NOT IN" : "IN") (\(marks))"
    }

    /// A bare word without the full-text index, for the few thousand calls at the head of the
    /// listing: `id IN (SELECT rowid FROM calls_fts …)` reads every match of the word first
    /// (83,000 for `priya` in a million calls), where the head needs only a test per call.
    /// The same calls match: the word is tested by FTS5 itself, in private memory, against each
    /// distinct store, agent and status (`field_values`), and an order id is one word (letters,
    /// digits, `-`, `_`), so the word matches it when it starts the id in lower case.
    private static func wordByValue(_ text: String, into arguments: inout [DatabaseValue], in db: Database) throws -> String {
        let fields = ["store_name", "agent_name", "call_status"]
        let listed = try Row.fetchAll(
            db, sql: "SELECT field, value FROM field_values WHERE field IN ('store_name', 'agent_name', 'call_status') ORDER BY field"
        )
        let probe = try FullTextWords()
        let matched = try probe.matches(ftsPhrase(text), among: listed.map { $0["value"] as String })
        var clauses: [String] = []
        for field in fields {
            let values = zip(listed, matched).filter { $0.1 && ($0.0["field"] as String) == field }.map { $0.0["value"] as String }
            guard !values.isEmpty else { continue }
            arguments += values.map(\.databaseValue)
            clauses.append("\(field) IN (\(Array(repeating: "?", count: values.count).joined(separator: ", ")))")
        }
        if let words = try probe.words([text]).first, words.count == 1 {
            arguments += [words[0].databaseValue, words[0].databaseValue]
            clauses.append("substr(lower(order_id), 1, length(?)) = ?")
        }
        return clauses.isEmpty ? "0" : "(" + clauses.joined(separator: " OR ") + ")"
    }

    /// An FTS5 prefix phrase: `"text"*`, quotes doubled. Scalar by scalar: a quote followed by
    /// a combining mark is one Character, which a Character-level replace would miss.
    private static func ftsPhrase(_ text: String) -> String {
        var phrase = "\""
        for scalar in text.unicodeScalars {
            phrase.unicodeScalars.append(scalar)
            if scalar == "\"" { phrase.unicodeScalars.append(scalar) }
        }
        return phrase + "\"*"
    }

    // MARK: stats


    /// The figures of a `StatsRow`, in the order `StatsRow.init(figures:)` reads them.
    static let statsFigures: String = {
        let verdicts = StatsRow.notValidVerdicts.map { "SUM(verdict = '\($0.rawValue)')" }.joined(separator: ", ")
        return "COUNT(*), SUM(verdict = 'valid'), \(verdicts), TOTAL(audio_seconds), TOTAL(call_seconds), "
            + "SUM(\(PortableSQL.shortRecording)), AVG(audio_seconds), "
            + "AVG(longest_silence_seconds), SUM(\(PortableSQL.deadAir)), SUM(\(PortableSQL.clipped))"
    }()

    /// Local time in SQLite: `strftime('%s')` reads the stored ISO text as seconds.
    static func localTime(_ zones: CallZones) -> LocalTimeSQL {
        LocalTimeSQL(
            zones: zones, epoch: "CAST(strftime('%s', call_in_time) AS INTEGER)",
            dayText: { "date(\($0), 'unixepoch')" }, monthText: { "strftime('%Y-%m', \($0), 'unixepoch')" }
        )
    }

    private static func bindOne(_ value: FieldValue, _ arguments: inout [DatabaseValue]) -> String {
        arguments.append(value.databaseValue)
        return "?"
    }

    typealias Statement = (sql: String, arguments: StatementArguments)

    /// The statements `stats` runs: one row per group, its names first (when grouped), then
    /// the totals, one row without a name; and the audio seconds of every call that has audio,
    /// after the names of its group, for the percentiles.
    static func statsStatements(
        _ query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool, in db: Database
    ) throws -> (grouped: Statement?, totals: Statement, audio: Statement) {
        let (filter, filterArguments) = try whereClause(query, in: db)
        let local = localTime(query.zones)
        // Placeholders are numbered in the order they appear: the select list's come first.
        func statement(_ select: (inout [DatabaseValue]) -> String, _ tail: String) -> Statement {
            var arguments: [DatabaseValue] = []
            let columns = select(&arguments)
            return ("SELECT \(columns) FROM calls WHERE \(filter)\(tail)", StatementArguments(arguments) + filterArguments)
        }
        func figures(_ arguments: inout [DatabaseValue]) -> String {
            guard rates else { return statsFigures }
            return statsFigures + ", " + PortableSQL.rateFigures(count: { "SUM(\($0))" }, status: "call_status") {
                local.value(.day) { bindOne($0, &arguments) }
            }
        }
        func names(_ arguments: inout [DatabaseValue]) -> [String] {
            groupings.enumerated().map { index, grouping in
                "\(local.grouping(grouping) { bindOne($0, &arguments) }) AS grp\(index)"
            }
        }
        let keys = groupings.indices.map { "grp\($0)" }.joined(separator: ", ")
        let grouped = groupings.isEmpty ? nil : statement({ (names(&$0) + [figures(&$0)]).joined(separator: ", ") }, " GROUP BY \(keys) ORDER BY \(keys)")
        let audio = statement({ (names(&$0) + ["audio_seconds"]).joined(separator: ", ") }, " AND audio_seconds IS NOT NULL")
        return (grouped, statement(figures, ""), audio)
    }
}
