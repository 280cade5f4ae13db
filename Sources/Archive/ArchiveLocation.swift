import Catalog
import Foundation
import PostgresCatalog

/// Where an archive lives: its directory and its catalog (docs/contract.md §2), an SQLite file
/// or a PostgreSQL URL (docs/scale-out.md).
public struct ArchiveLocation: Sendable {
    /// The archive directory as the user wrote it (used in messages).
    public let directory: String
    /// The catalog's path, or its `postgresql://` URL.
    public let catalogPath: String

    /// True when the catalog is a PostgreSQL database: no file in the archive holds it.
    public var catalogIsURL: Bool { PostgresAddress.isURL(catalogPath) }

    public static let defaultDirectory = "downloads"
    public static let catalogFileName = "catalog.sqlite"
    public static let quarantineFolder = "quarantine"

    public init(directory: String, catalogPath: String? = nil) {
        self.directory = directory
        self.catalogPath = catalogPath ?? (directory as NSString).appendingPathComponent(Self.catalogFileName)
    }

    /// `directory/name`, for files at the top of the archive or in quarantine.
    public func path(_ relative: String) -> String {
        (directory as NSString).appendingPathComponent(relative)
    }

    /// Creates the directory when missing (fetch, import), then opens the catalog.
    /// `workers` sizes a PostgreSQL catalog's connection pool (a fetch's `--jobs`).
    public func openForWriting(workers: Int = 4) async throws(ArchiveError) -> any Catalog {
        var isDirectory: ObjCBool = false
        if !FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotCreateDirectory(path: directory, reason: Self.reason(error))
            }
        } else if !isDirectory.boolValue {
            throw .cannotCreateDirectory(path: directory, reason: "a file with that name exists")
        }
        try requireWritable()
        return try await openCatalog(workers: workers)
    }

    /// Opens an existing archive without creating anything (verify, refetch).
    public func openExisting() async throws(ArchiveError) -> any Catalog {
        try requireDirectory()
        try requireWritable()
        return try await openCatalog()
    }

    /// The directory (where SQLite keeps its -wal and -shm files) and an existing catalog must
    /// be writable: found before anything is opened, rather than as an SQLite error mid-run.
    private func requireWritable() throws(ArchiveError) {
        guard access(directory, W_OK | X_OK) == 0 else {
            throw .readOnly(path: directory, reason: String(cString: strerror(errno)))
        }
        if !catalogIsURL, access(catalogPath, F_OK) == 0, access(catalogPath, W_OK) != 0 {
            throw .readOnly(path: catalogPath, reason: String(cString: strerror(errno)))
        }
    }

    /// The catalog of an existing archive, for commands that only read it (search, stats,
    /// export): works on a read-only volume too. A PostgreSQL catalog needs no directory.
    /// `wholeCatalog`: the command reads every row (export), so an SQLite catalog is read
    /// through a memory map (`SQLiteCatalog.openForReading(at:mapped:)`).
    public func openForReading(wholeCatalog: Bool = false) async throws(ArchiveError) -> any Catalog {
        if !catalogIsURL { try requireDirectory() }
        return try await openCatalog(readOnly: true, mapped: wholeCatalog)
    }

    /// The catalog for a process that must never write (`serve`): an SQLite catalog through a
    /// read-only connection, refused when it would need a migration. A PostgreSQL catalog is
    /// opened as for reading.
    public func openReadOnly() async throws(ArchiveError) -> any Catalog {
        if catalogIsURL { return try await openCatalog(readOnly: true) }
        try requireDirectory()
        do {
            return try SQLiteCatalog.openReadOnly(at: catalogPath)
        } catch {
            throw .catalog(error)
        }
    }

    private func requireDirectory() throws(ArchiveError) {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw .missingDirectory(path: directory)
        }
    }

    private func openCatalog(readOnly: Bool = false, mapped: Bool = false, workers: Int = 4) async throws(ArchiveError) -> any Catalog {
        do {
            // A connection per worker, and a few for claims and their renewals.
            if catalogIsURL { return try await PostgresCatalog.open(url: catalogPath, connections: workers + 4) }
            return try readOnly ? SQLiteCatalog.openForReading(at: catalogPath, mapped: mapped) : SQLiteCatalog.open(at: catalogPath)
        } catch {
            throw .catalog(error)
        }
    }

    static func reason(_ error: any Error) -> String {
        if let error = error as? CocoaError, let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError,
           underlying.domain == NSPOSIXErrorDomain
        {
            return String(cString: strerror(Int32(underlying.code)))
        }
        return error.localizedDescription
    }
}
