import Catalog
import Model
import PostgresNIO

/// `Catalog` on PostgreSQL: every write one short transaction, every read one statement.
extension PostgresCatalog {
    public func appliedMigrations() async throws(CatalogError) -> [String] {
        try await withConnection { connection in
            var identifiers: [String] = []
            try await Self.run("SELECT identifier FROM schema_migrations ORDER BY identifier", [], on: connection) {
                identifiers.append(String(fieldValue: $0[0]))
            }
            return identifiers
        }
    }

    // MARK: Writes

    public func save(_ record: CallRecord, attempts: [DownloadAttempt]) async throws(CatalogError) {
        let values = try PostgresRows.values(record, words: words)
        try await transaction { connection in
            try await Self.run(PostgresRows.upsert, values, on: connection)
            for attempt in attempts { try await Self.run(PostgresRows.insertAttempt, attempt.transferValues, on: connection) }
        }
    }

    public func save(_ records: [CallRecord]) async throws(CatalogError) {
        let rows = try records.map { record throws(CatalogError) in try PostgresRows.values(record, words: words) }
        try await transaction { connection in
            for values in rows { try await Self.run(PostgresRows.upsert, values, on: connection) }
        }
    }

    public func insertMissing(_ records: [CallRecord]) async throws(CatalogError) {
        let rows = try records.map { record throws(CatalogError) in try PostgresRows.values(record, words: words) }
        try await transaction { connection in
            for start in stride(from: 0, to: rows.count, by: 500) {
                let chunk = rows[start..<min(rows.count, start + 500)]
                let sql = PostgresRows.insert(rows: chunk.count) + " ON CONFLICT (order_id, call_index) DO NOTHING"
                try await Self.run(sql, chunk.flatMap { $0 }, on: connection)
            }
        }
    }

    public func saveVerification(_ record: CallRecord) async throws(CatalogError) {
        try await withConnection { connection in
            try await Self.run(PostgresRows.verificationUpdate, CallRows.verificationValues(record), on: connection)
        }
    }

    /// The merge runs in the server; the merged row's words are written after it, in the
    /// same transaction, from the texts the merge kept.
    public func saveImported(_ record: CallRecord) async throws(CatalogError) {
        let values = try PostgresRows.values(record, words: words)
        let merged = try await transaction { connection in
            var merged: [FieldValue] = []
            try await Self.run(PostgresRows.importUpsert, values, on: connection) { merged = $0 }
            return merged
        }
        guard merged.count == 1 + PostgresRows.wordColumns.count else { return }
        let vector = try PostgresRows.vector(merged.dropFirst().map { String(fieldValue: $0) }, words: words)
        try await withConnection { connection in
            try await Self.run("UPDATE calls SET words = $1::tsvector WHERE id = $2", [.text(vector), merged[0]], on: connection)
        }
    }

    // MARK: Reads

    public func record(order: String, callIndex: Int) async throws(CatalogError) -> CallRecord? {
        try await rows("WHERE order_id = $1 AND call_index = $2", [.text(order), .integer(Int64(callIndex))]).first
    }

    public func records(order: String) async throws(CatalogError) -> [CallRecord] {
        try await rows("WHERE order_id = $1 ORDER BY call_index", [.text(order)])
    }

    private func rows(_ filter: String, _ values: [FieldValue]) async throws(CatalogError) -> [CallRecord] {
        try await withConnection { connection in
            var records: [CallRecord] = []
            try await Self.run("SELECT \(CallRows.selection) FROM calls \(filter)", values, on: connection) {
                records.append(CallRecord(columnValues: $0))
            }
            return records
        }
    }

    public func attempts(order: String) async throws(CatalogError) -> [DownloadAttempt] {
        try await withConnection { connection in
            var attempts: [DownloadAttempt] = []
            let sql = "SELECT \(TransferSQL.attemptColumns) FROM attempts WHERE order_id = $1 ORDER BY id"
            try await Self.run(sql, [.text(order)], on: connection) { attempts.append(DownloadAttempt(transferValues: $0)) }
            return attempts
        }
    }

