import AudioCheck
import Catalog
import Downloads
import Foundation
import Model
import Telephony
import Transport

/// Fetches one order: its metadata, then each call's recording in turn.
struct OrderWorker: Sendable {
    let options: FetchOptions
    let catalog: any Catalog
    let api: APIClient
    let downloader: Downloader
    let retrier: Retrier
    let events: @Sendable (FetchEvent) -> Void
    let locks: any CallClaims
    let checks: CheckRunner

    func fetch(_ order: OrderID) async throws -> FetchSummary {
        var summary = FetchSummary()
        if !options.force {
            let known = try await catalog.records(order: order.rawValue)
            if !known.isEmpty, known.allSatisfy(isPresentAndValid) {
                summary.skipped = known.count
                events(.orderSkipped(order: order, calls: known.count))
                return summary
            }
        }
        var attempts: [DownloadAttempt] = []
        let calls: [CallInfo]
        do {
            calls = try await retrier.run(host: api.origin.description, onFailure: { notice in
                attempts.append(attempt(order: order, callIndex: nil, stage: .metadata, error: notice.error))
                if let wait = notice.retryIn {
                    events(.retrying(order: order, callIndex: nil, attempt: notice.attempt, reason: notice.error.description, wait: wait))
                }
            }) { _ in try await api.calls(for: order) }
            attempts.append(DownloadAttempt(orderID: order.rawValue, callIndex: nil, stage: .metadata, startedAt: now(), httpStatus: 200))
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            // The order gets a row all the same, so the failure is visible and `refetch` finds it.
            var record = try await catalog.record(order: order.rawValue, callIndex: 1)
                ?? CallRecord(order: order, callIndex: 1, info: CallInfo(), verdict: .failed)
            record.verdict = .failed
            record.verdictDetail = Self.describe(error)
            try await catalog.save(record, attempts: attempts)
            let outcome = CallOutcome(record: record, displayPath: nil, quarantined: false)
            summary.add(outcome)
            events(.callFinished(outcome))
            return summary
        }
        try await catalog.insertMissing(calls.enumerated().map { offset, info in
            CallRecord(order: order, callIndex: offset + 1, info: info, verdict: .failed, detail: "pending: not downloaded yet")
        })
        events(.metadata(order: order, calls: calls))
        for (offset, info) in calls.enumerated() {
            let outcome = try await fetchCall(order: order, index: offset + 1, info: info, attempts: offset == 0 ? attempts : [])
            summary.add(outcome)
            events(.callFinished(outcome))
        }
        return summary
    }

    /// Another call whose file has this name: order `X-2`'s call 1 and order `X`'s call 2 are
    /// both `X-2.mp3`. The one catalogued first keeps the name; nothing overwrites it.
    private func otherCall(named name: String, than order: OrderID, _ index: Int) async throws -> CallRecord? {
        for reading in OrderID.calls(fromFileName: name) where reading.order != order || reading.callIndex != index {
            guard let other = try await catalog.record(order: reading.order.rawValue, callIndex: reading.callIndex) else { continue }
            if other.filePath == name || other.filePath == ArchiveLocation.quarantineFolder + "/" + name { return other }
        }
        return nil
    }

    private func isPresentAndValid(_ record: CallRecord) -> Bool {
        guard record.verdict == .valid, let path = record.filePath, let size = record.fileSize else { return false }
        var info = stat()
        return stat(options.location.path(path), &info) == 0 && Int64(info.st_size) == size
    }

    /// What one call's fetch carries from step to step.
    private struct CallState {
        let order: OrderID
        let index: Int
        let name: String
        /// The row before this run touched it (read under the call's lock).
        let previous: CallRecord?
        var record: CallRecord
        var attempts: [DownloadAttempt]

        var recordingAttempts: Int { attempts.filter { $0.stage == .recording }.count }
    }

