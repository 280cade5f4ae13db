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
    /// Recording: 403 (permanent).
    case recordingForbidden = "rec-403"
    /// Recording: 410 (permanent).
    case recordingGone = "rec-410"
    /// Recording: one 301 to the same recording (followed).
    case redirect301 = "redirect-301"
    /// Recording: one 303 to the same recording (followed).
    case redirect303 = "redirect-303"
    /// Recording: one 307 to the same recording (followed).
    case redirect307 = "redirect-307"
    /// Recording: one 308 to the same recording (followed).
    case redirect308 = "redirect-308"
    /// Recording: a `Range` request is answered 200 with the whole body, as by a server
    /// without range support.
    case ignoreRange = "ignore-range"
    /// Recording: a `Range` request is answered 206 from half the asked offset (the wrong start),
    /// and a request without `Range` 206 with the whole body (`bytes 0-…`), as some CDNs do.
    case wrongRange = "wrong-range"
    /// Recording: a chunked body without `Content-Length`.
    case chunked
    /// Recording: the first answer is an older, longer version of the recording, cut half way;
    /// later answers are the current one (the content changed between two requests).
    case changed
    /// Recording: `Content-Length` 4096 bytes more than the body, and the connection closes
    /// after the body (transient).
    case shortBody = "short-body"
    /// Recording: after 16 KiB, three small pieces trickle out `lorisDelay` apart (longer than
    /// a short `--read-timeout`), then the rest (transient).
    case slowLoris = "slow-loris"
    /// Recording: gzip-compressed, with `Content-Encoding: gzip`.
    case gzip
    /// Metadata: a 302 to the same order's metadata (must not be followed).
    case metadataRedirect = "meta-redirect"
    /// Metadata: a 200 body of 9 MiB, over the client's 8 MiB cap.
    case hugeJSON = "huge-json"
    /// Metadata: a recording URL carrying a terminal escape sequence (refused, never shown raw).
    case escapeURL = "escape-url"
    /// Metadata: store, agent and status names carrying terminal escape sequences.
    case escapeNames = "escape-names"

    /// Whether the fault stops after a number of requests by default.
    var isTransient: Bool {
        switch self {
        case .serverError, .rateLimited, .recordingError, .reset, .changed, .shortBody, .slowLoris: true
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
