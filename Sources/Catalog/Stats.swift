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

    /// Mean longest silence ("dead air") over the calls with audio metrics.
    public var meanDeadAirSeconds: Double = 0
    /// Calls whose longest silence is `deadAirSeconds` or more.
    public var deadAirCalls = 0
    /// Calls with at least one clipped sample.
    public var clippedCalls = 0

    /// The dead air that makes a call count in `deadAirCalls`, seconds.
    public static let deadAirSeconds = 10

    /// The verdicts counted apart, in docs/contract.md §6 order: every one but `valid`.
    public static let notValidVerdicts = Verdict.allCases.filter { $0 != .valid }

    /// The names of `figures`, as CSV headers and JSON keys.
    public static let figureNames = ["calls", "valid", "not_valid"] + notValidVerdicts.map(\.rawValue)
        + ["audio_seconds", "mean_audio_seconds", "call_seconds", "short_recordings"]
        + ["mean_dead_air_seconds", "dead_air_calls", "clipped_calls"]

    /// Calls whose verdict is not `valid`.
    public var notValid: Int { invalid.values.reduce(0, +) }

    /// Every figure as a number, in `figureNames` order: what a spreadsheet adds up.
    public var figures: [FieldValue] {
        [.integer(Int64(calls)), .integer(Int64(valid)), .integer(Int64(notValid))]
            + Self.notValidVerdicts.map { .integer(Int64(invalid[$0.rawValue] ?? 0)) }
            + [.real(audioSeconds), .real(meanAudioSeconds), .real(callSeconds), .integer(Int64(shortRecordings))]
            + [.real(meanDeadAirSeconds), .integer(Int64(deadAirCalls)), .integer(Int64(clippedCalls))]
    }
}

extension StatsRow {
    /// A row from the figures a catalog's statement computed, in this order: calls, valid, one
    /// count per `notValidVerdicts`, total audio seconds, total call seconds, short recordings,
    /// mean audio seconds, then `PortableSQL.metricFigures`' three (NULL counts as 0).
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
        meanDeadAirSeconds = number(base + 4)
        deadAirCalls = Int(number(base + 5))
        clippedCalls = Int(number(base + 6))
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

    /// A call with dead air (`StatsRow.deadAirCalls`) and a clipped call, as conditions.
    package static let deadAir = "longest_silence_seconds >= \(StatsRow.deadAirSeconds)"
    package static let clipped = "clipped_samples > 0"

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
}
