import Model
import Transport

/// Why a recording download failed, and whether trying again can help.
public enum DownloadError: ClassifiedError {
    case httpStatus(status: Int, retryAfter: Double?)
    case network(reason: String)
    case shortBody(received: Int64, expected: Int64)
    case tooLarge(limit: Int64)
    case refusedRedirect(url: String, reason: String)
    case tooManyRedirects(limit: Int)
    case disk(path: String, reason: String)
    /// The body came compressed (`Content-Encoding`), though `identity` was asked for.
    case contentEncoding(String)
    /// A 206 to a request that asked for no range, or from another start than the first byte.
    case unexpectedRange(String)
    case cancelled

    public var kind: FailureKind {
        switch self {
        case let .httpStatus(status, retryAfter):
            return FailureKind(httpStatus: status, retryAfter: retryAfter)
        case .network, .shortBody, .unexpectedRange:
            return .transient
        case .tooLarge, .refusedRedirect, .tooManyRedirects, .disk, .contentEncoding, .cancelled:
            return .permanent
        }
    }

    public var httpStatus: Int? {
        if case let .httpStatus(status, _) = self { return status }
        return nil
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
        case let .contentEncoding(encoding):
            "the server sent the recording compressed (Content-Encoding: \(encoding)) though identity was asked for; not stored"
        case let .unexpectedRange(header):
            "the server answered 206 (\(header.isEmpty ? "no Content-Range" : "Content-Range: \(header)")) to a request for the whole recording"
        case .cancelled: "interrupted"
        }
    }
}
