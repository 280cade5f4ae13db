import Model

/// How `stats` groups calls; the times (day, week, month, hour, weekday) are local, in the
/// query's zones.
public enum StatsGrouping: String, Sendable, CaseIterable {
    case store, agent, status, verdict, day, month, week, hour, weekday

    /// A group's name from the value the catalog grouped by: weekdays by name, a missing
    /// value empty.
    package func label(_ value: FieldValue) -> String {
        if self == .weekday, case .integer(let day) = value, (1...7).contains(day) {
            return String(LocalTimeFields.weekdays[Int(day) - 1].prefix(3))
        }
        return String(fieldValue: value)
    }
}

/// One line of `stats`: a group (or the totals) and its figures.
public struct StatsRow: Sendable, Equatable {
    public var group: String
    /// The group within `group` when stats are grouped two ways (`--by store,agent`).
    public var subgroup: String?
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

    /// Calls whose `call_status` contains "abandon" (any case).
    public var abandoned = 0
    /// Local days from the group's first call to its last, both counted (0 without times).
    public var days = 0
    /// Median and 90th percentile of audio seconds over the calls that have audio (0 when
    /// none has), interpolated between neighbouring calls as `percentile_cont` does.
    public var medianAudioSeconds = 0.0
    public var p90AudioSeconds = 0.0

    public var abandonedPercent: Double { calls == 0 ? 0 : Double(abandoned) * 100 / Double(calls) }
    public var callsPerDay: Double { days == 0 ? 0 : Double(calls) / Double(days) }
    /// Mean longest silence ("dead air") over the calls with audio metrics.
    public var meanDeadAirSeconds: Double = 0
    /// Calls whose longest silence is `deadAirSeconds` or more.
    public var deadAirCalls = 0
    /// Calls with at least one clipped sample.
    public var clippedCalls = 0

    /// The dead air that makes a call count in `deadAirCalls`, seconds.
    public static let deadAirSeconds = 10
    public var deadAirPercent: Double { calls == 0 ? 0 : Double(deadAirCalls) * 100 / Double(calls) }

    /// The verdicts counted apart, in docs/contract.md §6 order: every one but `valid`.
    public static let notValidVerdicts = Verdict.allCases.filter { $0 != .valid }

    /// The names of `figures`, as CSV headers and JSON keys.
    public static let figureNames = ["calls", "valid", "not_valid"] + notValidVerdicts.map(\.rawValue)
        + ["audio_seconds", "mean_audio_seconds", "call_seconds", "short_recordings"]
        + ["abandoned", "abandoned_percent", "median_audio_seconds", "p90_audio_seconds", "days", "calls_per_day"]
        + ["mean_dead_air_seconds", "dead_air_calls", "dead_air_percent", "clipped_calls"]

    /// Calls whose verdict is not `valid`.
    public var notValid: Int { invalid.values.reduce(0, +) }

    /// Every figure as a number, in `figureNames` order: what a spreadsheet adds up.
    public var figures: [FieldValue] {
        [.integer(Int64(calls)), .integer(Int64(valid)), .integer(Int64(notValid))]
            + Self.notValidVerdicts.map { .integer(Int64(invalid[$0.rawValue] ?? 0)) }
            + [.real(audioSeconds), .real(meanAudioSeconds), .real(callSeconds), .integer(Int64(shortRecordings))]
            + [.integer(Int64(abandoned)), .real(abandonedPercent), .real(medianAudioSeconds), .real(p90AudioSeconds)]
            + [.integer(Int64(days)), .real(callsPerDay)]
            + [.real(meanDeadAirSeconds), .integer(Int64(deadAirCalls)), .real(deadAirPercent), .integer(Int64(clippedCalls))]
    }
}

