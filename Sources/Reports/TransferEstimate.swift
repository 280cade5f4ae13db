/// Time left in a bulk fetch, from bytes and the transfer rate rather than from finished
/// calls: one long recording still downloading keeps the estimate honest.
public struct TransferEstimate: Sendable {
    /// Bytes of each recording being downloaded, and its size when the server announced it.
    public var inFlight: [(bytes: Int64, total: Int64?)] = []
    public var finishedCalls = 0
    /// Bytes of the recordings already downloaded in this run.
    public var finishedBytes: Int64 = 0
    /// Calls not started yet, whose sizes are guessed as the mean of those seen.
    public var callsNotStarted = 0

    public init() {}

    /// Seconds left at the rate so far, or nil while there is nothing to base it on.
    public func secondsLeft(elapsed: Double) -> Double? {
        let received = finishedBytes + inFlight.reduce(0) { $0 + $1.bytes }
        guard elapsed > 0, received > 0 else { return nil }
        let known = inFlight.compactMap(\.total)
        let sizes = finishedCalls + known.count
        guard sizes > 0 else { return nil }
        let mean = Double(finishedBytes + known.reduce(0, +)) / Double(sizes)
        let inFlightLeft = inFlight.reduce(0.0) { $0 + max(0, ($1.total.map(Double.init) ?? mean) - Double($1.bytes)) }
        let left = inFlightLeft + Double(max(0, callsNotStarted)) * mean
        return left / (Double(received) / elapsed)
    }

    /// `m:ss`, or `--:--` when unknown.
    public static func clock(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds < 360_000 else { return "--:--" }
        let whole = Int(seconds.rounded(.up))
        return "\(whole / 60):" + (whole % 60 < 10 ? "0" : "") + "\(whole % 60)"
    }
}
