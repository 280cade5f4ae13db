import Foundation
import Model

/// The fields a query may name, and the columns they stand for.
enum QueryField {
    enum Kind { case text, number, size, date, local(LocalPart), tag, note }

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
        "hour": ("call_in_time", .local(.hour)),
        "weekday": ("call_in_time", .local(.weekday)),
        "time": ("call_in_time", .local(.minute)),
        // Audio metrics (docs/contract.md §10).
        "silence": ("silence_seconds", .number),
        "longest_silence": ("longest_silence_seconds", .number),
        "dead_air": ("longest_silence_seconds", .number),
        "leading_silence": ("leading_silence_seconds", .number),
        "peak": ("peak_dbfs", .number),
        "clipped": ("clipped_samples", .number),
        "loudness": ("loudness_lufs", .number),
        // Tags and notes (`callarchive tag`), from the `annotations` table.
        "tag": ("tags", .tag),
        "note": ("notes", .note),
    ]

    /// Sorting accepts the §4 column names and the query field names (not the local-time
    /// parts, which would sort by the UTC time they are read from).
    static func column(forSortName name: String) -> String? {
        if CallRecord.columnNames.contains(name) { return CallRecord.column(named: name)?.role == .annotation ? nil : name }
        guard let field = fields[name] else { return nil }
        if case .local = field.kind { return nil }
        return field.column
    }
}

/// Turns one query word into a `Predicate`, checking it: the query language's grammar, with
/// no SQL in it.
enum QueryParser {
    /// SQLite nests `a OR b OR …` one level per alternative and stops at 1,000 levels, and
    /// takes at most 32,766 bound values: 500 alternatives × 64 words stays inside both.
    static let maxAlternatives = 500
    static let maxWords = 64

