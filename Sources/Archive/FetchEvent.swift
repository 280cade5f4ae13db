import Model

/// What a fetch run reports while it works; the CLI turns these into the seed's display,
/// a progress bar or plain lines.
public enum FetchEvent: Sendable {
    /// The API's calls for an order.
    case metadata(order: OrderID, calls: [CallInfo])
    /// A recording download begins.
    case downloadStarted(order: OrderID, callIndex: Int)
    case progress(order: OrderID, callIndex: Int, bytes: Int64, total: Int64?)
    /// An attempt failed and another follows after `wait` seconds.
    case retrying(order: OrderID, callIndex: Int?, attempt: Int, reason: String, wait: Double)
    /// A call reached its final state for this run.
    case callFinished(CallOutcome)
    /// An order was not asked for again: all its calls are valid and present.
    case orderSkipped(order: OrderID, calls: Int)
}

/// How one call ended.
public struct CallOutcome: Sendable {
    public let record: CallRecord
    /// The file as the user sees it (`downloads/E8ZQCJ.mp3`), when there is one.
    public let displayPath: String?
    public let quarantined: Bool
    /// The offset a download resumed from with `Range`, if any.
    public let resumedFrom: Int64?
    /// Another process fetched this call while this one waited for it.
    public let skipped: Bool

    public init(record: CallRecord, displayPath: String?, quarantined: Bool, resumedFrom: Int64? = nil, skipped: Bool = false) {
        self.record = record
        self.displayPath = displayPath
        self.quarantined = quarantined
        self.resumedFrom = resumedFrom
        self.skipped = skipped
    }
}

/// Totals of a fetch run (`--json` prints this; its JSON is below).
public struct FetchSummary: Sendable, Equatable {
    public var orders = 0
    public var calls = 0
    public var valid = 0
    public var skipped = 0
    public var quarantined = 0
    /// Calls by final verdict, `valid` included.
    public var verdicts: [String: Int] = [:]
    /// Failed calls by reason (`verdict_detail`).
    public var failures: [String: Int] = [:]
    public var bytes: Int64 = 0
    public var seconds: Double = 0
    public var resumed = 0

    public init() {}

    /// True when every call ended valid, had no recording, or was skipped as already valid.
    public var succeeded: Bool {
        verdicts.allSatisfy { $0.key == Verdict.valid.rawValue || $0.key == Verdict.noRecording.rawValue }
    }

    mutating func add(_ outcome: CallOutcome) {
        if outcome.skipped {
            skipped += 1
            return
        }
        calls += 1
        let verdict = outcome.record.verdict
        verdicts[verdict.rawValue, default: 0] += 1
        if verdict == .valid {
            valid += 1
            bytes += outcome.record.fileSize ?? 0
        } else if verdict != .noRecording {
            failures[Self.reason(outcome.record), default: 0] += 1
        }
        if outcome.quarantined { quarantined += 1 }
        if outcome.resumedFrom != nil { resumed += 1 }
    }

    /// A short reason for grouping failures: the verdict, and for `failed` its detail.
    static func reason(_ record: CallRecord) -> String {
        record.verdict == .failed ? record.verdictDetail : record.verdict.rawValue
    }
}

/// `fetch --json` (docs/reports.md, "JSON"): snake_case keys, `seconds` to the millisecond,
/// and `failures` as `[{"reason": …, "count": …}]`, most frequent first, so that no key is free text.
extension FetchSummary: Encodable {
    private enum CodingKeys: String, CodingKey {
        case orders, calls, valid, skipped, quarantined, verdicts, failures, bytes, seconds, resumed
    }

    private struct Failure: Encodable {
        let reason: String
        let count: Int
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(orders, forKey: .orders)
        try container.encode(calls, forKey: .calls)
        try container.encode(valid, forKey: .valid)
        try container.encode(skipped, forKey: .skipped)
        try container.encode(quarantined, forKey: .quarantined)
        try container.encode(verdicts, forKey: .verdicts)
        let failures = failures.sorted { $0.value > $1.value || ($0.value == $1.value && $0.key < $1.key) }
        try container.encode(failures.map { Failure(reason: $0.key, count: $0.value) }, forKey: .failures)
        try container.encode(bytes, forKey: .bytes)
        try container.encode(seconds.roundedToMilliseconds, forKey: .seconds)
        try container.encode(resumed, forKey: .resumed)
    }
}
