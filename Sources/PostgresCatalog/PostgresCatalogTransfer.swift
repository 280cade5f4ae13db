import Catalog
import Model
import PostgresNIO

/// `catalog copy` and `catalog info` on PostgreSQL.
extension PostgresCatalog: TransferableCatalog {
    public func batch(after order: String?, limit: Int) async throws(CatalogError) -> CatalogBatch {
        // One transaction, repeatable read: the calls and attempts come from one snapshot.
        try await transaction(isolation: "REPEATABLE READ") { connection in
            var batch = CatalogBatch(calls: [], attempts: [])
            let calls = PostgresRows.numbered(TransferSQL.batchCalls(selection: CallRows.selection, hasCursor: order != nil))
            try await Self.run(calls, TransferSQL.callArguments(after: order, limit: limit), on: connection) {
                batch.calls.append(CallRecord(columnValues: $0))
            }
            let last = batch.calls.last?.orderID
            let attempts = PostgresRows.numbered(TransferSQL.batchAttempts(hasCursor: order != nil, hasLast: last != nil))
            try await Self.run(attempts, TransferSQL.attemptArguments(after: order, through: last), on: connection) {
                batch.attempts.append(DownloadAttempt(transferValues: $0))
            }
            return batch
        }
    }

    public func append(_ batch: CatalogBatch) async throws(CatalogError) {
        let rows = try batch.calls.map { record throws(CatalogError) in try PostgresRows.values(record, words: words) }
        try await transaction { connection in
            for start in stride(from: 0, to: rows.count, by: 500) {
                let chunk = rows[start..<min(rows.count, start + 500)]
                try await Self.run(PostgresRows.insert(rows: chunk.count), chunk.flatMap { $0 }, on: connection)
            }
            for start in stride(from: 0, to: batch.attempts.count, by: 1000) {
                let chunk = batch.attempts[start..<min(batch.attempts.count, start + 1000)]
                try await Self.run(PostgresRows.insertAttempts(rows: chunk.count), chunk.flatMap(\.transferValues), on: connection)
            }
        }
    }

    public func lastOrder() async throws(CatalogError) -> String? {
        try await withConnection { connection in
            var last: String?
            try await Self.run(PostgresRows.numbered(TransferSQL.lastOrderSQL), [], on: connection) { last = String?(fieldValue: $0[0]) }
            return last
        }
    }

    public func forEachInKeyOrder(
        through: String?, calls: @escaping (CallRecord) throws -> Void, attempts: @escaping (DownloadAttempt) throws -> Void
    ) async throws(CatalogError) {
        let sql = TransferSQL.keyOrder(selection: CallRows.selection, hasThrough: through != nil)
        let arguments = [through].compactMap { $0 }.map { FieldValue.text($0) }
        try await transaction(isolation: "REPEATABLE READ") { connection in
            try await Self.run(PostgresRows.numbered(sql.calls), arguments, on: connection) { try calls(CallRecord(columnValues: $0)) }
            try await Self.run(PostgresRows.numbered(sql.attempts), arguments, on: connection) { try attempts(DownloadAttempt(transferValues: $0)) }
        }
    }

    public func attemptCount() async throws(CatalogError) -> Int {
        try await withConnection { connection in
            var count = 0
            try await Self.run("SELECT COUNT(*) FROM attempts", [], on: connection) { count = Int(fieldValue: $0[0]) }
            return count
        }
    }

    /// The catalog's tables with their indexes and TOAST, as the server stores them.
    public func storageBytes() async throws(CatalogError) -> Int64 {
        try await withConnection { connection in
            var bytes: Int64 = 0
            let sql = "SELECT COALESCE(SUM(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_class c "
                + "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema() AND c.relkind = 'r'"
            try await Self.run(sql, [], on: connection) { bytes = Int64(fieldValue: $0[0]) }
            return bytes
        }
    }
}
