import Dispatch
import GRDB
import GRDBSQLite
import Model

/// `Catalog` on SQLite: each call runs GRDB's blocking API on a Dispatch thread while the
/// caller awaits.
extension SQLiteCatalog {
    public func appliedMigrations() async throws(CatalogError) -> [String] {
        try await read { db in try Schema.migrator.appliedIdentifiers(db).sorted() }
    }

    // MARK: Writes

    /// A row whose key and searchable text are unchanged (a fetch's pending row) is updated
    /// without them, so its full-text entry and `field_values` are not deleted and written
    /// again as an upsert does; any other row is upserted. The row ends the same either way.
    public func save(_ record: CallRecord, attempts: [DownloadAttempt]) async throws(CatalogError) {
        try await write { db in
            let update = CallRows.updateKeepingText
            try db.cachedStatement(sql: update.sql)
                .execute(arguments: StatementArguments(update.columns.map { $0.value(in: record).databaseValue }))
            if db.changesCount == 0 {
                try db.cachedStatement(sql: CallRows.upsert).execute(arguments: CallRows.arguments([record]))
            }
            for attempt in attempts { try attempt.insert(db) }
        }
    }

    public func save(_ records: [CallRecord]) async throws(CatalogError) {
        try await write { db in
            let statement = try db.cachedStatement(sql: CallRows.upsert)
            for record in records { try statement.execute(arguments: CallRows.arguments([record])) }
        }
    }

    public func insertMissing(_ records: [CallRecord]) async throws(CatalogError) {
        // Up to 500 rows per statement: SQLite flushes the full-text index at the end of every
        // statement that writes it, so one row per statement made bulk inserts 20 times slower.
        try await write { db in
            for start in stride(from: 0, to: records.count, by: 500) {
                let chunk = records[start..<min(records.count, start + 500)]
                try db.cachedStatement(sql: CallRows.insert(rows: chunk.count, orIgnore: true))
                    .execute(arguments: CallRows.arguments(chunk))
            }
        }
    }

    /// Updates the verification columns only: the call's metadata and its full-text entry stay
    /// untouched (rewriting them cost verify about a tenth of its CPU time).
    public func saveVerification(_ record: CallRecord) async throws(CatalogError) {
        try await write { db in
            try db.cachedStatement(sql: CallRows.verificationUpdate).execute(arguments: CallRows.verificationArguments(record))
        }
    }

    public func saveImported(_ record: CallRecord) async throws(CatalogError) {
        try await write { db in
            try db.cachedStatement(sql: CallRows.importUpsert).execute(arguments: CallRows.arguments([record]))
        }
    }

    // MARK: Reads

    public func record(order: String, callIndex: Int) async throws(CatalogError) -> CallRecord? {
        try await rows("WHERE order_id = ? AND call_index = ?", [order.databaseValue, callIndex.databaseValue]).first
    }

    public func records(order: String) async throws(CatalogError) -> [CallRecord] {
        try await rows("WHERE order_id = ? ORDER BY call_index", [order.databaseValue])
    }

    private func rows(_ filter: String, _ arguments: [DatabaseValue]) async throws(CatalogError) -> [CallRecord] {
        try await read { db in
            var records: [CallRecord] = []
            try Self.eachRow("SELECT \(CallRows.selection) FROM calls \(filter)", StatementArguments(arguments), in: db) {
                records.append(CallRecord(columnValues: $0))
            }
            return records
        }
    }

    public func attempts(order: String) async throws(CatalogError) -> [DownloadAttempt] {
        try await read { db in
            try DownloadAttempt.filter(Column("order_id") == order).order(Column("id")).fetchAll(db)
        }
    }

