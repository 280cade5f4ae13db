import AsyncHTTPClient
import AudioCheck
import Catalog
import Foundation
import Model
import Telephony
import Transport

/// What happened to one path given to, or found by, `import`.
public enum ImportEvent: Sendable {
    /// `source` is the path read; `displayPath` where the file now is in the archive.
    case imported(CallRecord, source: String, displayPath: String)
    case skipped(path: String, reason: String)
    case metadataUnavailable(order: OrderID, callIndex: Int, reason: String)
}

/// The counts of one `import` run.
public struct ImportSummary: Sendable, Equatable {
    /// Files catalogued (valid or not).
    public var imported = 0
    /// Paths not read (not a regular file, not a call's name, already in the archive).
    public var skipped = 0
    /// Files catalogued with a verdict other than `valid` (they are in `quarantine/`).
    public var notValid = 0

    public init() {}
}

/// Adopts existing MP3 files (docs/contract.md §3 `import`, docs/import.md): reads only regular files,
/// copies them into the archive (via `.part`), decodes them, and catalogues what it learned
/// without blanking what the catalog already knew.
public struct ImportPipeline: Sendable {
    public let location: ArchiveLocation
    public let catalog: any Catalog
    /// Nil: `--offline`.
    public let api: APIConfiguration?
    public let retry: RetryPolicy

    public init(location: ArchiveLocation, catalog: any Catalog, api: APIConfiguration?, retry: RetryPolicy) {
        self.location = location
        self.catalog = catalog
        self.api = api
        self.retry = retry
    }

    /// Imports every file named in `paths` and every `.mp3` under the directories among them.
    public func run(paths: [String], events: @escaping @Sendable (ImportEvent) -> Void) async throws -> ImportSummary {
        let candidates = ImportSource.candidates(in: paths)
        if let api {
            return try await APIClient.withClients(api) { clients in
                var run = ImportRun(pipeline: self, client: try APIClient(configuration: api, clients: clients), events: events)
                return try await run.adopt(candidates)
            }
        }
        var run = ImportRun(pipeline: self, client: nil, events: events)
        return try await run.adopt(candidates)
    }
}

/// One run of `import`: the files already seen and the API's answers, per order.
private struct ImportRun {
    let pipeline: ImportPipeline
    let client: APIClient?
    let events: @Sendable (ImportEvent) -> Void
    /// Decodes off the cooperative threads, as fetch and verify do (one file at a time).
    let checks = CheckRunner(width: 1)
    var seen: Set<FileIdentity> = []
    var answers: [OrderID: Result<[CallInfo], ImportSkip>] = [:]
    var summary = ImportSummary()

    init(pipeline: ImportPipeline, client: APIClient?, events: @escaping @Sendable (ImportEvent) -> Void) {
        self.pipeline = pipeline
        self.client = client
        self.events = events
    }

    var location: ArchiveLocation { pipeline.location }

    /// Where a file is, seen from the archive.
    enum Place { case top, quarantine, outside }

    /// A call's file names in the archive, relative to it.
    struct CallFile {
        let name: String
        var quarantined: String { ArchiveLocation.quarantineFolder + "/" + name }
        var part: String { name + ".part" }

        /// Where a file in `place` is, or is copied to first.
        func at(_ place: Place) -> String {
            switch place {
            case .top: name
            case .quarantine: quarantined
            case .outside: part
            }
        }
    }

    mutating func adopt(_ candidates: [ImportCandidate]) async throws -> ImportSummary {
        for candidate in candidates {
            // Ctrl-C: the file in hand was finished and recorded; no new one starts.
            try Task.checkCancellation()
            do {
                try await adopt(candidate)
            } catch let skip as ImportSkip {
                summary.skipped += 1
                events(.skipped(path: candidate.path, reason: skip.reason))
            }
        }
        return summary
    }

    /// Reads one candidate into the archive and catalogue; throws `ImportSkip` for a file it
    /// leaves alone, anything else when the archive or catalog cannot be used.
    private mutating func adopt(_ candidate: ImportCandidate) async throws {
        let source = try ImportSource.open(candidate)
        // The same file named twice, or found again after it was moved into quarantine.
        guard seen.insert(source.identity).inserted else { return }
        guard let call = try await callKey(for: candidate.path) else {
            throw ImportSkip(reason: "the file name is not an order id (ORDER_ID.mp3 or ORDER_ID-N.mp3)")
        }
        let file = CallFile(name: call.order.fileName(callIndex: call.callIndex))
        let place: Place = FileIdentity(path: location.path(file.name)) == source.identity ? .top
            : FileIdentity(path: location.path(file.quarantined)) == source.identity ? .quarantine : .outside
        if place != .top, FileIdentity(path: location.path(file.name)) != nil {
            throw ImportSkip(reason: place == .outside
                ? "\(location.path(file.name)) already exists in the archive"
                : "\(file.name) in the archive holds this call; the quarantined copy is left as it is")
        }
        let info = await metadata(call.order, call.callIndex)
        if place == .outside { try copy(source, to: location.path(file.part)) }
        let report: AudioReport
        do {
            let checked = place == .outside ? location.path(file.part) : source.stablePath
            report = try await checks.run { try AudioChecker().check(fileAt: checked) }
        } catch {
            if place == .outside { unlink(location.path(file.part)) }
            throw ImportSkip(reason: "cannot be checked: \(error)")
        }
        let destination = ArchiveLocation.destination(of: file.name, verdict: report.verdict)
        try await move(file.at(place), to: destination)
        // A stale quarantined copy goes once a valid one arrives, as after a fetch.
        if place == .outside, report.verdict == .valid { unlink(location.path(file.quarantined)) }
        let existing = try await pipeline.catalog.record(order: call.order.rawValue, callIndex: call.callIndex)
        var record = existing ?? CallRecord(order: call.order, callIndex: call.callIndex, info: CallInfo(), verdict: report.verdict)
        if let info { record.learn(info) }
        record.apply(report)
        record.filePath = destination
        record.verifiedAt = Timestamp.now.iso8601
        record.downloadedAt = place == .outside ? record.verifiedAt : existing?.downloadedAt ?? Self.modified(source.status)
        try await pipeline.catalog.saveImported(record)
        summary.imported += 1
        if report.verdict != .valid { summary.notValid += 1 }
        events(.imported(record, source: candidate.path, displayPath: location.path(destination)))
    }

