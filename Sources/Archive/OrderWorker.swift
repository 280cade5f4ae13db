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

    /// The first call's lock is held from the first read on, so that read also serves as the
    /// first call's row under its lock (a call is only ever finished under its lock): for an
    /// order of one call, one read and the writes of the pending and the final row.
    func fetch(_ order: OrderID) async throws -> FetchSummary {
        let first = order.fileName(callIndex: 1)
        try await locks.claim(first)
        var held = true
        defer { if held { locks.release(first) } }
        var summary = FetchSummary()
        // Read before any request: an order whose calls are all done is skipped without one.
        let known = options.force ? nil : try await catalog.records(order: order.rawValue)
        if let known, !known.isEmpty, known.allSatisfy(isPresentAndValid) {
            summary.skipped = known.count
            events(.orderSkipped(order: order, calls: known.count))
            return summary
        }
        var attempts: [DownloadAttempt] = []
        let calls: [CallInfo]
        switch try await lookUp(order, attempts: &attempts) {
        case let .success(found): calls = found
        case let .failure(error):
            let outcome = try await recordLookUpFailure(order, error, attempts: attempts)
            summary.add(outcome)
            events(.callFinished(outcome))
            return summary
        }
        try await insertPending(order, calls, known: known)
        events(.metadata(order: order, calls: calls))
        for (offset, info) in calls.enumerated() {
            let outcome: CallOutcome
            if offset == 0 {
                let previous = if let known { known.first { $0.callIndex == 1 } } else {
                    try await catalog.record(order: order.rawValue, callIndex: 1)
                }
                outcome = try await fetchLocked(order: order, index: 1, info: info, attempts: attempts, previous: previous)
                locks.release(first)
                held = false
            } else {
                outcome = try await fetchCall(order: order, index: offset + 1, info: info)
            }
            summary.add(outcome)
            events(.callFinished(outcome))
        }
        return summary
    }

    /// Every listed call gets a row, so an interrupted run leaves the rest visible as not done.
    /// Rows are never removed: when all were read before, there is nothing to write.
    private func insertPending(_ order: OrderID, _ calls: [CallInfo], known: [CallRecord]?) async throws {
        let rows = Set(known?.map(\.callIndex) ?? [])
        guard !(1...max(1, calls.count)).allSatisfy(rows.contains) else { return }
        try await catalog.insertMissing(calls.enumerated().map { offset, info in
            CallRecord(order: order, callIndex: offset + 1, info: info, verdict: .failed, detail: "pending: not downloaded yet")
        })
    }

    /// The order's calls from the API, under the retry policy; each failed try is an attempt.
    /// Throws only when the run must stop (Ctrl-C).
    private func lookUp(_ order: OrderID, attempts: inout [DownloadAttempt]) async throws -> Result<[CallInfo], any Error> {
        do {
            let calls = try await retrier.run(host: api.origin.description, onFailure: { notice in
                attempts.append(attempt(order: order, callIndex: nil, stage: .metadata, error: notice.error))
                if let wait = notice.retryIn {
                    events(.retrying(order: order, callIndex: nil, attempt: notice.attempt, reason: notice.error.description, wait: wait))
                }
            }) { _ in try await api.calls(for: order) }
            attempts.append(DownloadAttempt(orderID: order.rawValue, callIndex: nil, stage: .metadata, startedAt: now(), httpStatus: 200))
            return .success(calls)
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            return .failure(error)
        }
    }

    /// The order gets a row all the same, so the failure is visible and `refetch` finds it.
    private func recordLookUpFailure(_ order: OrderID, _ error: any Error, attempts: [DownloadAttempt]) async throws -> CallOutcome {
        var record = try await catalog.record(order: order.rawValue, callIndex: 1)
            ?? CallRecord(order: order, callIndex: 1, info: CallInfo(), verdict: .failed)
        record.verdict = .failed
        record.verdictDetail = Self.describe(error)
        try await catalog.save(record, attempts: attempts)
        return CallOutcome(record: record, displayPath: nil, quarantined: false)
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
        options.location.holdsValidFile(record)
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

    /// A further call of an order: its row is read under its lock, since another run may have
    /// fetched it since the order was looked at (even one that finished before the lock was asked for).
    private func fetchCall(order: OrderID, index: Int, info: CallInfo) async throws -> CallOutcome {
        let name = order.fileName(callIndex: index)
        try await locks.claim(name)
        defer { locks.release(name) }
        let previous = try await catalog.record(order: order.rawValue, callIndex: index)
        return try await fetchLocked(order: order, index: index, info: info, attempts: [], previous: previous)
    }

    /// One call whose lock is held and whose row (`previous`) was read under it: skip it when
    /// done, refuse what cannot be fetched, then download.
    private func fetchLocked(
        order: OrderID, index: Int, info: CallInfo, attempts earlier: [DownloadAttempt], previous: CallRecord?
    ) async throws -> CallOutcome {
        let name = order.fileName(callIndex: index)
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
            let report: AudioReport
            switch await check(&state, result, partPath: partPath) {
            case let .success(checked): report = checked
            case let .failure(error):
                unlink(partPath)
                return try await finish(&state, .failed, Self.describe(error))
            }
            if report.verdict != .valid, damagedRounds < options.retry.retries {
                damagedRounds += 1
                unlink(partPath)
                let wait = options.retry.backoff(afterAttempt: damagedRounds - 1)
                let reason = "\(report.verdict.rawValue): \(report.detail)"
                events(.retrying(order: state.order, callIndex: state.index, attempt: state.recordingAttempts, reason: reason, wait: wait))
                try await Task.sleep(for: .milliseconds(Int64(wait * 1000)))
                continue
            }
            return try await commitOrQuarantine(&state, report: report, resumedFrom: result.resumedFrom)
        }
    }

    /// Records the download as an attempt, then decodes the `.part` (off the cooperative
    /// threads) and takes what the check found into the row.
    private func check(_ state: inout CallState, _ result: DownloadResult, partPath: String) async -> Result<AudioReport, any Error> {
        state.attempts.append(DownloadAttempt(
            orderID: state.order.rawValue, callIndex: state.index, stage: .recording, startedAt: now(),
            httpStatus: result.httpStatus, bytes: result.size - (result.resumedFrom ?? 0), rangeStart: result.resumedFrom
        ))
        await TestPause.decode.hold()
        let expected = result.expectedSize
        do {
            let report = try await checks.run { try AudioChecker().check(fileAt: partPath, expectedSize: expected) }
            state.record.apply(report)
            state.record.verifiedAt = now()
            return .success(report)
        } catch {
            return .failure(error)
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

    /// The checked `.part` goes where its verdict says: a whole recording to its final name (any
    /// quarantined copy of it removed), one still damaged after its retries to `quarantine/`.
    private func commitOrQuarantine(_ state: inout CallState, report: AudioReport, resumedFrom: Int64?) async throws -> CallOutcome {
        let destination = ArchiveLocation.destination(of: state.name, verdict: report.verdict)
        try await options.location.commit(state.name + ".part", to: destination)
        state.record.downloadedAt = state.record.verifiedAt
        guard report.verdict == .valid else {
            return try await finish(&state, report.verdict, report.detail, path: destination, quarantined: true)
        }
        await TestPause.commit.hold()
        unlink(options.location.path(ArchiveLocation.quarantineFolder + "/" + state.name))
        return try await finish(&state, .valid, "", path: destination, resumedFrom: resumedFrom)
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
