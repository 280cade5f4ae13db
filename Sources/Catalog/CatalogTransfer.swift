import Model

/// What `catalog copy` and `catalog info` need of a catalog beyond `Catalog`: rows in key order
/// `(order_id, call_index)`, whole orders at a time with their attempts, written in one
/// transaction each, and figures about the catalog itself. Both backends speak it, so a copy
/// goes from any catalog to any other (docs/scale-out.md, "Moving a catalog").
public protocol TransferableCatalog: Catalog {
    /// The calls of the next orders after `order` (nil: from the first), in key order: the
    /// first `limit` calls, then the rest of the last order's calls, so an order is never split;
    /// and every attempt of those orders by `(order_id, id)`. When no call is left, every
    /// remaining attempt (of orders with no call row).
    func batch(after order: String?, limit: Int) async throws(CatalogError) -> CatalogBatch

    /// Inserts a batch's calls and attempts in one transaction: all of it, or none. A call that
    /// is already there fails the whole batch.
    func append(_ batch: CatalogBatch) async throws(CatalogError)

    /// The greatest order id among the calls and attempts: where a copy into this catalog stopped.
    func lastOrder() async throws(CatalogError) -> String?

    /// Every call with `order_id <= through` (nil: every call) in key order, then every attempt
    /// of those orders in `(order_id, id)` order: what a copy's checksum reads.
    func forEachInKeyOrder(
        through: String?, calls: @escaping (CallRecord) throws -> Void, attempts: @escaping (DownloadAttempt) throws -> Void
    ) async throws(CatalogError)

    /// The number of rows in `attempts`.
    func attemptCount() async throws(CatalogError) -> Int

    /// Bytes the catalog takes: the file and its WAL on disk, or its tables in the server.
    func storageBytes() async throws(CatalogError) -> Int64
}

/// Whole orders' calls and attempts, read from one catalog to be appended to another.
public struct CatalogBatch: Sendable {
    public var calls: [CallRecord]
    public var attempts: [DownloadAttempt]

    public init(calls: [CallRecord], attempts: [DownloadAttempt]) {
        self.calls = calls
        self.attempts = attempts
    }

    /// The greatest order id in the batch (calls come in key order; attempts in order id order).
    public var lastOrder: String? {
        [calls.last?.orderID, attempts.last?.orderID].compactMap { $0 }.max()
    }
}

/// The SQL both dialects share for a copy's reads, with `?` placeholders.
package enum TransferSQL {
    package static let attemptColumns = "order_id, call_index, stage, started_at, http_status, bytes, range_start, error"

    /// The calls of the orders that hold the first `limit` calls after a cursor: bind the
    /// cursor twice (when there is one), then the limit.
    package static func batchCalls(selection: String, hasCursor: Bool) -> String {
        let after = hasCursor ? "order_id > ?" : "1 = 1"
        return "SELECT \(selection) FROM calls WHERE \(after) AND order_id <= (SELECT MAX(order_id) FROM "
            + "(SELECT order_id FROM calls WHERE \(after) ORDER BY order_id, call_index LIMIT ?) AS head) ORDER BY order_id, call_index"
    }

    /// Attempts of orders in `(cursor, last]`; without `last`, every attempt after the cursor.
    package static func batchAttempts(hasCursor: Bool, hasLast: Bool) -> String {
        let conditions = (hasCursor ? ["order_id > ?"] : []) + (hasLast ? ["order_id <= ?"] : [])
        let filter = conditions.isEmpty ? "" : " WHERE " + conditions.joined(separator: " AND ")
        return "SELECT \(attemptColumns) FROM attempts\(filter) ORDER BY order_id, id"
    }

    /// The values `batchCalls` binds.
    package static func callArguments(after order: String?, limit: Int) -> [FieldValue] {
        (order.map { [FieldValue.text($0), .text($0)] } ?? []) + [.integer(Int64(limit))]
    }

    /// The values `batchAttempts` binds.
    package static func attemptArguments(after order: String?, through last: String?) -> [FieldValue] {
        [order, last].compactMap { $0 }.map { .text($0) }
    }

    /// Calls, then attempts, of orders up to `through` (nil: all), in key order.
    package static func keyOrder(selection: String, hasThrough: Bool) -> (calls: String, attempts: String) {
        let filter = hasThrough ? " WHERE order_id <= ?" : ""
        return ("SELECT \(selection) FROM calls\(filter) ORDER BY order_id, call_index",
                "SELECT \(attemptColumns) FROM attempts\(filter) ORDER BY order_id, id")
    }

    package static let lastOrderSQL = "SELECT MAX(o) FROM (SELECT MAX(order_id) AS o FROM calls UNION ALL SELECT MAX(order_id) FROM attempts) AS m"
}

extension DownloadAttempt {
    /// An attempt from the values of `TransferSQL.attemptColumns`, as either database returns them.
    package init(transferValues values: [FieldValue]) {
        self.init(
            orderID: String(fieldValue: values[0]), callIndex: Int?(fieldValue: values[1]),
            stage: Stage(rawValue: String(fieldValue: values[2])) ?? .recording, startedAt: String(fieldValue: values[3]),
            httpStatus: Int?(fieldValue: values[4]), bytes: Int64(fieldValue: values[5]), rangeStart: Int64?(fieldValue: values[6]),
            error: String?(fieldValue: values[7])
        )
    }

    /// Its values in `TransferSQL.attemptColumns` order.
    package var transferValues: [FieldValue] {
        [
            .text(orderID), callIndex.fieldValue, .text(stage.rawValue), .text(startedAt),
            httpStatus.fieldValue, .integer(bytes), rangeStart.fieldValue, error.fieldValue,
        ]
    }
}