    /// The call a file name stands for (`OrderID.call(fromFileName:)`); of the readings of an
    /// ambiguous name, the one whose catalogued file has this name wins.
    private func callKey(for path: String) async throws -> (order: OrderID, callIndex: Int)? {
        let readings = OrderID.calls(fromFileName: (path as NSString).lastPathComponent)
        guard readings.count > 1 else { return readings.first }
        for reading in readings {
            let name = reading.order.fileName(callIndex: reading.callIndex)
            let row = try await pipeline.catalog.record(order: reading.order.rawValue, callIndex: reading.callIndex)
            if let stored = row?.filePath, [name, ArchiveLocation.quarantineFolder + "/" + name].contains(stored) { return reading }
        }
        return readings.first
    }

    /// The API's metadata for the `index`-th call of `order` (one request per order and run),
    /// or nil, with an event saying why.
    private mutating func metadata(_ order: OrderID, _ index: Int) async -> CallInfo? {
        guard let client else { return nil }
        if answers[order] == nil {
            do {
                answers[order] = .success(try await Retrier(policy: pipeline.retry).run(host: client.origin.description) { _ in
                    try await client.calls(for: order)
                })
            } catch {
                answers[order] = .failure(ImportSkip(reason: "\(error)"))
            }
        }
        switch answers[order] {
        case let .success(calls) where calls.count >= index:
            return calls[index - 1]
        case let .success(calls):
            events(.metadataUnavailable(order: order, callIndex: index, reason: "the API lists \(calls.count) call\(calls.count == 1 ? "" : "s") for this order"))
        case let .failure(failure):
            events(.metadataUnavailable(order: order, callIndex: index, reason: failure.reason))
        case nil:
            break
        }
        return nil
    }

    /// Copies the opened file to `part`, created afresh (whatever was there is removed, and a
    /// link is never written through), then syncs it.
    private func copy(_ source: SourceFile, to part: String) throws {
        try? FileManager.default.removeItem(atPath: part)
        let output = open(part, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard output >= 0 else { throw ArchiveError.notWritable(path: part, reason: String(cString: strerror(errno))) }
        defer { close(output) }
        var buffer = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = read(source.descriptor, &buffer, buffer.count)
            if count < 0, errno == EINTR { continue }
            if count < 0 {
                let reason = String(cString: strerror(errno))
                unlink(part)
                throw ImportSkip(reason: "cannot read it: \(reason)")
            }
            if count == 0 { break }
            var offset = 0
            while offset < count {
                let written = buffer.withUnsafeBytes { write(output, $0.baseAddress! + offset, count - offset) }
                if written < 0, errno == EINTR { continue }
                guard written > 0 else {
                    let reason = String(cString: strerror(errno))
                    unlink(part)
                    throw ArchiveError.notWritable(path: part, reason: reason)
                }
                offset += written
            }
        }
        guard fsync(output) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(part)
            throw ArchiveError.notWritable(path: part, reason: reason)
        }
    }

    /// Commits `from` as `to` (both relative to the archive; nothing to do when they are the
    /// same file); a `.part` copy that cannot be renamed is removed.
    private func move(_ from: String, to: String) async throws {
        guard from != to else { return }
        do {
            try await location.commit(from, to: to)
        } catch let error as ArchiveError {
            if from.hasSuffix(".part") { unlink(location.path(from)) }
            throw error
        }
    }

    static func iso8601(_ date: Date) -> String {
        Timestamp(millisecondsSince1970: Int64(date.timeIntervalSince1970 * 1000)).iso8601
    }

    /// When the file was last written: a file adopted where it lies was downloaded then.
    static func modified(_ status: stat) -> String {
        #if os(Linux)
        let time = status.st_mtim
        #else
        let time = status.st_mtimespec
        #endif
        return iso8601(Date(timeIntervalSince1970: Double(time.tv_sec) + Double(time.tv_nsec) / 1e9))
    }
}

extension CallRecord {
    /// Takes what the API said about this call and keeps every field it left empty.
    mutating func learn(_ info: CallInfo) {
        if !info.callSID.isEmpty { callSID = info.callSID }
        if !info.storeName.isEmpty {
            storeName = info.storeName
            storeCode = info.storeCode
        }
        if !info.agentName.isEmpty { agentName = info.agentName }
        if !info.callStatus.isEmpty { callStatus = info.callStatus }
        if !info.recordingURL.isEmpty { recordingURL = info.recordingURL }
        if let time = Timestamp(iso8601: info.callInTime) { callInTime = time.iso8601 }
        if let time = Timestamp(iso8601: info.callOutTime) { callOutTime = time.iso8601 }
        if let seconds = info.callSeconds { callSeconds = seconds }
        if !["", "{}"].contains(info.rawJSON) { apiJSON = info.rawJSON }
    }
}
