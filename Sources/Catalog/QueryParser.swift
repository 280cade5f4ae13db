import Foundation
import Model

/// The fields a query may name, and the columns they stand for.
enum QueryField {
    enum Kind { case text, number, size, date }

    /// Text columns whose distinct values `field_values` lists (migration 0002).
    static let listedColumns: Set<String> = ["store_name", "store_code", "agent_name", "call_status"]

    static let fields: [String: (column: String, kind: Kind)] = [
        "store": ("store_name", .text),
        "agent": ("agent_name", .text),
        "status": ("call_status", .text),
        "order": ("order_id", .text),
        "sid": ("call_sid", .text),
        "verdict": ("verdict", .text),
        "code": ("store_code", .text),
        "detail": ("verdict_detail", .text),
        "duration": ("audio_seconds", .number),
        "length": ("call_seconds", .number),
        "frames": ("frames", .number),
        "attempts": ("attempts", .number),
        "size": ("file_size", .size),
        "date": ("call_in_time", .date),
    ]

    /// Sorting accepts the §4 column names and the query field names.
    static func column(forSortName name: String) -> String? {
        if CallRecord.columnNames.contains(name) { return name }
        return fields[name]?.column
    }
}

/// Turns one query word into a condition of a `CatalogQuery`.
enum QueryParser {
    /// SQLite nests `a OR b OR …` one level per alternative and stops at 1,000 levels, and
    /// takes at most 32,766 bound values: 500 alternatives × 64 words stays inside both.
    static let maxAlternatives = 500
    static let maxWords = 64

    static func add(_ word: String, to query: inout CatalogQuery) throws(CatalogError) {
        // SQLite's full-text syntax ends a string at NUL; no catalog value holds one either.
        guard !word.unicodeScalars.contains("\0") else { throw .invalidQuery(token: word, reason: "contains a NUL character") }
        // The syntax is read scalar by scalar: "-" or ":" followed by a combining mark is one
        // Character, which would hide the negation or the field (found by the fuzzer).
        var body = Substring(word).unicodeScalars
        var negated = false
        if let first = body.first, first == "-" || first == "^", body.count > 1 {
            negated = true
            body = body.dropFirst()
        }
        var condition: Condition
        if let colon = body.firstIndex(of: ":"), colon != body.startIndex,
           body[..<colon].allSatisfy({ $0.properties.isAlphabetic || $0 == "_" })
        {
            let name = String(body[..<colon]).lowercased()
            let value = String(body[body.index(after: colon)...])
            guard let field = QueryField.fields[name] else {
                throw .invalidQuery(
                    token: word,
                    reason: "unknown field '\(name)'; fields are \(QueryField.fields.keys.sorted().joined(separator: ", "))"
                )
            }
            guard !value.isEmpty else { throw .invalidQuery(token: word, reason: "'\(name):' needs a value") }
            condition = try compile(field: field, value: value, word: word)
        } else {
            let (text, arguments) = try fullText(String(body), word: word)
            condition = .sql(text, arguments)
        }
        if negated {
            switch condition {
            case let .sql(text, arguments): condition = .sql("NOT IFNULL(\(text), 0)", arguments)
            case let .valueList(column, patterns, _): condition = .valueList(column: column, patterns: patterns, negated: true)
            }
        }
        query.conditions.append(condition)
    }