    /// One call: under its lock, skip it when done, refuse what cannot be fetched, then download.
    private func fetchCall(order: OrderID, index: Int, info: CallInfo, attempts earlier: [DownloadAttempt]) async throws -> CallOutcome {
        let name = order.fileName(callIndex: index)
        try await locks.claim(name)
        defer { locks.release(name) }
        // Read under the lock: another run may have fetched this call since this order was
        // looked at (even one that finished before the lock was asked for).
        let previous = try await catalog.record(order: order.rawValue, callIndex: index)
        if !options.force, let done = previous, isPresentAndValid(done) {
            return CallOutcome(record: done, displayPath: done.filePath.map(options.location.path), quarantined: false, skipped: true)
        }
        var state = CallState(
            order: order, index: index, name: name, previous: previous,
            record: CallRecord(order: order, callIndex: index, info: info, verdict: .failed), attempts: earlier
        )
        state.record.attempts = previous?.attempts ?? 0
        if let other = try await otherCall(named: name, than: order, index) {
            return try await finish(&state, .failed, "the file name \(name) already holds call \(other.callIndex) of order \(other.orderID); "
                + "the archive's naming cannot tell the two apart, so this call was not fetched")
        }
        guard !info.recordingURL.isEmpty else {
            return try await finish(&state, .noRecording, "the API lists no recording for this call")
        }
        let url: URL
        do {
            url = try api.recordingURL(info.recordingURL)
        } catch {
            return try await finish(&state, .failed, error.description)
        }
        return try await downloadUntilWhole(&state, url: url)
    }

    /// Downloads and decodes until the recording is whole (kept under its final name), or its
    /// retries are spent (quarantined), or it fails for good.
    private func downloadUntilWhole(_ state: inout CallState, url: URL) async throws -> CallOutcome {
        let partPath = options.location.path(state.name) + ".part"
        if options.force { unlink(partPath) }
        events(.downloadStarted(order: state.order, callIndex: state.index))
        var damagedRounds = 0
        while true {
            let result: DownloadResult
            switch try await download(&state, url: url, partPath: partPath) {
            case let .success(downloaded): result = downloaded
            case let .failure(error):
                unlink(partPath)
                return try await finish(&state, .failed, Self.describe(error))
            }
            state.attempts.append(DownloadAttempt(
                orderID: state.order.rawValue, callIndex: state.index, stage: .recording, startedAt: now(),
                httpStatus: result.httpStatus, bytes: result.size - (result.resumedFrom ?? 0), rangeStart: result.resumedFrom
            ))
            await TestPause.decode.hold()
            let report: AudioReport
            do {
                let expected = result.expectedSize
                report = try await checks.run { try AudioChecker().check(fileAt: partPath, expectedSize: expected) }
            } catch {
                unlink(partPath)
                return try await finish(&state, .failed, Self.describe(error))
            }
            state.record.apply(report)
            state.record.verifiedAt = now()
            if report.verdict == .valid {
                return try await keep(&state, partPath: partPath, resumedFrom: result.resumedFrom)
            }
            if damagedRounds < options.retry.retries {
                damagedRounds += 1
                unlink(partPath)
                let wait = options.retry.backoff(afterAttempt: damagedRounds - 1)
                let reason = "\(report.verdict.rawValue): \(report.detail)"
                events(.retrying(order: state.order, callIndex: state.index, attempt: state.recordingAttempts, reason: reason, wait: wait))
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                continue
            }
            return try await quarantine(&state, partPath: partPath, report: report)
        }
    }

    /// One download under the retry policy. Throws when the run must stop (Ctrl-C, a full or
    /// unwritable disk), after recording the call and keeping its `.part`; returns the failure
    /// of this call alone.
    private func download(_ state: inout CallState, url: URL, partPath: String) async throws -> Result<DownloadResult, any Error> {
        let (order, index) = (state.order, state.index)
        do {
            return .success(try await retrier.run(host: Origin(url)?.description ?? "", onFailure: { notice in
                state.attempts.append(attempt(order: order, callIndex: index, stage: .recording, error: notice.error))
                if let wait = notice.retryIn {
                    events(.retrying(order: order, callIndex: index, attempt: notice.attempt, reason: notice.error.description, wait: wait))
                }
            }) { _ in
                try await downloader.download(
                    DownloadRequest(url: url, partPath: partPath, maxSize: options.maxSize, resume: true, requestTimeout: options.api.requestTimeout),
                    headers: api.headers(for:),
                    progress: { bytes, total in events(.progress(order: order, callIndex: index, bytes: bytes, total: total)) }
                )
            })
        } catch DownloadError.cancelled {
            try await recordInterruption(&state, partPath: partPath)
            throw CancellationError()
        } catch is CancellationError {
            try await recordInterruption(&state, partPath: partPath)
            throw CancellationError()
        } catch let DownloadError.disk(path, reason) {
            // A full disk or an unwritable archive fails every call alike: stop the run,
            // keep the `.part` to resume once there is room.
            try? await recordInterruption(&state, partPath: partPath, reason: reason)
            throw ArchiveError.notWritable(path: path, reason: reason)
        } catch {
            return .failure(error)
        }
    }

