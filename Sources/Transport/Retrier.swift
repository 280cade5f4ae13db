import Foundation
import Model

/// docs/contract.md §1 retry policy: exponential backoff with full jitter for transient failures,
/// `Retry-After` for 429 (pausing every worker that talks to that host), nothing for the rest.
public struct RetryPolicy: Sendable {
    /// Extra attempts after the first.
    public var retries: Int
    public var baseDelay: Double
    public var factor: Double
    /// A 429 asking for a longer wait than this fails the item.
    public var maxRetryWait: Double

    public init(retries: Int = 3, baseDelay: Double = 1, factor: Double = 2, maxRetryWait: Double = 120) {
        self.retries = retries
        self.baseDelay = baseDelay
        self.factor = factor
        self.maxRetryWait = maxRetryWait
    }

    /// Full jitter: a random wait between 0 and base × factor^attempt (attempt counts from 0).
    public func backoff(afterAttempt attempt: Int) -> Double {
        let ceiling = min(baseDelay * pow(factor, Double(attempt)), maxRetryWait)
        return Double.random(in: 0...max(ceiling, 0))
    }
}

/// Per-host pauses shared by all workers of a run: when one is told 429, all wait.
public actor HostGate {
    private var pausedUntil: [String: ContinuousClock.Instant] = [:]

    public init() {}

    public func pause(host: String, seconds: Double) {
        let until = ContinuousClock.now + .milliseconds(Int64(seconds * 1000))
        if let current = pausedUntil[host], current >= until { return }
        pausedUntil[host] = until
    }

    /// Sleeps until `host` is no longer paused.
    public func wait(host: String) async throws {
        while let until = pausedUntil[host], until > ContinuousClock.now {
            try await Task.sleep(until: until, clock: .continuous)
        }
    }
}

/// What happened to one failed attempt, for progress reports.
public struct RetryNotice: Sendable {
    public let attempt: Int
    public let error: any ClassifiedError
    /// Seconds until the next attempt, or nil when there will be none.
    public let retryIn: Double?
}

/// Runs an operation under a `RetryPolicy` and a `HostGate`.
public struct Retrier: Sendable {
    public let policy: RetryPolicy
    public let gate: HostGate

    public init(policy: RetryPolicy, gate: HostGate = HostGate()) {
        self.policy = policy
        self.gate = gate
    }

    /// Calls `operation` (with the attempt number, from 1) until it succeeds, fails
    /// permanently or runs out of retries. Errors other than `ClassifiedError` are not retried.
    public func run<T>(
        host: String,
        onFailure: (RetryNotice) -> Void = { _ in },
        _ operation: (Int) async throws -> T
    ) async throws -> T {
        var attempt = 1
        while true {
            try await gate.wait(host: host)
            do {
                return try await operation(attempt)
            } catch let error as any ClassifiedError {
                // A cancelled transfer surfaces as a transport error: never retry it.
                try Task.checkCancellation()
                let wait: Double?
                switch error.kind {
                case .permanent:
                    wait = nil
                case .transient:
                    wait = attempt <= policy.retries ? policy.backoff(afterAttempt: attempt - 1) : nil
                case .rateLimited(let retryAfter):
                    let asked = retryAfter ?? policy.backoff(afterAttempt: attempt - 1)
                    if asked > policy.maxRetryWait {
                        onFailure(RetryNotice(attempt: attempt, error: error, retryIn: nil))
                        throw RateLimitTooLong(cause: error, wait: asked, limit: policy.maxRetryWait)
                    }
                    wait = attempt <= policy.retries ? asked : nil
                    if let wait { await gate.pause(host: host, seconds: wait) }
                }
                onFailure(RetryNotice(attempt: attempt, error: error, retryIn: wait))
                guard let wait else { throw error }
                if case .rateLimited = error.kind {
                    try await gate.wait(host: host)
                } else {
                    try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                }
                attempt += 1
            }
        }
    }
}

/// A 429 whose `Retry-After` exceeds `--max-retry-wait`.
public struct RateLimitTooLong: ClassifiedError {
    public let cause: any ClassifiedError
    public let wait: Double
    public let limit: Double
    public var kind: FailureKind { .permanent }
    public var httpStatus: Int? { cause.httpStatus }
    public var description: String {
        "\(cause.description); the server asked to wait \(Int(wait.rounded())) s, more than --max-retry-wait \(Int(limit)) s"
    }
}
