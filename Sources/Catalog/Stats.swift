import Model

/// How `stats` groups calls.
public enum StatsGrouping: String, Sendable, CaseIterable {
    case store, agent, status, verdict, day, month
}

/// One line of `stats`: a group (or the totals) and its figures.
public struct StatsRow: Sendable, Equatable {
    public var group: String
    public var calls: Int
    public var valid: Int
    /// Calls not valid, by verdict.
    public var invalid: [String: Int]
    public var audioSeconds: Double
    public var callSeconds: Double
    /// Valid recordings under half their call's length.
    public var shortRecordings: Int

    /// Mean audio seconds over the calls that have audio.
    public var meanAudioSeconds: Double

    /// The verdicts counted apart, in docs/contract.md §6 order: every one but `valid`.
    public static let notValidVerdicts = Verdict.allCases.filter { $0 != .valid }

    /// The names of `figures`, as CSV headers and JSON keys.
    public static let figureNames = ["calls", "valid", "not_valid"] + notValidVerdicts.map(\.rawValue)
        + ["audio_seconds", "mean_audio_seconds", "call_seconds", "short_recordings"]

    /// Calls whose verdict is not `valid`.
    public var notValid: Int { invalid.values.reduce(0, +) }

    /// Every figure as a number, in `figureNames` order: what a spreadsheet adds up.
    public var figures: [FieldValue] {
        [.integer(Int64(calls)), .integer(Int64(valid)), .integer(Int64(notValid))]
            + Self.notValidVerdicts.map { .integer(Int64(invalid[$0.rawValue] ?? 0)) }
            + [.real(audioSeconds), .real(meanAudioSeconds), .real(callSeconds), .integer(Int64(shortRecordings))]
    }
}

extension StatsRow {
    /// A row from the figures a catalog's statement computed, in this order: calls, valid, one
    /// count per `notValidVerdicts`, total audio seconds, total call seconds, short recordings,
    /// mean audio seconds (NULL counts as 0).
    package init(group: String, computed figures: ArraySlice<FieldValue>) {
        func number(_ index: Int) -> Double {
            let position = figures.startIndex + index
            guard position < figures.endIndex else { return 0 }
            switch figures[position] {
            case .integer(let value): return Double(value)
            case .real(let value): return value
            case .text, .null: return 0
            }
        }
        let verdicts = Self.notValidVerdicts
        var invalid: [String: Int] = [:]
        for (index, verdict) in verdicts.enumerated() where number(2 + index) > 0 {
            invalid[verdict.rawValue] = Int(number(2 + index))
        }
        let base = 2 + verdicts.count
        self.init(
            group: group, calls: Int(number(0)), valid: Int(number(1)), invalid: invalid,
            audioSeconds: number(base), callSeconds: number(base + 1), shortRecordings: Int(number(base + 2)),
            meanAudioSeconds: number(base + 3)
        )
    }
}

/// SQL text that reads the same in every catalog's dialect.
package enum PortableSQL {
    /// `%fragment%` for `LIKE … ESCAPE '\\'`: `%`, `_` and the backslash in `fragment` escaped.
    package static func containsPattern(_ fragment: String) -> String {
        var out = "%"
        for scalar in fragment.unicodeScalars {
            if scalar == "%" || scalar == "_" || scalar == "\\" { out.unicodeScalars.append("\\") }
            out.unicodeScalars.append(scalar)
        }
        return out + "%"
    }

    /// `CallRecord.isShortRecording` in SQL.
    package static let shortRecording = "(verdict = 'valid' AND call_seconds > 0 AND audio_seconds < call_seconds * 0.5)"

    /// The expression a `stats` grouping groups by.
    package static func expression(_ grouping: StatsGrouping) -> String {
        switch grouping {
        case .store: "store_name"
        case .agent: "agent_name"
        case .status: "call_status"
        case .verdict: "verdict"
        case .day: "substr(call_in_time, 1, 10)"
        case .month: "substr(call_in_time, 1, 7)"
        }
    }

    /// `Predicate.after` in SQL: the rows past the one whose `keys` hold `values`, for a
    /// listing ordered by `keys` with a missing value first ascending and last descending (as
    /// both dialects sort). The first key also gets a plain bound, so its index can serve the
    /// range. `bind` binds a value and returns its placeholder.
    package static func after(_ keys: [SortKey], _ values: [FieldValue], bind: (FieldValue) -> String) -> String {
        func equal(_ key: SortKey, _ value: FieldValue) -> String {
            value == .null ? "\(key.column) IS NULL" : "\(key.column) = \(bind(value))"
        }
        func beyond(_ key: SortKey, _ value: FieldValue, orEqual: Bool = false) -> String {
            let sign = (key.descending ? "<" : ">") + (orEqual ? "=" : "")
            switch (value == .null, key.descending) {
            case (true, false): return orEqual ? "TRUE" : "\(key.column) IS NOT NULL"
            case (true, true): return orEqual ? "\(key.column) IS NULL" : "FALSE"
            case (false, false): return "\(key.column) \(sign) \(bind(value))"
            case (false, true): return "(\(key.column) \(sign) \(bind(value)) OR \(key.column) IS NULL)"
            }
        }
        let pairs = Array(zip(keys, values))
        guard let first = pairs.first else { return "FALSE" }
        // Bound in the order the text reads: SQLite's `?` are positional.
        let bound = beyond(first.0, first.1, orEqual: true)
        var alternatives: [String] = []
        for index in pairs.indices {
            let ties = pairs[..<index].map { equal($0.0, $0.1) }
            alternatives.append((ties + [beyond(pairs[index].0, pairs[index].1)]).joined(separator: " AND "))
        }
        return "(" + bound + " AND (" + alternatives.joined(separator: " OR ") + "))"
    }
}