    public func count() async throws(CatalogError) -> Int {
        try await read { db in try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM calls") ?? 0 }
    }

    public func forEach(_ query: CatalogQuery, _ body: @escaping (CallRecord) throws -> Void) async throws(CatalogError) {
        try await read { db in
            // The head of the listing first (`SQLiteDialect.headSelect`): when it holds `limit`
            // matches they are the answer, and the whole search never runs.
            if let (sql, arguments) = try SQLiteDialect.headSelect(CallRows.selection, query, in: db), let limit = query.limit {
                var head: [[FieldValue]] = []
                try Self.eachRow(sql, arguments, in: db) { head.append($0) }
                if head.count == limit { return try head.forEach { try body(CallRecord(columnValues: $0)) } }
            }
            let (sql, arguments) = try SQLiteDialect.select(CallRows.selection, query, in: db)
            try Self.eachRow(sql, arguments, in: db) { try body(CallRecord(columnValues: $0)) }
        }
    }

    /// The statement that answers a search, as `forEach` chooses it.
    private static func searchStatement(_ query: CatalogQuery, in db: Database) throws -> (String, StatementArguments) {
        if let (sql, arguments) = try SQLiteDialect.headSelect(CallRows.selection, query, in: db),
           let limit = query.limit,
           try Int.fetchOne(db, sql: "SELECT COUNT(*) FROM (\(sql))", arguments: arguments) == limit
        {
            return (sql, arguments)
        }
        return try SQLiteDialect.select(CallRows.selection, query, in: db)
    }

    public func forEachRow(
        _ query: CatalogQuery, columns: [String], _ body: @escaping ([FieldValue]) throws -> Void
    ) async throws(CatalogError) {
        if let unknown = columns.first(where: { CallRecord.column(named: $0) == nil }) {
            throw .invalidQuery(token: unknown, reason: "unknown column")
        }
        try await read { db in
            let (sql, arguments) = try SQLiteDialect.select(columns.map(CallRows.expression).joined(separator: ", "), query, in: db)
            try Self.eachRow(sql, arguments, in: db, body)
        }
    }

    public func stats(_ query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [StatsRow] {
        try await read { db in
            let statements = try SQLiteDialect.statsStatements(query, by: groupings, rates: rates, in: db)
            var assembler = StatsAssembler(groupings: groupings)
            if let (sql, arguments) = statements.grouped {
                try Self.eachRow(sql, arguments, in: db) { assembler.addGroup($0) }
            }
            try Self.eachRow(statements.totals.sql, statements.totals.arguments, in: db) { assembler.addTotals($0) }
            if rates {
                try Self.eachRow(statements.audio.sql, statements.audio.arguments, in: db) { assembler.addAudio($0) }
            }
            return assembler.result()
        }
    }

    public func statement(search query: CatalogQuery) async throws(CatalogError) -> String {
        try await read { db in
            let (sql, arguments) = try Self.searchStatement(query, in: db)
            return try Self.expanded(sql, arguments, in: db)
        }
    }

    public func statements(stats query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [String] {
        try await read { db in
            let statements = try SQLiteDialect.statsStatements(query, by: groupings, rates: rates, in: db)
            return try ([statements.grouped, statements.totals, rates ? statements.audio : nil].compactMap { $0 })
                .map { try Self.expanded($0.sql, $0.arguments, in: db) }
        }
    }

    // MARK: Stores

    public func saveStores(_ stores: [Store], replacingAll: Bool) async throws(CatalogError) {
        try await write { db in
            if replacingAll { try db.execute(sql: "DELETE FROM stores") }
            let statement = try db.cachedStatement(sql: "INSERT OR REPLACE INTO stores (code, name, time_zone) VALUES (?, ?, ?)")
            for store in stores { try statement.execute(arguments: [store.code, store.name, store.timeZone]) }
        }
    }

    public func stores() async throws(CatalogError) -> [Store] {
        try await read { db in
            try Row.fetchAll(db, sql: "SELECT code, name, time_zone FROM stores ORDER BY code").map {
                Store(code: $0[0], name: $0[1], timeZone: $0[2])
            }
        }
    }

    public func integrityCheck() async throws(CatalogError) -> String {
        try await read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    public func claims(archiveDirectory: String) throws(CatalogError) -> any CallClaims {
        try FileClaims(directory: archiveDirectory)
    }

    // MARK: Plumbing

    /// Calls `body` with every column of each row `sql` returns.
    static func eachRow(
        _ sql: String, _ arguments: StatementArguments, in db: Database, _ body: ([FieldValue]) throws -> Void
    ) throws {
        let statement = try db.makeStatement(sql: sql)
        let cursor = try Row.fetchCursor(statement, arguments: arguments)
        var values = [FieldValue](repeating: .null, count: statement.columnCount)
        while try cursor.next() != nil {
            CallRows.read(statement, into: &values)
            try body(values)
        }
    }

    /// `sql` with `arguments` written in as SQL literals (SQLite's `sqlite3_expanded_sql`).
    private static func expanded(_ sql: String, _ arguments: StatementArguments, in db: Database) throws -> String {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        guard let text = sqlite3_expanded_sql(statement.sqliteStatement) else { return sql }
        defer { sqlite3_free(text) }
        return String(cString: text)
    }

    func read<T>(_ body: @escaping (Database) throws -> T) async throws(CatalogError) -> T {
        try await offload { () throws(CatalogError) -> T in
            do {
                return try self.writer.read(body)
            } catch let error as CatalogError {
                throw error
            } catch let error as DatabaseError where Self.isDamage(error) {
                throw Self.damage(error, path: self.path)
            } catch {
                throw .database(Self.reason(error))
            }
        }
    }

    func write(_ body: @escaping (Database) throws -> Void) async throws(CatalogError) {
        try await offload { () throws(CatalogError) in
            do {
                try self.writer.write(body)
            } catch let error as DatabaseError where Self.isDamage(error) {
                throw Self.damage(error, path: self.path)
            } catch let error as DatabaseError where [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY].contains(error.resultCode) {
                throw .cannotWrite(path: self.path, reason: Self.reason(error))
            } catch {
                throw .database(Self.reason(error))
            }
        }
    }
}

/// Runs `work` on a Dispatch thread and waits for it without holding a cooperative thread.
/// `work` may capture the caller's non-`Sendable` state: it runs only while the caller is
/// suspended here, so nothing else touches that state meanwhile. It is released before the
/// caller resumes, so what it captured (the catalog itself) goes when the caller lets it go.
func offload<T>(_ work: @escaping () throws(CatalogError) -> T) async throws(CatalogError) -> T {
    let job = OffloadedJob(work)
    let result = await withCheckedContinuation { (continuation: CheckedContinuation<OffloadedJob<T>, Never>) in
        DispatchQueue.global().async {
            job.run()
            continuation.resume(returning: job)
        }
    }
    return try result.outcome!.get()
}

/// The work `offload` hands to a Dispatch thread, and its outcome. Only one thread touches it
/// at a time: the caller before and after, the Dispatch thread in between.
final class OffloadedJob<T>: @unchecked Sendable {
    private var work: (() throws(CatalogError) -> T)?
    private(set) var outcome: Result<T, CatalogError>?

    init(_ work: @escaping () throws(CatalogError) -> T) { self.work = work }

    func run() {
        guard let work else { return }
        self.work = nil
        outcome = Result { () throws(CatalogError) -> T in try work() }
    }
}
