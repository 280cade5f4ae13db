import AudioCheck
import Catalog
import Foundation
import Model

/// The outcome of checking one catalogued file again.
public struct VerifyOutcome: Sendable {
    public let record: CallRecord
    /// The verdict the catalog had before this check.
    public let previous: Verdict
    /// What the file hashes to now (nil when it is gone).
    public var fileSHA256: String?
    /// How many files this run checks in all.
    public var total = 0
}

/// Totals of a verify run.
public struct VerifySummary: Sendable, Equatable {
    public var checked = 0
    public var verdicts: [String: Int] = [:]
    /// Files whose verdict changed in this run.
    public var changedVerdicts = 0
    /// Audio files in the archive the catalog does not know (with `orphans`).
    public var orphans: [String] = []

    public init() {}

    /// True when every checked file is valid and there are no orphans.
    public var clean: Bool {
        verdicts.keys.allSatisfy { $0 == Verdict.valid.rawValue } && orphans.isEmpty
    }
}

/// The last line of `verify --json` (docs/reports.md, "JSON"): `"type": "summary"` after the
/// per-file objects, snake_case keys.
extension VerifySummary: Encodable {
    private enum CodingKeys: String, CodingKey {
        case type, checked, verdicts, changedVerdicts = "changed_verdicts", orphans
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode("summary", forKey: .type)
        try container.encode(checked, forKey: .checked)
        try container.encode(verdicts, forKey: .verdicts)
        try container.encode(changedVerdicts, forKey: .changedVerdicts)
        try container.encode(orphans, forKey: .orphans)
    }
}

/// Re-decodes and re-hashes catalogued files (docs/contract.md §3 `verify`): `missing`, `changed`, new verdicts.
public struct VerifyPipeline: Sendable {
    public let location: ArchiveLocation
    public let catalog: any Catalog
    public let jobs: Int
    /// Measure the audio metrics of every file again, not only of those never measured.
    public let remeasure: Bool

    public init(location: ArchiveLocation, catalog: any Catalog, jobs: Int, remeasure: Bool = false) {
        self.location = location
        self.catalog = catalog
        self.jobs = jobs
        self.remeasure = remeasure
    }

    public func run(
        _ query: CatalogQuery, orphans: Bool, events: @escaping @Sendable (VerifyOutcome) -> Void
    ) async throws -> VerifySummary {
        var targets: [CallRecord] = []
        try await catalog.forEach(query) { record in
            // A pruned call's file was deleted on purpose: it is not missing.
            if record.filePath != nil, record.verdict != .pruned { targets.append(record) }
        }
        let checks = CheckRunner(width: jobs)
        let location = location
        let catalog = catalog
        let remeasure = remeasure
        var summary = VerifySummary()
        try await concurrentForEach(targets, width: jobs, { record in
            try await Self.verify(record, location: location, catalog: catalog, checks: checks, remeasure: remeasure)
        }) { outcome in
            var outcome = outcome
            outcome.total = targets.count
            summary.checked += 1
            summary.verdicts[outcome.record.verdict.rawValue, default: 0] += 1
            if outcome.record.verdict != outcome.previous { summary.changedVerdicts += 1 }
            events(outcome)
            // Ctrl-C: the files being checked finish and are recorded; no new one starts.
            try Task.checkCancellation()
        }
        if orphans {
            summary.orphans = try await findOrphans()
        }
        return summary
    }

    /// Decodes the file on the check runner's threads, then records what was found.
    static func verify(
        _ record: CallRecord, location: ArchiveLocation, catalog: any Catalog, checks: CheckRunner, remeasure: Bool
    ) async throws -> VerifyOutcome {
        let outcome = try await checks.run { Self.check(record, location: location, remeasure: remeasure) }
        try await catalog.saveVerification(outcome.record)
        return outcome
    }

    /// Decodes the file and judges it again. The audio metrics are measured only when the call
    /// has none, or with `remeasure`: the same bytes (the same sha256) have the same metrics,
    /// and the loudness filter costs about as much as the decode (bench/analysis.md).
    static func check(_ original: CallRecord, location: ArchiveLocation, remeasure: Bool = false) -> VerifyOutcome {
        var record = original
        var found: String?
        let path = location.path(original.filePath ?? "")
        record.verifiedAt = Timestamp.now.iso8601
        if access(path, F_OK) != 0 {
            record.verdict = .missing
            record.verdictDetail = "\(original.filePath ?? "") is gone"
        } else {
            do {
                let measured = original.sha256 == nil ? nil : original.metrics
                let report = try AudioChecker(measuring: remeasure || measured == nil).check(fileAt: path)
                found = report.sha256
                if let known = original.sha256, known != report.sha256 {
                    record.verdict = .changed
                    record.verdictDetail = "sha256 is \(report.sha256.prefix(12))…, catalogued \(known.prefix(12))…; "
                        + "now \(report.verdict.rawValue): \(report.detail)"
                } else {
                    let sha = record.sha256
                    record.apply(report)
                    record.sha256 = sha ?? report.sha256
                    if report.metrics == nil, let measured, report.frames > 0, report.verdict != .notAudio { record.record(measured) }
                }
            } catch {
                record.verdict = .missing
                record.verdictDetail = "\(error)"
            }
        }
        return VerifyOutcome(record: record, previous: original.verdict, fileSHA256: found)
    }

    /// `.mp3` files at the top of the archive and in quarantine that no row points to.
    func findOrphans() async throws -> [String] {
        var known = Set<String>()
        try await catalog.forEach { if let path = $0.filePath { known.insert(path) } }
        var found: [String] = []
        for folder in ["", ArchiveLocation.quarantineFolder] {
            let directory = folder.isEmpty ? location.directory : location.path(folder)
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            for name in names.sorted() where name.lowercased().hasSuffix(".mp3") {
                let relative = folder.isEmpty ? name : folder + "/" + name
                if !known.contains(relative) { found.append(relative) }
            }
        }
        return found
    }
}
