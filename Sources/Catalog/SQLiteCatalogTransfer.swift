import Foundation
import GRDB
import Model

/// `catalog copy` and `catalog info` on SQLite.
extension SQLiteCatalog: TransferableCatalog {
    public func batch(after order: String?, limit: Int) async throws(CatalogError) -> CatalogBatch {
        try await read { db in
            var batch = CatalogBatch(calls: [], attempts: [])
            let calls = TransferSQL.batchCalls(selection: CallRows.selection, hasCursor: order != nil)
            try Self.eachRow(calls, Self.arguments(TransferSQL.callArguments(after: order, limit: limit)), in: db) {
                batch.calls.append(CallRecord(columnValues: $0))
            }
            let last = batch.calls.last?.orderID
            let attempts = TransferSQL.batchAttempts(hasCursor: order != nil, hasLast: last != nil)
            try Self.eachRow(attempts, Self.arguments(TransferSQL.attemptArguments(after: order, through: last)), in: db) {
                batch.attempts.append(DownloadAttempt(transferValues: $0))
            }
            return batch
        }
    }

    public func append(_ batch: CatalogBatch) async throws(CatalogError) {
        try await write { db in
            for start in stride(from: 0, to: batch.calls.count, by: 500) {
                let chunk = batch.calls[start..<min(batch.calls.count, start + 500)]
                try db.cachedStatement(sql: CallRows.insert(rows: chunk.count)).execute(arguments: CallRows.arguments(chunk))
            }
            for attempt in batch.attempts { try attempt.insert(db) }
        }
    }

    public func lastOrder() async throws(CatalogError) -> String? {
        try await read { db in try String.fetchOne(db, sql: TransferSQL.lastOrderSQL) }
    }

    public func forEachInKeyOrder(
        through: String?, calls: @escaping (CallRecord) throws -> Void, attempts: @escaping (DownloadAttempt) throws -> Void
    ) async throws(CatalogError) {
        // One read: both tables from the same snapshot.
        try await read { db in
            let sql = TransferSQL.keyOrder(selection: CallRows.selection, hasThrough: through != nil)
            let arguments = Self.arguments([through].compactMap { $0 }.map { .text($0) })
            try Self.eachRow(sql.calls, arguments, in: db) { try calls(CallRecord(columnValues: $0)) }
            try Self.eachRow(sql.attempts, arguments, in: db) { try attempts(DownloadAttempt(transferValues: $0)) }
        }
    }

    public func attemptCount() async throws(CatalogError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM attempts") ?? 0 }
    }

    /// The file and its WAL.
    public func storageBytes() async throws(CatalogError) -> Int64 {
        [path, path + "-wal"].reduce(0) { total, file in
            total + (((try? FileManager.default.attributesOfItem(atPath: file))?[.size] as? NSNumber)?.int64Value ?? 0)
        }
    }

    private static func arguments(_ values: [FieldValue]) -> StatementArguments {
        StatementArguments(values.map(\.databaseValue))
    }
}
