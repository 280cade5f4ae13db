import Foundation
import GRDB
import GRDBSQLite
import Model

/// The SQLite catalog: one row per call, the attempts made for each, and the queries over them.
///
/// On disk it is a WAL-mode database that several processes may share: writes are short
/// transactions and every connection waits (busy timeout) instead of failing when another
/// process holds the write lock.
public final class Catalog: Sendable {
    private let writer: any DatabaseWriter
    /// Where the catalog lives, or `:memory:`.
    public let path: String

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// Opens (creating when missing, with mode 0600) the catalog at `path` and applies pending
    /// migrations. Refuses files that are not catalogs and catalogs from a newer schema.
    public static func open(at path: String) throws(CatalogError) -> Catalog {
        let manager = FileManager.default
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { throw .notACatalog(path: path, reason: "it is a directory") }
            try checkHeader(path: path)
            if Self.fileSize(path) > 0 {
                let inspected = try inspect(path: path)
                defer { try? inspected.queue.close() }
                try checkPages(inspected.queue, path: path)
            }
        } else {
            let fd = Foundation.open(path, O_CREAT | O_EXCL | O_WRONLY, 0o600)
            if fd < 0, errno != EEXIST {
                throw .cannotOpen(path: path, reason: String(cString: strerror(errno)))
            }
            if fd >= 0 { close(fd) }
        }
        var configuration = Configuration()
        configuration.busyMode = .timeout(60)
        configuration.journalMode = .wal
        // Two processes creating or migrating one catalog at the same moment race on the WAL
        // switch and on the migrations; the loser retries once the winner is done.
        for attempt in 0... {
            do {
                let pool = try DatabasePool(path: path, configuration: configuration)
                let catalog = Catalog(writer: pool, path: path)
                try catalog.migrate()
                return catalog
            } catch let error as CatalogError {
                throw error
            } catch let error as DatabaseError where Self.isDamage(error) {
                throw Self.damage(error, path: path)
            } catch let error as DatabaseError where attempt < 100 && isContention(error) {
                usleep(useconds_t(20_000 + Int.random(in: 0..<80_000)))
            } catch {
                throw .cannotOpen(path: path, reason: Self.reason(error))
            }
        }
        fatalError("unreachable")
    }

    /// Errors another process's concurrent setup causes, which a retry resolves.
    private static func isContention(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            || (error.message ?? "").contains("already exists")
    }

    /// A private in-memory catalog with the same schema, for tests and dry runs.
    public static func inMemory() throws(CatalogError) -> Catalog {
        do {
            let catalog = Catalog(writer: try DatabaseQueue(), path: ":memory:")
            try catalog.migrate()
            return catalog
        } catch let error as CatalogError {
            throw error
        } catch {
            throw .database(Self.reason(error))
        }
    }

    private static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    /// A file that exists must start like an SQLite database (or be empty, as a new one is),
    /// and hold every page its header counts (SQLite would only notice when it reads one).
    private static func checkHeader(path: String) throws(CatalogError) {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw .cannotOpen(path: path, reason: "permission denied")
        }
        defer { try? handle.close() }
        let header = [UInt8]((try? handle.read(upToCount: 100)) ?? Data())
        if header.isEmpty { return }
        guard header.starts(with: Array("SQLite format 3\0".utf8)) else {
            throw .notACatalog(path: path, reason: "it is not an SQLite database")
        }
        guard header.count == 100 else { throw .damaged(path: path, reason: "the file ends inside its header") }
        func number(_ offset: Int, _ count: Int) -> Int { header[offset..<(offset + count)].reduce(0) { $0 << 8 | Int($1) } }
        let pageSize = number(16, 2) == 1 ? 65536 : number(16, 2)
        let pages = number(28, 4)
        // The page count is current when the change counter matches "version valid for" (SQLite
        // file format §1.3.7); after a crash in WAL mode the newest pages may still be in -wal.
        let size = fileSize(path)
        let walSize = fileSize(path + "-wal")
        if pageSize >= 512, size % Int64(pageSize) != 0 {
            throw .damaged(path: path, reason: "\(size) bytes is not a whole number of \(pageSize)-byte pages; the file was cut short")
        }
        if pages > 0, number(24, 4) == number(92, 4), walSize == 0, size < Int64(pages) * Int64(pageSize) {
            throw .damaged(path: path, reason: "\(size) of its \(Int64(pages) * Int64(pageSize)) bytes are there; the file was cut short")
        }
    }

    /// A catalog about to be written is read whole first (SQLite's `quick_check`, every page,
    /// and one full-text lookup, which reads the index's own structure record), so a damaged
    /// one is refused before the first write and stays byte for byte as it was.
    private static func checkPages(_ queue: DatabaseQueue, path: String) throws(CatalogError) {
        let findings: [String]
        do {
            findings = try queue.read { db in
                let pages = try String.fetchAll(db, sql: "PRAGMA quick_check(3)")
                if pages == ["ok"], try db.tableExists("calls_fts") {
                    _ = try Row.fetchOne(db, sql: "SELECT rowid FROM calls_fts WHERE calls_fts MATCH '\"a\"*' LIMIT 1")
                }
                return pages
            }
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw Self.damage(error, path: path)
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
        guard findings == ["ok"] else {
            throw .damaged(path: path, reason: "SQLite's check found: " + findings.joined(separator: "; "))
        }
    }

    /// What went wrong, in words a user can act on: SQLite's own message, never the SQL that
    /// was running (GRDB's descriptions quote it).
    static func reason(_ error: any Error) -> String {
        guard let error = error as? DatabaseError else { return "\(error)" }
        switch error.resultCode {
        case .SQLITE_READONLY: return "the catalog or its folder is read-only for this user"
        case .SQLITE_CANTOPEN: return "SQLite cannot open it; check that the path and its folder exist and are readable"
        case .SQLITE_PERM, .SQLITE_AUTH: return "permission denied"
        case .SQLITE_BUSY, .SQLITE_LOCKED: return "another program has held a lock on it for more than a minute"
        case .SQLITE_FULL: return "the disk is full"
        case .SQLITE_IOERR: return "an input/output error (\(error.message ?? "no detail"))"
        default: return "SQLite error \(error.resultCode.rawValue): \(error.message ?? "no detail")"
        }
    }

    private static func isDamage(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
            || (error.message ?? "").contains("fts5 file format")
    }

    private static func damage(_ error: DatabaseError, path: String) -> CatalogError {
        .damaged(path: path, reason: "SQLite says: \(error.message ?? "\(error.resultCode)")")
    }

    /// Opens an existing catalog for reading only (search, stats, export): one read-only
    /// connection, which also works on a read-only volume or snapshot. A catalog that still
    /// lacks a migration is opened for writing once, to apply it.
    public static func openForReading(at path: String) throws(CatalogError) -> Catalog {
        guard fileSize(path) > 0 else { return try open(at: path) }
        try checkHeader(path: path)
        let (queue, current) = try inspect(path: path)
        if current { return Catalog(writer: queue, path: path) }
        try? queue.close()
        return try open(at: path)
    }

    /// Looks at an existing file through a read-only connection, so a file that is refused is
    /// left exactly as it was. Returns the connection and whether every migration is applied.
    private static func inspect(path: String) throws(CatalogError) -> (queue: DatabaseQueue, current: Bool) {
        var configuration = Configuration()
        configuration.readonly = true
        configuration.busyMode = .timeout(60)
        let queue: DatabaseQueue
        let state: (applied: [String], foreignTables: Bool)
        do {
            queue = try readOnlyQueue(path: path, configuration: configuration)
            state = try queue.read { db -> (applied: [String], foreignTables: Bool) in
                let tables = try String.fetchAll(db, sql: "SELECT name FROM sqlite_master WHERE type = 'table'")
                guard tables.contains("grdb_migrations") else { return ([], !tables.isEmpty) }
                return (try String.fetchAll(db, sql: "SELECT identifier FROM grdb_migrations"), false)
            }
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw Self.damage(error, path: path)
        } catch {
            throw .cannotOpen(path: path, reason: Self.reason(error))
        }
        if state.foreignTables {
            throw .notACatalog(path: path, reason: "it is an SQLite database of another program")
        }
        let known = Schema.migrations.map(\.identifier)
        let unknown = state.applied.filter { !known.contains($0) }
        if !unknown.isEmpty {
            throw .newerSchema(path: path, unknownMigrations: unknown.sorted())
        }
        return (queue, Set(state.applied) == Set(known))
    }

    /// A read-only connection. SQLite cannot open a WAL database read-only when its `-shm`
    /// file is missing and cannot be created (a read-only volume, or a directory this user may
    /// not write): then the file is opened as immutable, which is what it is for this user.
    private static func readOnlyQueue(path: String, configuration: Configuration) throws -> DatabaseQueue {
        do {
            return try DatabaseQueue(path: path, configuration: configuration)
        } catch let error as DatabaseError where error.resultCode == .SQLITE_CANTOPEN {
            let directory = (path as NSString).deletingLastPathComponent
            guard access(directory.isEmpty ? "." : directory, W_OK) != 0 else { throw error }
            let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
            var allowed = CharacterSet.urlPathAllowed
            allowed.remove(charactersIn: "?#%")
            let uri = "file:" + (absolute.addingPercentEncoding(withAllowedCharacters: allowed) ?? absolute) + "?immutable=1"
            return try DatabaseQueue(path: uri, configuration: configuration)
        }
    }

    private func migrate() throws {
        try Schema.migrator.migrate(writer)
    }

    /// Identifiers of the migrations applied to this catalog, in order.
    public func appliedMigrations() throws(CatalogError) -> [String] {
        let applied: Set<String> = try read { db in try Schema.migrator.appliedIdentifiers(db) }
        return applied.sorted()
    }

    // MARK: Calls

    /// Inserts the call or replaces the row with the same order id and call index.
    public func save(_ record: CallRecord) throws(CatalogError) {
        try write { db in try record.upsert(db) }
    }

    /// Saves many calls in one transaction (imports, benchmarks).
    public func save(_ records: [CallRecord]) throws(CatalogError) {
        try write { db in
            for record in records { try record.upsert(db) }
        }
    }

    /// Saves a call and the attempts that produced it in one short transaction.
    public func save(_ record: CallRecord, attempts: [DownloadAttempt]) throws(CatalogError) {
        try write { db in
            try record.upsert(db)
            for attempt in attempts { try attempt.insert(db) }
        }
    }

    /// `save(_:attempts:)` for a fetched call: when its row already holds the same key and
    /// searchable text (the pending row the fetch inserted), only the other columns are
    /// written, so the full-text entry and `field_values` are not rewritten as a full upsert
    /// rewrites them; any other row is saved in full. The row ends the same either way.
    public func saveFetched(_ record: CallRecord, attempts: [DownloadAttempt]) throws(CatalogError) {
        let names = CallRecord.CodingKeys.allCases.map(\.rawValue)
        let values = Dictionary(uniqueKeysWithValues: zip(names, record.databaseValues))
        let kept = ["order_id", "call_index", "store_name", "store_code", "agent_name", "call_status"]
        let written = names.filter { !kept.contains($0) }
        let sql = "UPDATE calls SET " + written.map { "\($0) = ?" }.joined(separator: ", ")
            + " WHERE " + kept.map { "\($0) = ?" }.joined(separator: " AND ")
        try write { db in
            try db.cachedStatement(sql: sql).execute(arguments: StatementArguments((written + kept).map { values[$0] }))
            if db.changesCount == 0 { try record.upsert(db) }
            for attempt in attempts { try attempt.insert(db) }
        }
    }

    /// Writes what a verification found (verdict, detail, the audio figures, `verified_at`) and
    /// nothing else: the call's metadata and its full-text entry stay untouched (rewriting
    /// them cost verify about a tenth of its CPU time), and a fetch that saved the row
    /// meanwhile keeps its own columns.
    public func saveVerification(_ record: CallRecord) throws(CatalogError) {
        try write { db in
            try db.execute(
                sql: """
                    UPDATE calls SET verdict = ?, verdict_detail = ?, file_size = ?, sha256 = ?, audio_seconds = ?,
                        frames = ?, expected_frames = ?, sample_rate = ?, channels = ?, bitrate_kbps = ?, verified_at = ?
                    WHERE order_id = ? AND call_index = ?
                    """,
                arguments: [
                    record.verdict.rawValue, record.verdictDetail, record.fileSize, record.sha256, record.audioSeconds,
                    record.frames, record.expectedFrames, record.sampleRate, record.channels, record.bitrateKbps,
                    record.verifiedAt, record.orderID, record.callIndex,
                ]
            )
        }
    }

    /// Writes what `import` learned about a call (docs/import.md): a new call gets the whole row;
    /// an existing row takes the file and verification columns, and a metadata column only where
    /// `record` knows it (non-empty text, a time or number), so nothing it did not learn is blanked.
    /// `attempts` is never changed, and `downloaded_at` only when `record` has one.
    public func saveImported(_ record: CallRecord) throws(CatalogError) {
        try write { db in
            try db.cachedStatement(sql: Self.importUpsert).execute(arguments: StatementArguments(record.databaseValues))
        }
    }

    private static let importUpsert: String = {
        let placeholders = Array(repeating: "?", count: CallRecord.CodingKeys.allCases.count).joined(separator: ", ")
        let learned = ["file_path", "file_size", "sha256", "verdict", "verdict_detail", "audio_seconds", "frames",
                       "expected_frames", "sample_rate", "channels", "bitrate_kbps", "verified_at"]
            .map { "\($0) = excluded.\($0)" }
        let text = ["call_sid", "store_name", "agent_name", "call_status", "recording_url"]
            .map { "\($0) = CASE WHEN excluded.\($0) = '' THEN \($0) ELSE excluded.\($0) END" }
        let optional = ["call_in_time", "call_out_time", "call_seconds", "downloaded_at"]
            .map { "\($0) = COALESCE(excluded.\($0), \($0))" }
        let derived = [
            "store_code = CASE WHEN excluded.store_name = '' THEN store_code ELSE excluded.store_code END",
            "api_json = CASE WHEN excluded.api_json IN ('', '{}') THEN api_json ELSE excluded.api_json END",
        ]
        return "INSERT INTO calls (\(CallRecord.selection)) VALUES (\(placeholders)) ON CONFLICT (order_id, call_index) DO UPDATE SET "
            + (learned + text + optional + derived).joined(separator: ", ")
    }()

    /// Inserts the calls that have no row yet (so an interrupted run leaves them visible as not
    /// done), leaving existing rows alone.
    public func insertMissing(_ records: [CallRecord]) throws(CatalogError) {
        // Up to 500 rows per statement: SQLite flushes the full-text index at the end of every
        // statement that writes it, so one row per statement made bulk inserts 20 times slower.
        let columns = CallRecord.CodingKeys.allCases.count
        let row = "(" + Array(repeating: "?", count: columns).joined(separator: ", ") + ")"
        try write { db in
            for start in stride(from: 0, to: records.count, by: 500) {
                let chunk = records[start..<min(records.count, start + 500)]
                let sql = "INSERT OR IGNORE INTO calls (\(CallRecord.selection)) VALUES "
                    + Array(repeating: row, count: chunk.count).joined(separator: ", ")
                try db.cachedStatement(sql: sql).execute(arguments: StatementArguments(chunk.flatMap(\.databaseValues)))
            }
        }
    }

    public func record(order: String, callIndex: Int) throws(CatalogError) -> CallRecord? {
        try read { db in
            try CallRecord
                .filter(CallRecord.Columns.orderID == order && CallRecord.Columns.callIndex == callIndex)
                .fetchOne(db)
        }
    }

    /// Every call of an order, by call index.
    public func records(order: String) throws(CatalogError) -> [CallRecord] {
        try read { db in
            try CallRecord.filter(CallRecord.Columns.orderID == order)
                .order(CallRecord.Columns.callIndex)
                .fetchAll(db)
        }
    }

    public func attempts(order: String) throws(CatalogError) -> [DownloadAttempt] {
        try read { db in
            try DownloadAttempt.filter(Column("order_id") == order).order(Column("id")).fetchAll(db)
        }
    }

    public func count() throws(CatalogError) -> Int {
        try read { db in try CallRecord.fetchCount(db) }
    }

    /// Calls rows matching `query` one at a time, without loading them all (exports of any size).
    public func forEach(
        _ query: CatalogQuery = CatalogQuery(),
        _ body: (CallRecord) throws -> Void
    ) throws(CatalogError) {
        try read { db in
            let (sql, arguments) = try query.sql(selecting: CallRecord.selection, in: db)
            let cursor = try CallRecord.fetchCursor(db, sql: sql, arguments: arguments)
            while let record = try cursor.next() { try body(record) }
        }
    }

    /// Calls `body` with the values of `columns` (names checked against docs/contract.md §4 and `api_json`)
    /// for each row matching `query`, straight from SQLite: the export path, with no record built.
    public func forEachRow(
        _ query: CatalogQuery, columns: [String], _ body: ([FieldValue]) throws -> Void
    ) throws(CatalogError) {
        let known = Set(CallRecord.CodingKeys.allCases.map(\.rawValue))
        if let unknown = columns.first(where: { !known.contains($0) }) {
            throw .invalidQuery(token: unknown, reason: "unknown column")
        }
        try read { db in
            let (sql, arguments) = try query.sql(selecting: columns.joined(separator: ", "), in: db)
            let statement = try db.makeStatement(sql: sql)
            let cursor = try Row.fetchCursor(statement, arguments: arguments)
            // Columns are read with SQLite's own accessors: GRDB's generic decoding took a
            // third of an export's time.
            let raw = statement.sqliteStatement
            var values = [FieldValue](repeating: .null, count: columns.count)
            while try cursor.next() != nil {
                for index in 0..<columns.count {
                    let column = Int32(index)
                    switch sqlite3_column_type(raw, column) {
                    case SQLITE_NULL: values[index] = .null
                    case SQLITE_INTEGER: values[index] = .integer(sqlite3_column_int64(raw, column))
                    case SQLITE_FLOAT: values[index] = .real(sqlite3_column_double(raw, column))
                    default:
                        let bytes = sqlite3_column_text(raw, column)
                        let count = Int(sqlite3_column_bytes(raw, column))
                        values[index] = .text(bytes.map { String(decoding: UnsafeBufferPointer(start: $0, count: count), as: UTF8.self) } ?? "")
                    }
                }
                try body(values)
            }
        }
    }

    /// The statement `search` runs for `query`, its bound values written in
    /// (what the benchmarks give `sqlite3`, so both run exactly the same SQL).
    public func expandedSQL(_ query: CatalogQuery) throws(CatalogError) -> String {
        try read { db in
            let (sql, arguments) = try query.sql(selecting: CallRecord.selection, in: db)
            return try Self.expanded(sql, arguments, in: db)
        }
    }

    /// Rows matching `query`, loaded into memory (searches with a limit).
    public func records(_ query: CatalogQuery) throws(CatalogError) -> [CallRecord] {
        var rows: [CallRecord] = []
        try forEach(query) { rows.append($0) }
        return rows
    }

    /// `PRAGMA integrity_check`'s answer: `ok` for a sound database.
    public func integrityCheck() throws(CatalogError) -> String {
        try read { db in try String.fetchAll(db, sql: "PRAGMA integrity_check").joined(separator: "; ") }
    }

    // MARK: Plumbing

    func read<T>(_ body: (Database) throws -> T) throws(CatalogError) -> T {
        do {
            return try writer.read(body)
        } catch let error as CatalogError {
            throw error
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw Self.damage(error, path: path)
        } catch {
            throw .database(Self.reason(error))
        }
    }

    private func write(_ body: (Database) throws -> Void) throws(CatalogError) {
        do {
            try writer.write(body)
        } catch let error as DatabaseError where Self.isDamage(error) {
            throw Self.damage(error, path: path)
        } catch let error as DatabaseError where [.SQLITE_FULL, .SQLITE_IOERR, .SQLITE_READONLY].contains(error.resultCode) {
            throw .cannotWrite(path: path, reason: Self.reason(error))
        } catch {
            throw .database(Self.reason(error))
        }
    }
}
