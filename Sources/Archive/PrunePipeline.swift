import Catalog
import Foundation
import Model

/// `--older-than 18mo`: an age in days (`d`), weeks (`w`), months (`mo`) or years (`y`).
public struct RetentionAge: Sendable, Equatable, CustomStringConvertible {
    public enum Unit: String, Sendable { case d, w, mo, y }
    public let count: Int
    public let unit: Unit

    public init?(_ text: String) {
        let lowered = text.trimmingCharacters(in: .whitespaces).lowercased()
        let digits = lowered.prefix { $0.isASCII && $0.isNumber }
        guard let count = Int(digits), (1...100_000).contains(count), let unit = Unit(rawValue: String(lowered.dropFirst(digits.count))) else {
            return nil
        }
        self.count = count
        self.unit = unit
    }

    public var description: String { "\(count)\(unit.rawValue)" }

    /// The first day (UTC) a call must be on to be kept: calls before it are older than this age.
    public func cutoffDay(from now: Date) -> Date {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = TimeZone(identifier: "UTC")!
        let component: Calendar.Component = switch unit { case .d: .day; case .w: .weekOfYear; case .mo: .month; case .y: .year }
        let then = calendar.date(byAdding: component, value: -count, to: now) ?? now
        return calendar.startOfDay(for: then)
    }
}

/// What `prune` found: the recordings to delete now (oldest first, at most `--max-delete`),
/// and how many more matched.
public struct PrunePlan: Sendable {
    public let records: [CallRecord]
    public let beyondLimit: Int
    public var bytes: Int64 { records.reduce(0) { $0 + ($1.fileSize ?? 0) } }
}

/// Retention (docs/operations.md "prune"): deletes recordings whose call is older than an age,
/// keeping each row with the verdict `pruned`, the time and the reason.
public struct PrunePipeline: Sendable {
    public let location: ArchiveLocation
    public let catalog: any Catalog

    public init(location: ArchiveLocation, catalog: any Catalog) {
        self.location = location
        self.catalog = catalog
    }

    /// The user's words, restricted to calls before the cutoff day that are not pruned yet and
    /// not on legal hold.
    public static func query(_ words: [String], olderThan age: RetentionAge, now: Date = Date()) throws(CatalogError) -> CatalogQuery {
        let lastDay = Date(timeInterval: -86_400, since: age.cutoffDay(from: now))
        let day = String(Timestamp(millisecondsSince1970: Int64(lastDay.timeIntervalSince1970 * 1000)).iso8601.prefix(10))
        // Legal hold: a call tagged `hold` is never pruned.
        return try CatalogQuery(words: words + ["date:..\(day)", "-verdict:=pruned", "-tag:=hold"])
    }

    /// The matching calls that have a file, oldest first, at most `limit` of them.
    public func plan(_ query: CatalogQuery, limit: Int) async throws -> PrunePlan {
        var records: [CallRecord] = []
        var beyond = 0
        try await catalog.forEach(query) { record in
            guard record.filePath != nil else { return }
            if records.count < limit { records.append(record) } else { beyond += 1 }
        }
        return PrunePlan(records: records, beyondLimit: beyond)
    }

    /// Marks each call `pruned` (time and reason in its detail), then deletes its file, one call
    /// at a time: an interruption leaves no `valid` row without its file (at worst, one pruned
    /// row whose file is still there). `deleted` gets each row as it is done.
    public func run(_ plan: PrunePlan, reason: String, deleted: @Sendable (CallRecord) -> Void) async throws {
        for var record in plan.records {
            try Task.checkCancellation()
            record.verdict = .pruned
            record.verdictDetail = "pruned \(Timestamp.now.iso8601): \(reason)"
            try await catalog.save(record)
            if let path = record.filePath, unlink(location.path(path)) != 0, errno != ENOENT {
                throw ArchiveError.notWritable(path: location.path(path), reason: String(cString: strerror(errno)))
            }
            deleted(record)
        }
    }
}
