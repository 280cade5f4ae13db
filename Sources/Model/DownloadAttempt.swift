/// One HTTP attempt made for an order: the metadata request or a recording download.
public struct DownloadAttempt: Sendable, Equatable, Codable {
    public enum Stage: String, Sendable, Codable {
        case metadata
        case recording
    }

    public var orderID: String
    /// Nil for the metadata request, which concerns the whole order.
    public var callIndex: Int?
    public var stage: Stage
    public var startedAt: String
    public var httpStatus: Int?
    public var bytes: Int64
    /// The first byte asked for when the attempt resumed a partial file with `Range`.
    public var rangeStart: Int64?
    /// Nil when the attempt succeeded.
    public var error: String?

    public enum CodingKeys: String, CodingKey {
        case orderID = "order_id"
        case callIndex = "call_index"
        case stage
        case startedAt = "started_at"
        case httpStatus = "http_status"
        case bytes
        case rangeStart = "range_start"
        case error
    }

    public init(
        orderID: String, callIndex: Int?, stage: Stage, startedAt: String, httpStatus: Int? = nil,
        bytes: Int64 = 0, rangeStart: Int64? = nil, error: String? = nil
    ) {
        self.orderID = orderID
        self.callIndex = callIndex
        self.stage = stage
        self.startedAt = startedAt
        self.httpStatus = httpStatus
        self.bytes = bytes
        self.rangeStart = rangeStart
        self.error = error
    }
}
