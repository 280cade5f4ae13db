import Catalog
import Foundation
import Model
import PostgresCatalog

/// `callarchive catalog copy FROM TO`: every call and attempt of one catalog into another,
/// SQLite file or PostgreSQL URL either way, in batches of whole orders taken in key order,
/// each batch one transaction at the target. An interrupted copy resumes after the last order
/// the target holds; nothing is copied twice. The target must be empty or hold exactly the
/// source's first orders (an earlier copy of it); anything else is refused untouched. At the
/// end both sides' row counts and checksums (`CatalogDigest`) must agree.
public enum CatalogCopy {
    public enum Event: Sendable {
        /// The target already holds the source's orders up to `after`, identical.
        case resuming(after: String, already: CatalogDigest)
        /// A batch is in: `calls` of the source's `total` calls are at the target.
        case copied(calls: Int, total: Int)
        case verifying
    }

    public struct Report: Sendable {
        /// Rows this run wrote (not those an earlier run copied).
        public var copiedCalls = 0
        public var copiedAttempts = 0
        /// Both sides' digest, equal.
        public var digest = CatalogDigest()
        public var resumedAfter: String?
    }

    public static let defaultBatchSize = 5000

    public static func run(
        from source: any TransferableCatalog, to target: any TransferableCatalog, batchSize: Int = defaultBatchSize,
        progress: (Event) -> Void = { _ in }
    ) async throws -> Report {
        var report = Report()
        var cursor = try await target.lastOrder()
        if let last = cursor {
            let there = try await CatalogDigest.of(target)
            guard there == (try await CatalogDigest.of(source, through: last)) else {
                throw CatalogCopyError.targetHoldsOtherRows(target: target.location, holds: there)
            }
            report.resumedAfter = last
            progress(.resuming(after: last, already: there))
        }
        let total = try await source.count()
        var done = try await target.count()
        while true {
            let batch = try await source.batch(after: cursor, limit: batchSize)
            guard let last = batch.lastOrder else { break }
            try await target.append(batch)
            cursor = last
            report.copiedCalls += batch.calls.count
            report.copiedAttempts += batch.attempts.count
            done += batch.calls.count
            progress(.copied(calls: done, total: total))
            await TestPause.copy.hold()
            // A batch without calls took every attempt left.
            if batch.calls.isEmpty { break }
        }
        progress(.verifying)
        let (expected, found) = (try await CatalogDigest.of(source), try await CatalogDigest.of(target))
        guard expected == found else {
            throw CatalogCopyError.mismatch(source: source.location, expected: expected, target: target.location, found: found)
        }
        report.digest = found
        return report
    }

    /// A catalog named on the command line: a `postgresql://` URL, an SQLite file, or an
    /// archive directory (its `catalog.sqlite`). A source must exist; a target file is created.
    public static func open(_ text: String, asSource: Bool) async throws -> any TransferableCatalog {
        if PostgresAddress.isURL(text) { return try await PostgresCatalog.open(url: text, connections: 2) }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory)
        let path = exists && isDirectory.boolValue ? (text as NSString).appendingPathComponent(ArchiveLocation.catalogFileName) : text
        if asSource {
            guard FileManager.default.fileExists(atPath: path) else { throw CatalogCopyError.noSource(path: path) }
            return try SQLiteCatalog.openForReading(at: path)
        }
        return try SQLiteCatalog.open(at: path)
    }

    /// Where `text` points, to tell a copy onto itself: a URL without its password, or the
    /// file's real path.
    public static func identity(_ text: String) -> String {
        if PostgresAddress.isURL(text) { return (try? PostgresAddress(url: text, environment: [:]).description) ?? text }
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: text, isDirectory: &isDirectory)
        let path = exists && isDirectory.boolValue ? (text as NSString).appendingPathComponent(ArchiveLocation.catalogFileName) : text
        return URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
    }
}

/// Why a copy stopped (exit 3): the target cannot take the source's rows, or the two sides
/// differ at the end.
public enum CatalogCopyError: Error, Sendable, CustomStringConvertible {
    case noSource(path: String)
    case targetHoldsOtherRows(target: String, holds: CatalogDigest)
    case mismatch(source: String, expected: CatalogDigest, target: String, found: CatalogDigest)

    public var description: String {
        switch self {
        case let .noSource(path):
            "there is no catalog at \(path) to copy from"
        case let .targetHoldsOtherRows(target, holds):
            "\(target) already holds \(holds.calls) calls and \(holds.attempts) attempts that are not an earlier copy of the "
                + "source's first orders; nothing was written. Copy into an empty database or a new file."
        case let .mismatch(source, expected, target, found):
            "verification failed: \(source) has \(expected), \(target) has \(found). The source changed during the copy, "
                + "or the target was written meanwhile; copy again into an empty database or a new file."
        }
    }
}
