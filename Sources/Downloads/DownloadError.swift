import Model

/// Why a recording download failed, and whether trying again can help.
public enum DownloadError: ClassifiedError {
    case httpStatus(status: Int, retryAfter: Double?)
    case network(reason: String)
    case shortBody(received: Int64, expected: Int64)
    case tooLarge(limit: Int64)
    case refusedRedirect(url: String, reason: String)
    case tooManyRedirects(limit: Int)
    case disk(path: String, reason: String)
    case cancelled

    public var kind: FailureKind {
        switch self {
        case let .httpStatus(status, retryAfter):
            if status == 429 { return .rateLimited(retryAfter: retryAfter) }
            return status >= 500 ? .transient : .permanent
        case .network, .shortBody:
            return .transient
        case .tooLarge, .refusedRedirect, .tooManyRedirects, .disk, .cancelled:
            return .permanent
        }
    }

    public var description: String {
        switch self {
        case let .httpStatus(status, _):
            status == 404 ? "recording not found (HTTP 404)" : "the recording server answered HTTP \(status)"
        case let .network(reason): "download failed: \(reason)"
        case let .shortBody(received, expected): "connection ended after \(received) of \(expected) bytes"
        case let .tooLarge(limit): "recording larger than --max-size (\(limit) bytes)"
        case let .refusedRedirect(url, reason): "refused redirect to \"\(url)\": \(reason)"
        case let .tooManyRedirects(limit): "more than \(limit) redirects"
        case let .disk(path, reason): "cannot write \(path): \(reason)"
        case .cancelled: "interrupted"
        }
    }
}
