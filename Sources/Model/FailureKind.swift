/// How a failed network exchange should be handled (docs/contract.md §1 retry rules).
public enum FailureKind: Sendable, Equatable {
    /// 5xx, connection errors, resets, timeouts, short bodies: retry with backoff.
    case transient
    /// 429: wait `retryAfter` seconds (or back off when the server did not say), pausing the host.
    case rateLimited(retryAfter: Double?)
    /// 404, other 4xx, refused URLs, invalid responses: never retried.
    case permanent
}

/// An error that knows whether trying again can help.
public protocol ClassifiedError: Error, Sendable, CustomStringConvertible {
    var kind: FailureKind { get }
    /// The HTTP status the server answered, when the failure is one; recorded with the attempt.
    var httpStatus: Int? { get }
}