    static func predicate(_ word: String, zones: CallZones = .utc) throws(CatalogError) -> Predicate {
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
        let predicate: Predicate
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
            predicate = try parse(field: field, value: value, word: word, zones: zones)
        } else {
            predicate = try fullText(String(body), word: word)
        }
        return negated ? .not(predicate) : predicate
    }

    private static func parse(
        field: (column: String, kind: QueryField.Kind), value: String, word: String, zones: CallZones
    ) throws(CatalogError) -> Predicate {
        switch field.kind {
        case .text: try text(field.column, value, word: word)
        case .number: try numeric(field.column, value, word: word, parse: parseNumber)
        case .size: try numeric(field.column, value, word: word, parse: parseSize)
        case .date: LocalTimeFields.inZones(try date(field.column, value, word: word), zones: zones)
        case .local(let part): try LocalTimeFields.parse(part, value, word: word)
        case .tag: try tags(value, word: word)
        case .note: .noted(try alternatives(value, word: word))
        }
    }

    /// `a,b,…` split at the commas, at most `maxAlternatives`.
    private static func alternatives(_ text: String, word: String) throws(CatalogError) -> [String] {
        let alternatives = text.unicodeScalars.split(separator: ",", omittingEmptySubsequences: true).map { String($0) }
        guard !alternatives.isEmpty else { throw .invalidQuery(token: word, reason: "needs a value after '='") }
        guard alternatives.count <= maxAlternatives else {
            throw .invalidQuery(token: String(word.prefix(40)) + "…", reason: "\(alternatives.count) alternatives; at most \(maxAlternatives) in one word")
        }
        return alternatives
    }

    /// `tag:name` or `tag:a,b`: names as `tag` takes them, lowered.
    private static func tags(_ value: String, word: String) throws(CatalogError) -> Predicate {
        var names: [String] = []
        for name in try alternatives(value.hasPrefix("=") ? String(value.dropFirst()) : value, word: word) {
            do {
                names.append(try AnnotationChange.tagName(name))
            } catch {
                throw .invalidQuery(token: word, reason: error.reason)
            }
        }
        return .tagged(names)
    }

    private static func text(_ column: String, _ value: String, word: String) throws(CatalogError) -> Predicate {
        let exact = value.unicodeScalars.first == "="
        let text = exact ? String(value.unicodeScalars.dropFirst()) : value
        let alternatives = try alternatives(text, word: word)
        if exact { return .equalsAny(column: column, values: alternatives) }
        if column == "verdict" {
            // Eight possible values: match them here, so the catalog compares exactly.
            let verdicts = Verdict.allCases.map(\.rawValue).filter { verdict in
                alternatives.contains { verdict.range(of: $0, options: .caseInsensitive) != nil }
            }
            return verdicts.isEmpty ? .nothing : .equalsAny(column: column, values: verdicts)
        }
        return .containsAny(column: column, fragments: alternatives)
    }

    private static func numeric(
        _ column: String, _ value: String, word: String, parse: (Substring) -> Double?
    ) throws(CatalogError) -> Predicate {
        func number(_ text: Substring) throws(CatalogError) -> Double {
            guard let number = parse(text) else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not a number")
            }
            return number
        }
        let comparisons: [(String, Predicate.Comparison)] = [(">=", .greaterOrEqual), ("<=", .lessOrEqual), (">", .greater), ("<", .less)]
        for (op, comparison) in comparisons where value.hasPrefix(op) {
            return .compare(column: column, comparison, try number(value.dropFirst(op.count)))
        }
        if let range = value.range(of: "..") {
            let low = value[..<range.lowerBound], high = value[range.upperBound...]
            switch (low.isEmpty, high.isEmpty) {
            case (true, true): throw .invalidQuery(token: word, reason: "a range needs at least one end")
            case (false, true): return .compare(column: column, .greaterOrEqual, try number(low))
            case (true, false): return .compare(column: column, .lessOrEqual, try number(high))
            case (false, false):
                let bounds = (try number(low), try number(high))
                guard bounds.0 <= bounds.1 else { throw .invalidQuery(token: word, reason: "the range ends before it starts") }
                return .between(column: column, low: bounds.0, high: bounds.1)
            }
        }
        return .compare(column: column, .equal, try number(Substring(value)))
    }

    private static func parseNumber(_ text: Substring) -> Double? {
        guard let value = Double(text), value.isFinite else { return nil }
        return value
    }

    private static func parseSize(_ text: Substring) -> Double? {
        ByteSize.parse(text)
    }

    private static func date(_ column: String, _ value: String, word: String) throws(CatalogError) -> Predicate {
        func span(_ text: Substring) throws(CatalogError) -> DateSpan {
            guard let span = DateSpan(String(text)) else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not a date; use YYYY, YYYY-MM or YYYY-MM-DD")
            }
            return span
        }
        guard let range = value.range(of: "..") else {
            let day = try span(Substring(value))
            return .timeRange(column: column, start: day.start, end: day.end)
        }
        let low = value[..<range.lowerBound], high = value[range.upperBound...]
        switch (low.isEmpty, high.isEmpty) {
        case (true, true): throw .invalidQuery(token: word, reason: "a date range needs at least one end")
        case (false, true): return .timeRange(column: column, start: try span(low).start, end: nil)
        case (true, false): return .timeRange(column: column, start: nil, end: try span(high).end)
        case (false, false):
            let start = try span(low).start, end = try span(high).end
            guard start < end else { throw .invalidQuery(token: word, reason: "the range ends before it starts") }
            return .timeRange(column: column, start: start, end: end)
        }
    }

    /// A bare word: a prefix match over store, agent, order id and status.
    private static func fullText(_ text: String, word: String) throws(CatalogError) -> Predicate {
        guard !text.isEmpty else { throw .invalidQuery(token: word, reason: "empty word") }
        // The full-text index keeps letters and digits only: a word without any matches nothing.
        guard text.unicodeScalars.contains(where: { $0.properties.isAlphabetic || $0.properties.numericType != nil }) else {
            throw .invalidQuery(token: word, reason: "no letters or digits to search for; a field needs a name, as in store:jet")
        }
        return .word(text)
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
