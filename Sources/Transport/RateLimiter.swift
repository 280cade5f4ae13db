import Foundation
import Synchronization

/// A token bucket shared by every download of a run (`--limit-rate`): each chunk received
/// takes its bytes from the bucket, and a download whose chunk overdraws it waits until the
/// bucket has refilled at `bytesPerSecond`. A download that waits stops reading its socket,
/// so TCP slows the sender too. The bucket holds an eighth of a second's worth (at least
/// 16 KiB), so bursts stay short and the rate over a few seconds is the cap.
public final class RateLimiter: Sendable, CustomStringConvertible {
    public let bytesPerSecond: Int64
    private let capacity: Double
    private let state: Mutex<(tokens: Double, last: ContinuousClock.Instant)>

    public init(bytesPerSecond: Int64) {
        self.bytesPerSecond = max(1, bytesPerSecond)
        capacity = max(Double(bytesPerSecond) / 8, 16_384)
        state = Mutex((tokens: 0, last: .now))
    }

    /// Takes `bytes` (already received) and waits as long as the bucket is overdrawn; returns
    /// how long it waited (time a download's `--timeout` does not count).
    @discardableResult
    public func take(_ bytes: Int) async throws -> Duration {
        let rate = Double(bytesPerSecond)
        let wait = state.withLock { bucket -> Double in
            let now = ContinuousClock.now
            let elapsed = now - bucket.last
            let refill = (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18) * rate
            bucket.tokens = min(capacity, bucket.tokens + refill) - Double(bytes)
            bucket.last = now
            return bucket.tokens < 0 ? -bucket.tokens / rate : 0
        }
        guard wait > 0 else { return .zero }
        let pause = Duration.microseconds(Int64(wait * 1_000_000))
        try await Task.sleep(for: pause)
        return pause
    }

    /// `500K` → 512,000 bytes a second: a number with an optional K or M suffix (powers of
    /// 1024, as curl and wget read them), from 16 KiB/s up (so no single chunk waits long
    /// enough to meet the read timeout); nil for anything else.
    public static func parse(_ text: String) -> Int64? {
        let trimmed = text.trimmingCharacters(in: .whitespaces).uppercased()
        var digits = Substring(trimmed)
        var factor = 1.0
        if let last = digits.last, let multiplier = ["K": 1024.0, "M": 1_048_576.0, "G": 1_073_741_824.0][String(last)] {
            factor = multiplier
            digits = digits.dropLast()
        }
        guard let number = Double(digits), number.isFinite, number > 0 else { return nil }
        let value = number * factor
        guard value >= 16_384, value < 1e15 else { return nil }
        return Int64(value)
    }

    /// `500 KiB/s`, `1.5 MiB/s`: the cap as the progress line shows it.
    public var description: String {
        let value = Double(bytesPerSecond)
        if value >= 1_048_576 { return formatted(value / 1_048_576) + " MiB/s" }
        return formatted(value / 1024) + " KiB/s"
    }

    private func formatted(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String((value * 10).rounded() / 10)
    }
}
