import Model

extension FailureKind {
    /// docs/contract.md §1 for an answer other than success: 429 waits (`retryAfter`, else
    /// backoff), 5xx is retried, every other status is permanent.
    public init(httpStatus status: Int, retryAfter: Double?) {
        if status == 429 {
            self = .rateLimited(retryAfter: retryAfter)
        } else {
            self = status >= 500 ? .transient : .permanent
        }
    }
}
