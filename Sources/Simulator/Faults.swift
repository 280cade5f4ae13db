/// A failure the simulator can inject for an order, for tests and demos.
public enum FaultKind: String, CaseIterable, Sendable {
    /// Metadata: 404 (permanent).
    case notFound = "404"
    /// Metadata: 500 (transient: only the first `times` requests).
    case serverError = "500"
    /// Metadata: 429 with `Retry-After` (transient).
    case rateLimited = "429"
    /// Metadata: a body that is not JSON (permanent).
    case badJSON = "bad-json"
    /// Metadata: `recording_url` empty (the call has no recording).
    case noRecording = "no-recording"
    /// Metadata: a `file:` recording URL, which must never be requested.
    case fileURL = "file-url"
    /// Metadata: the recording URL names `localhost` instead of the API's `127.0.0.1`.
    case otherHost = "other-host"
    /// Recording: 500 (transient).
    case recordingError = "rec-500"
    /// Recording: 404 (permanent).
    case recordingNotFound = "rec-404"
    /// Recording: the connection is dropped half way through the body (transient).
    case reset
    /// Recording: the server's copy is cut in half, with a matching Content-Length (permanent).
    case truncated
    /// Recording: an HTML error page served with status 200 (permanent).
    case html
    /// Recording: the body trickles out in small, delayed chunks.
    case slow
    /// Recording: one 302 to the same recording (followed).
    case redirect
    /// Recording: 302s without end (more than the 5 allowed).
    case redirectLoop = "redirect-loop"
    /// Recording: a 302 to a `file:` URL (refused).
    case redirectFile = "redirect-file"
    /// Recording: one 302 to the same recording at `localhost`, another origin than the API's
    /// `127.0.0.1` (followed, without the token).
    case redirectOtherHost = "redirect-other-host"
    /// Metadata: store and agent names with commas, quotes, a newline and formula-like text.
    case oddNames = "odd-names"
    /// Recording: a three-and-a-half-hour call, about 50 MB (memory benchmarks).
    case long

    /// Whether the fault stops after a number of requests by default.
    var isTransient: Bool {
        switch self {
        case .serverError, .rateLimited, .recordingError, .reset: true
        default: false
        }
    }

    /// Faults that `--faults RATE` draws from, with weights.
    static let randomPool: [(FaultKind, Int)] = [
        (.serverError, 20), (.rateLimited, 10), (.reset, 20), (.recordingError, 10), (.slow, 10),
        (.notFound, 8), (.truncated, 8), (.html, 7), (.noRecording, 7),
    ]
}

/// A fault for one order: which, and for how many requests (nil: every request).
public struct FaultRule: Sendable, Equatable {
    public var kind: FaultKind
    public var times: Int?

    public init(kind: FaultKind, times: Int? = nil) {
        self.kind = kind
        self.times = times ?? (kind.isTransient ? 1 : nil)
    }

    /// Parses `KIND` or `KIND:TIMES` (e.g. `500:2`, `reset`, `html`).
    public init?(_ text: String) {
        let parts = text.split(separator: ":", maxSplits: 1)
        guard let first = parts.first, let kind = FaultKind(rawValue: String(first)) else { return nil }
        if parts.count == 2 {
            guard let times = Int(parts[1]), times >= 0 else { return nil }
            self.init(kind: kind, times: times)
        } else {
            self.init(kind: kind)
        }
    }

    /// The rule `--faults RATE` gives an order, if any (deterministic per id).
    static func random(for order: String, rate: Double) -> FaultRule? {
        var seed = Seed(order, "fault")
        guard rate > 0, seed.unit() < rate else { return nil }
        var roll = Int(seed.next() % UInt64(FaultKind.randomPool.reduce(0) { $0 + $1.1 }))
        for (kind, weight) in FaultKind.randomPool {
            if roll < weight {
                return FaultRule(kind: kind, times: kind.isTransient ? 1 + Int(seed.next() % 2) : nil)
            }
            roll -= weight
        }
        return nil
    }
}