    private static func compile(
        field: (column: String, kind: QueryField.Kind), value: String, word: String
    ) throws(CatalogError) -> Condition {
        switch field.kind {
        case .text:
            let exact = value.unicodeScalars.first == "="
            let text = exact ? String(value.unicodeScalars.dropFirst()) : value
            let alternatives = text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: true).map { String($0) }
            guard !alternatives.isEmpty else { throw .invalidQuery(token: word, reason: "needs a value after '='") }
            guard alternatives.count <= maxAlternatives else {
                throw .invalidQuery(token: String(word.prefix(40)) + "…", reason: "\(alternatives.count) alternatives; at most \(maxAlternatives) in one word")
            }
            if exact {
                let marks = Array(repeating: "?", count: alternatives.count).joined(separator: ", ")
                return .sql("\(field.column) IN (\(marks))", alternatives.map(SQLArgument.text))
            }
            let patterns = alternatives.map { "%" + likeEscaped($0) + "%" }
            if field.column == "verdict" {
                // Eight possible values: match them here, then use the index.
                let verdicts = Verdict.allCases.map(\.rawValue).filter { verdict in
                    alternatives.contains { verdict.range(of: $0, options: .caseInsensitive) != nil }
                }
                let marks = Array(repeating: "?", count: verdicts.count).joined(separator: ", ")
                return .sql(verdicts.isEmpty ? "0" : "verdict IN (\(marks))", verdicts.map(SQLArgument.text))
            }
            if QueryField.listedColumns.contains(field.column) {
                // Match the few distinct values, then find the calls through the column's index.
                return .valueList(column: field.column, patterns: patterns, negated: false)
            }
            let clauses = Array(repeating: "\(field.column) LIKE ? ESCAPE '\\'", count: alternatives.count)
            return .sql(clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " OR ") + ")", patterns.map(SQLArgument.text))
        case .number, .size:
            let (text, arguments) = try numeric(field.column, value, word: word, parse: field.kind == .size ? parseSize : parseNumber)
            return .sql(text, arguments)
        case .date:
            let (text, arguments) = try date(field.column, value, word: word)
            return .sql(text, arguments)
        }
    }

    private static func numeric(
        _ column: String, _ value: String, word: String, parse: (Substring) -> Double?
    ) throws(CatalogError) -> (String, [SQLArgument]) {
        func number(_ text: Substring) throws(CatalogError) -> SQLArgument {
            guard let number = parse(text) else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not a number")
            }
            return .real(number)
        }
        for op in [">=", "<=", ">", "<"] where value.hasPrefix(op) {
            return ("\(column) \(op) ?", [try number(value.dropFirst(op.count))])
        }
        if let range = value.range(of: "..") {
            let low = value[..<range.lowerBound], high = value[range.upperBound...]
            switch (low.isEmpty, high.isEmpty) {
            case (true, true): throw .invalidQuery(token: word, reason: "a range needs at least one end")
            case (false, true): return ("\(column) >= ?", [try number(low)])
            case (true, false): return ("\(column) <= ?", [try number(high)])
            case (false, false):
                let bounds = (try number(low), try number(high))
                if case let (.real(start), .real(end)) = bounds, start > end {
                    throw .invalidQuery(token: word, reason: "the range ends before it starts")
                }
                return ("\(column) BETWEEN ? AND ?", [bounds.0, bounds.1])
            }
        }
        return ("\(column) = ?", [try number(Substring(value))])
    }

    private static func parseNumber(_ text: Substring) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func parseSize(_ text: Substring) -> Double? {
        ByteSize.parse(text)
    }

    private static func date(_ column: String, _ value: String, word: String) throws(CatalogError) -> (String, [SQLArgument]) {
        func bounds(_ text: Substring) throws(CatalogError) -> (start: String, end: String) {
            guard let span = DateSpan(String(text)) else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
            }
            return (span.start.iso8601, span.end.iso8601)
        }
        if let range = value.range(of: "..") {
            let low = value[..<range.lowerBound], high = value[range.upperBound...]
            switch (low.isEmpty, high.isEmpty) {
            case (true, true): throw .invalidQuery(token: word, reason: "a date range needs at least one end")
            case (false, true): return ("\(column) >= ?", [.text(try bounds(low).start)])
            case (true, false): return ("\(column) < ?", [.text(try bounds(high).end)])
            case (false, false):
                let start = try bounds(low).start, end = try bounds(high).end
                guard start < end else { throw .invalidQuery(token: word, reason: "the range ends before it starts") }
                return ("(\(column) >= ? AND \(column) < ?)", [.text(start), .text(end)])
            }
        }
        let span = try bounds(Substring(value))
        return ("(\(column) >= ? AND \(column) < ?)", [.text(span.start), .text(span.end)])
    }

    /// A bare word: a prefix match over store, agent, order id and status (the FTS5 index).
    private static func fullText(_ text: String, word: String) throws(CatalogError) -> (String, [SQLArgument]) {
        guard !text.isEmpty else { throw .invalidQuery(token: word, reason: "empty word") }
        // The full-text index keeps letters and digits only: a word without any matches nothing.
        guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            throw .invalidQuery(token: word, reason: "no letters or digits to search for; a field needs a name, as in store:jet")
        }
        // Scalar by scalar: a quote followed by a combining mark is one Character, which a
        // Character-level replace would miss (found by the fuzzer).
        var phrase = "\""
        for scalar in text.unicodeScalars {
            phrase.unicodeScalars.append(scalar)
            if scalar == "\"" { phrase.unicodeScalars.append(scalar) }
        }
        phrase += "\"*"
        return ("id IN (SELECT rowid FROM calls_fts WHERE calls_fts MATCH ?)", [.text(phrase)])
    }

    private static func likeEscaped(_ text: String) -> String {
        var out = ""
        for scalar in text.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out
    }
}

/// A UTC day, month or year written `YYYY-MM-DD`, `YYYY-MM` or `YYYY`: `[start, end)`.
struct DateSpan {
    let start: Timestamp
    let end: Timestamp

    init?(_ text: String) {
        let parts = text.split(separator: "-", omittingEmptySubsequences: false)
        guard (1...3).contains(parts.count), parts[0].count == 4,
              parts.allSatisfy({ !$0.isEmpty && $0.allSatisfy(\.isASCII) && $0.allSatisfy(\.isNumber) }),
              parts.dropFirst().allSatisfy({ $0.count == 2 }),
              let year = Int(parts[0])
        else { return nil }
        let month = parts.count > 1 ? Int(parts[1])! : 1
        let day = parts.count > 2 ? Int(parts[2])! : 1
        guard (1...12).contains(month), (1...Timestamp.daysIn(month: month, year: year)).contains(day) else { return nil }
        let first = Timestamp.daysSinceEpoch(year: year, month: month, day: day)
        let next: Int
        switch parts.count {
        case 1: next = Timestamp.daysSinceEpoch(year: year + 1, month: 1, day: 1)
        case 2: next = month == 12
            ? Timestamp.daysSinceEpoch(year: year + 1, month: 1, day: 1)
            : Timestamp.daysSinceEpoch(year: year, month: month + 1, day: 1)
        default: next = first + 1
        }
        start = Timestamp(millisecondsSince1970: Int64(first) * 86_400_000)
        end = Timestamp(millisecondsSince1970: Int64(next) * 86_400_000)
    }
}