extension StatsRow {
    /// A row from the figures a catalog's statement computed, in this order: calls, valid, one
    /// count per `notValidVerdicts`, total audio seconds, total call seconds, short recordings,
    /// mean audio seconds, the audio metrics' three (mean dead air, dead-air calls, clipped calls),
    /// then, when rates were asked for, abandoned calls, the first and the last local day (NULL
    /// counts as 0).
    package init(group: String, subgroup: String? = nil, computed figures: ArraySlice<FieldValue>) {
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
        self.subgroup = subgroup
        meanDeadAirSeconds = number(base + 4)
        deadAirCalls = Int(number(base + 5))
        clippedCalls = Int(number(base + 6))
        abandoned = Int(number(base + 7))
        let (first, last) = (figures.startIndex + base + 8, figures.startIndex + base + 9)
        if last < figures.endIndex, figures[first] != .null { days = Int(number(base + 9) - number(base + 8)) + 1 }
    }

    /// Fills in the median and 90th percentile from the audio seconds of the group's calls.
    package mutating func setPercentiles(_ seconds: [Double]) {
        let sorted = seconds.sorted()
        medianAudioSeconds = Self.percentile(sorted, 0.5)
        p90AudioSeconds = Self.percentile(sorted, 0.9)
    }

    /// The `fraction` percentile of sorted values, interpolated linearly between the two
    /// nearest ranks; 0 for no values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return 0 }
        let rank = fraction * Double(sorted.count - 1)
        let below = Int(rank.rounded(.down))
        guard below + 1 < sorted.count else { return sorted[below] }
        return sorted[below] + (sorted[below + 1] - sorted[below]) * (rank - Double(below))
    }
}

/// SQL text that reads the same in every catalog's dialect.
package enum PortableSQL {
    /// Text columns whose distinct values each catalog lists in `field_values` (SQLite 0002,
    /// PostgreSQL 0006), so a substring filter on them is matched against the values first.
    package static let listedColumns: Set<String> = ["store_name", "store_code", "agent_name", "call_status"]

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

    /// A call with dead air (`StatsRow.deadAirCalls`) and a clipped call, as conditions.
    package static let deadAir = "longest_silence_seconds >= \(StatsRow.deadAirSeconds)"
    package static let clipped = "clipped_samples > 0"

    /// The figures `stats` adds after the counts (`StatsRow.init(group:subgroup:computed:)`):
    /// abandoned calls, then the first and last local day. `count` is the dialect's count of
    /// rows matching a condition, `status` the call status with ASCII letters in any case
    /// matching `LIKE`'s lower-case pattern, `day` the local day (built twice, in order).
    package static func rateFigures(count: (String) -> String, status: String, day: () -> String) -> String {
        let first = day()
        return "\(count("\(status) LIKE '%abandon%'")), MIN(\(first)), MAX(\(day()))"
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

/// Builds `stats` rows from what a catalog's statements return (`statsStatements`): the
/// group rows (names first), the totals row, and each call's audio seconds after its group's
/// names, from which the percentiles come. Both catalogs share it, so they count alike.
package struct StatsAssembler {
    let groupings: [StatsGrouping]
    private var rows: [StatsRow] = []
    private var totals: StatsRow?
    private var audio: [[String]: [Double]] = [:]
    private var allAudio: [Double] = []

    package init(groupings: [StatsGrouping]) { self.groupings = groupings }

    private func names(_ values: [FieldValue]) -> [String] {
        zip(groupings, values).map { $0.label($1) }
    }

    package mutating func addGroup(_ values: [FieldValue]) {
        let names = names(values)
        rows.append(StatsRow(group: names[0], subgroup: names.count > 1 ? names[1] : nil, computed: values[groupings.count...]))
    }

    package mutating func addTotals(_ values: [FieldValue]) {
        totals = StatsRow(group: "TOTAL", computed: values[...])
    }

    package mutating func addAudio(_ values: [FieldValue]) {
        guard case .real(let seconds) = values[groupings.count] else { return }
        allAudio.append(seconds)
        if !groupings.isEmpty { audio[names(values), default: []].append(seconds) }
    }

    /// The groups in the catalog's order, then the totals.
    package func result() -> [StatsRow] {
        var result = rows.map { row in
            var row = row
            row.setPercentiles(audio[[row.group] + (row.subgroup.map { [$0] } ?? [])] ?? [])
            return row
        }
        if var totals {
            totals.setPercentiles(allAudio)
            result.append(totals)
        }
        return result
    }
}
