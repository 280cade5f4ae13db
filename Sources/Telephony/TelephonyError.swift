import Model
import Transport

/// Why the API could not give an order's calls, or a recording URL was refused.
public enum TelephonyError: ClassifiedError {
    case notFound(order: OrderID)
    case httpStatus(order: OrderID, status: Int, retryAfter: Double?)
    case invalidResponse(order: OrderID, reason: String)
    case network(order: OrderID, reason: String)
    case invalidAPIURL(String)
    case refusedURL(url: String, reason: String)

    public var kind: FailureKind {
        switch self {
        case let .httpStatus(_, status, retryAfter):
            return FailureKind(httpStatus: status, retryAfter: retryAfter)
        case .network:
            return .transient
        case .notFound, .invalidResponse, .invalidAPIURL, .refusedURL:
            return .permanent
        }
    }

    public var httpStatus: Int? {
        switch self {
        case .notFound: 404
        case let .httpStatus(_, status, _): status
        case .invalidResponse, .network, .invalidAPIURL, .refusedURL: nil
        }
    }

    public var description: String {
        switch self {
        case let .notFound(order): "order \(order) not found (HTTP 404)"
        case let .httpStatus(order, status, _): "the API answered HTTP \(status) for order \(order)"
        case let .invalidResponse(order, reason): "invalid API response for order \(order): \(reason)"
        case let .network(order, reason): "could not reach the API for order \(order): \(reason)"
        case let .invalidAPIURL(url): "invalid API URL \"\(url)\": use an absolute http(s) URL"
        case let .refusedURL(url, reason): "refused recording URL \"\(url)\": \(reason)"
        }
    }
}
