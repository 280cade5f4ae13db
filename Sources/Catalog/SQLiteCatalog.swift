import Foundation
import GRDB
import GRDBSQLite
import Model

/// The SQLite catalog: one row per call, the attempts made for each, and the queries over them.
///
/// On disk it is a WAL-mode database that several processes may share: writes are short
/// transactions and every connection waits (busy timeout) instead of failing when another
/// process holds the write lock. The waiting happens on Dispatch threads (`offload`), never on
/// the cooperative pool.
public final class SQLiteCatalog: Catalog {
    let writer: any DatabaseWriter
    /// Where the catalog lives, or `:memory:`.
    public let path: String
    public var location: String { path }
    public let backend = "sqlite"

    private init(writer: any DatabaseWriter, path: String) {
        self.writer = writer
        self.path = path
    }

    /// Opens (creating when missing, with mode 0600) the catalog at `path` and applies pending
    /// migrations. Refuses files that are not catalogs and catalogs from a newer schema.
    public static func open(at path: String) throws(CatalogError) -> SQLiteCatalog {
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
                let catalog = SQLiteCatalog(writer: pool, path: path)
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

    /// Errors another process's concurrent setup causes, which a retry resolves. A migration
    /// that creates nothing under its final name (0008 rebuilds `calls` through `calls_new`)
    /// meets the winner only at its own row in grdb_migrations; its transaction is rolled back.
    private static func isContention(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
            || (error.message ?? "").contains("already exists")
            || (error.message ?? "").contains("grdb_migrations.identifier")
            // A migration that adds a column (0005) which the other process just added.
            || (error.message ?? "").contains("duplicate column name")
    }

    /// A private in-memory catalog with the same schema, for tests and dry runs.
    public static func inMemory() throws(CatalogError) -> SQLiteCatalog {
        do {
            let catalog = SQLiteCatalog(writer: try DatabaseQueue(), path: ":memory:")
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
        } catch let error as DatabaseError where Self.isDamage(error) || error.resultCode == .SQLITE_NOMEM {
            // A garbled length in the full-text index's structure record can also ask SQLite
            // for an allocation it refuses: out of memory, on a catalog of a few pages.
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

    static func isDamage(_ error: DatabaseError) -> Bool {
        error.resultCode == .SQLITE_NOTADB || error.resultCode == .SQLITE_CORRUPT
            || (error.message ?? "").contains("fts5 file format")
    }

    static func damage(_ error: DatabaseError, path: String) -> CatalogError {
        .damaged(path: path, reason: "SQLite says: \(error.message ?? "\(error.resultCode)")")
    }

    /// Opens an existing catalog for reading only (search, stats, export): one read-only
    /// connection, which also works on a read-only volume or snapshot. A catalog that still
    /// lacks a migration is opened for writing once, to apply it.
    ///
    /// `mapped`, for a command that reads the whole catalog (export): SQLite reads the file
    /// through a memory map (up to 2 GiB) instead of a `pread` per 4 KiB page, which took a
    /// third of an export's time in the kernel. Not the default: every page touched counts in the
    /// process's resident memory, which a long-running reader should not grow.
    public static func openForReading(at path: String, mapped: Bool = false) throws(CatalogError) -> SQLiteCatalog {
        guard fileSize(path) > 0 else { return try open(at: path) }
        try checkHeader(path: path)
        let (queue, current) = try inspect(path: path)
        if current {
            if mapped { try? queue.inDatabase { try $0.execute(sql: "PRAGMA mmap_size = 2147418112") } }
            return SQLiteCatalog(writer: queue, path: path)
        }
        try? queue.close()
        return try open(at: path)
    }

    /// Opens an existing, current catalog through a read-only connection and never writes it
    /// (`serve`): a missing or empty file, or one that still lacks a migration, is refused.
    public static func openReadOnly(at path: String) throws(CatalogError) -> SQLiteCatalog {
        guard fileSize(path) > 0 else { throw .cannotOpen(path: path, reason: "no catalog there yet; fetch or import calls first") }
        try checkHeader(path: path)
        let (queue, current) = try inspect(path: path)
        guard current else {
            try? queue.close()
            throw .cannotOpen(path: path, reason: "the catalog needs a schema upgrade, which a read-only process does not do; run `callarchive search` once")
        }
        return SQLiteCatalog(writer: queue, path: path)
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
}