    /// A whole recording: renamed to its final name, any quarantined copy of it removed.
    private func keep(_ state: inout CallState, partPath: String, resumedFrom: Int64?) async throws -> CallOutcome {
        try commit(partPath, to: options.location.path(state.name))
        await TestPause.commit.hold()
        unlink(options.location.path(ArchiveLocation.quarantineFolder + "/" + state.name))
        state.record.downloadedAt = state.record.verifiedAt
        return try await finish(&state, .valid, "", path: state.name, resumedFrom: resumedFrom)
    }

    /// A recording still damaged after its retries goes to `quarantine/`, never a final name.
    private func quarantine(_ state: inout CallState, partPath: String, report: AudioReport) async throws -> CallOutcome {
        let quarantine = ArchiveLocation.quarantineFolder + "/" + state.name
        try FileManager.default.createDirectory(atPath: options.location.path(ArchiveLocation.quarantineFolder), withIntermediateDirectories: true)
        try commit(partPath, to: options.location.path(quarantine))
        state.record.downloadedAt = state.record.verifiedAt
        return try await finish(&state, report.verdict, report.detail, path: quarantine, quarantined: true)
    }

    /// Saves the call's row and its attempts. Damaged audio keeps the verdict the check gave.
    private func finish(
        _ state: inout CallState, _ verdict: Verdict, _ detail: String, path: String? = nil, quarantined: Bool = false,
        resumedFrom: Int64? = nil
    ) async throws -> CallOutcome {
        if verdict != .valid, !verdict.isDamagedAudio {
            state.record.verdict = verdict
            state.record.verdictDetail = detail
        }
        state.record.filePath = path
        state.record.attempts += state.recordingAttempts
        try await catalog.save(state.record, attempts: state.attempts)
        return CallOutcome(
            record: state.record, displayPath: path.map(options.location.path), quarantined: quarantined, resumedFrom: resumedFrom
        )
    }

    /// An interrupted call keeps its `.part` for the next run; its row says so, unless the
    /// catalog already had a valid file for it (a `--force` refetch), which stays as it was.
    private func recordInterruption(_ state: inout CallState, partPath: String, reason: String = "interrupted") async throws {
        if let previous = state.previous, previous.verdict == .valid {
            try await catalog.save(previous, attempts: state.attempts)
            return
        }
        let kept = Downloader.fileSize(partPath)
        state.record.verdict = .failed
        state.record.verdictDetail = kept > 0
            ? "\(reason); \(kept) bytes kept in \((partPath as NSString).lastPathComponent) for the next run"
            : "\(reason) before any byte arrived"
        state.record.attempts += state.recordingAttempts + 1
        try await catalog.save(state.record, attempts: state.attempts)
    }

    /// Renames a checked `.part` file to its final name (atomic in one directory) and syncs the directory.
    private func commit(_ partPath: String, to finalPath: String) throws {
        guard rename(partPath, finalPath) == 0 else {
            throw ArchiveError.notWritable(path: finalPath, reason: String(cString: strerror(errno)))
        }
        let directory = open((finalPath as NSString).deletingLastPathComponent, O_RDONLY | O_DIRECTORY)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private func attempt(order: OrderID, callIndex: Int?, stage: DownloadAttempt.Stage, error: any ClassifiedError) -> DownloadAttempt {
        DownloadAttempt(
            orderID: order.rawValue, callIndex: callIndex, stage: stage, startedAt: now(), httpStatus: error.httpStatus, error: Self.describe(error)
        )
    }

    static func describe(_ error: any Error) -> String {
        String(describing: error)
    }

    private func now() -> String {
        Timestamp.now.iso8601
    }
}