    public func count() async throws(CatalogError) -> Int {
        try await withConnection { connection in
            var count = 0
            try await Self.run("SELECT COUNT(*) FROM calls", [], on: connection) { count = Int(fieldValue: $0[0]) }
            return count
        }
    }

    public func forEach(_ query: CatalogQuery, _ body: @escaping (CallRecord) throws -> Void) async throws(CatalogError) {
        let statement = try PostgresDialect.select(CallRows.selection, try await resolvingValueLists(query), words: words)
        try await withConnection { connection in
            try await Self.run(statement.sql, statement.arguments, on: connection) { try body(CallRecord(columnValues: $0)) }
        }
    }

    public func forEachRow(
        _ query: CatalogQuery, columns: [String], _ body: @escaping ([FieldValue]) throws -> Void
    ) async throws(CatalogError) {
        if let unknown = columns.first(where: { CallRecord.column(named: $0) == nil }) {
            throw .invalidQuery(token: unknown, reason: "unknown column")
        }
        let statement = try PostgresDialect.select(
            columns.map(CallRows.expression).joined(separator: ", "), try await resolvingValueLists(query), words: words
        )
        try await withConnection { connection in
            try await Self.run(statement.sql, statement.arguments, on: connection, body)
        }
    }

    public func stats(_ query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [StatsRow] {
        let statements = try PostgresDialect.statsStatements(try await resolvingValueLists(query), by: groupings, rates: rates, words: words)
        return try await withConnection { connection in
            var assembler = StatsAssembler(groupings: groupings)
            if let grouped = statements.grouped {
                try await Self.run(grouped.sql, grouped.arguments, on: connection) { assembler.addGroup($0) }
            }
            try await Self.run(statements.totals.sql, statements.totals.arguments, on: connection) { assembler.addTotals($0) }
            if rates {
                try await Self.run(statements.audio.sql, statements.audio.arguments, on: connection) { assembler.addAudio($0) }
            }
            return assembler.result()
        }
    }

    public func statement(search query: CatalogQuery) async throws(CatalogError) -> String {
        let statement = try PostgresDialect.select(CallRows.selection, try await resolvingValueLists(query), words: words)
        return PostgresDialect.expanded(statement)
    }

    public func statements(stats query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [String] {
        let statements = try PostgresDialect.statsStatements(try await resolvingValueLists(query), by: groupings, rates: rates, words: words)
        return [statements.grouped, statements.totals, rates ? statements.audio : nil].compactMap { $0 }.map(PostgresDialect.expanded)
    }

    // MARK: Stores

    public func saveStores(_ stores: [Store], replacingAll: Bool) async throws(CatalogError) {
        try await transaction { connection in
            if replacingAll { try await Self.run("DELETE FROM stores", [], on: connection) }
            for store in stores {
                try await Self.run(
                    "INSERT INTO stores (code, name, time_zone) VALUES ($1, $2, $3) "
                        + "ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name, time_zone = EXCLUDED.time_zone",
                    [.text(store.code), .text(store.name), .text(store.timeZone)], on: connection
                )
            }
        }
    }

    public func stores() async throws(CatalogError) -> [Store] {
        try await withConnection { connection in
            var stores: [Store] = []
            try await Self.run("SELECT code, name, time_zone FROM stores ORDER BY code", [], on: connection) {
                stores.append(Store(code: String(fieldValue: $0[0]), name: String(fieldValue: $0[1]), timeZone: String(fieldValue: $0[2])))
            }
            return stores
        }
    }

    /// The server keeps its own pages sound; this checks that the catalog answers and that
    /// every row's words are there.
    public func integrityCheck() async throws(CatalogError) -> String {
        try await withConnection { connection in
            var missing = 0
            try await Self.run("SELECT COUNT(*) FROM calls WHERE words = ''::tsvector AND order_id <> ''", [], on: connection) {
                missing = Int(fieldValue: $0[0])
            }
            return missing == 0 ? "ok" : "\(missing) calls have no full-text words"
        }
    }

    public func claims(archiveDirectory: String) throws(CatalogError) -> any CallClaims {
        PostgresClaims(catalog: self)
    }
}
