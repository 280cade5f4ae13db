import Archive
import Foundation
import Model
import Reports
import Synchronization

/// Turns fetch events into what the user sees: the seed's display for one order, a progress
/// bar on a terminal or one line per call otherwise for many.
final class FetchRenderer: Sendable {
    enum Mode { case single, bar, lines }

    private struct State {
        var done = 0
        var failed = 0
        var bytes: Int64 = 0
        var downloaded = 0
        var inFlight: [String: (bytes: Int64, total: Int64?)] = [:]
        var lastPercent: [String: Int] = [:]
        var lastDraw = ContinuousClock.now - .seconds(1)
    }

    private let mode: Mode
    /// `--quiet`: no per-call lines but for calls that failed.
    private let quiet: Bool
    private let total: Int
    /// `--limit-rate` as the progress line shows it (`500 KiB/s`).
    private let cap: String?
    private let started = ContinuousClock.now
    private let state = Mutex(State())
    /// The zone the Call Information block also shows times in.
    private let zone: TimeZone

    init(orders: Int, quiet: Bool, zone: TimeZone = CallZones.utc.fallback, cap: String? = nil) {
        total = orders
        self.quiet = quiet
        self.zone = zone
        self.cap = cap
        if orders == 1 && !quiet {
            mode = .single
        } else {
            mode = Console.stderrIsTerminal && !quiet ? .bar : .lines
        }
    }

    func handle(_ event: FetchEvent) {
        switch mode {
        case .single: single(event)
        case .bar, .lines: bulk(event)
        }
    }

    /// In plain-lines mode, where no progress line shows the cap, one line says it at the start.
    func start() {
        if mode == .lines, !quiet, let cap { Console.err("downloads limited to \(cap) in total\n") }
    }

    /// Clears the bar before the summary.
    func finish() {
        if mode == .bar { Console.err("\r\u{1B}[2K") }
    }

    // MARK: One order: the seed's display (docs/contract.md §7)

    /// The seed's "Call Information" block for one call (also `info`'s output). Text from the
    /// API goes through `TerminalText.safe`, so it cannot carry escape sequences to the terminal.
    /// Outside UTC, each time is followed by the local time in `zone`.
    static func callInformation(order: OrderID, call: CallInfo, index: Int, count: Int, zone: TimeZone = CallZones.utc.fallback) -> String {
        let title = count > 1 ? "Call Information (call \(index + 1) of \(count)):\n" : "Call Information:\n"
        let zones = CallZones(zone)
        func local(_ text: String) -> String {
            guard !zones.isUTC, let time = Timestamp(iso8601: text) else { return "" }
            return " (\(zones.localMinute(time, storeCode: nil)) \(zones.label))"
        }
        return title + """
            Order ID: \(order)
            Store: \(TerminalText.safe(call.storeName))
            Agent: \(TerminalText.safe(call.agentName))
            Status: \(TerminalText.safe(call.callStatus))
            Call In Time: \(TerminalText.safe(call.callInTime))\(local(call.callInTime))
            Call Out Time: \(TerminalText.safe(call.callOutTime))\(local(call.callOutTime))
            Recording URL Available: \(call.recordingURL.isEmpty ? "No" : "Yes")

            """
    }

    private func single(_ event: FetchEvent) {
        switch event {
        case let .metadata(order, calls):
            for (index, call) in calls.enumerated() {
                Console.out(Self.callInformation(order: order, call: call, index: index, count: calls.count, zone: zone) + "\n")
            }
        case .downloadStarted:
            Console.out("Downloading audio file...\n")
        case let .progress(order, index, bytes, total):
            guard let total, total > 0 else { return }
            let permille = Int(Double(bytes) / Double(total) * 1000)
            let key = "\(order)#\(index)"
            let shouldPrint = state.withLock { state -> Bool in
                let step = Console.stderrIsTerminal ? 1 : 100
                let last = state.lastPercent[key] ?? -1000
                guard permille - last >= step || (permille == 1000 && last != 1000) else { return false }
                state.lastPercent[key] = permille
                return true
            }
            guard shouldPrint else { return }
            let text = String(format: "Download progress: %.1f%%", Double(permille) / 10) + (cap.map { " (limited to \($0))" } ?? "")
            Console.err(Console.stderrIsTerminal ? "\r\(text)" + (permille == 1000 ? "\n" : "") : text + "\n")
        case let .retrying(_, _, attempt, reason, wait):
            Console.err("Attempt \(attempt) failed: \(TerminalText.safe(reason)); retrying in \(String(format: "%.1f", wait)) s\n")
        case let .callFinished(outcome) where outcome.skipped:
            Console.out("\n\(Self.callLine(outcome))\n")
        case let .callFinished(outcome):
            let record = outcome.record
            switch record.verdict {
            case .valid:
                Console.out("\nDownload completed:\nFile: \(outcome.displayPath ?? "")\nSize: \(Console.megabytes(record.fileSize ?? 0))\n")
                Console.out("Verified: \(Self.audioSummary(record)) — valid\n")
            case .noRecording:
                Console.out("No recording: the API lists no recording URL for this call.\n")
            case .failed:
                Console.err("Download failed: \(TerminalText.safe(record.verdictDetail))\n")
            default:
                Console.err("Verification failed: \(record.verdict.rawValue): \(TerminalText.safe(record.verdictDetail))\n")
                if let path = outcome.displayPath { Console.err("Quarantined: \(path)\n") }
            }
        case let .orderSkipped(order, calls):
            Console.out("Order \(order): \(calls == 1 ? "its call is" : "all \(calls) calls are") already in the archive and valid; skipped (use --force to fetch again).\n")
        }
    }

    static func audioSummary(_ record: CallRecord) -> String {
        let seconds = record.audioSeconds ?? 0
        let minutes = Int(seconds) / 60
        let rest = seconds - Double(minutes * 60)
        let channels = record.channels == 1 ? "mono" : "stereo"
        let frames = record.frames ?? 0
        var text = String(format: "%d:%06.3f of audio (%.3f s), %d frame%@, %d Hz %@, %.0f kbps",
                          minutes, rest, seconds, frames, frames == 1 ? "" : "s", record.sampleRate ?? 0, channels, record.bitrateKbps ?? 0)
        if record.isShortRecording { text += "; \(record.verdictDetail)" }
        return text
    }

    // MARK: Many orders

    private func bulk(_ event: FetchEvent) {
        switch event {
        case let .progress(order, index, bytes, total):
            guard mode == .bar else { return }
            let line = state.withLock { state -> String? in
                state.inFlight["\(order)#\(index)"] = (bytes, total)
                guard ContinuousClock.now - state.lastDraw > .milliseconds(100) else { return nil }
                state.lastDraw = ContinuousClock.now
                return bar(state)
            }
            if let line { Console.err(line) }
        case let .retrying(order, index, attempt, reason, wait):
            if mode == .lines, !quiet {
                Console.err("\(order)\(index.map { $0 > 1 ? "-\($0)" : "" } ?? ""): attempt \(attempt) failed (\(TerminalText.safe(reason))); retrying in \(String(format: "%.1f", wait)) s\n")
            }
        case let .callFinished(outcome):
            let record = outcome.record
            let line = state.withLock { state -> String in
                state.inFlight["\(record.orderID)#\(record.callIndex)"] = nil
                state.done += 1
                if record.verdict == .valid, !outcome.skipped {
                    state.bytes += record.fileSize ?? 0
                    state.downloaded += 1
                }
                if record.verdict != .valid && record.verdict != .noRecording { state.failed += 1 }
                return mode == .bar ? bar(state) : ""
            }
            if mode == .lines {
                if !quiet || Self.isProblem(outcome) { Console.err(Self.callLine(outcome) + "\n") }
            } else if record.verdict != .valid {
                Console.err("\r\u{1B}[2K" + Self.callLine(outcome) + "\n" + line)
            } else {
                Console.err(line)
            }
        case let .orderSkipped(order, calls):
            state.withLock { $0.done += 1 }
            if mode == .lines, !quiet { Console.err("\(order): skipped, \(calls) valid call\(calls == 1 ? "" : "s") already archived\n") }
        case .metadata, .downloadStarted:
            break
        }
    }

    /// A call that did not end valid or without recording: shown even with `--quiet`.
    static func isProblem(_ outcome: CallOutcome) -> Bool {
        !outcome.skipped && outcome.record.verdict != .valid && outcome.record.verdict != .noRecording
    }

    static func callLine(_ outcome: CallOutcome) -> String {
        let record = outcome.record
        let name = record.callIndex > 1 ? "\(record.orderID)-\(record.callIndex)" : record.orderID
        if outcome.skipped { return "\(name): valid, already in the archive; skipped" }
        switch record.verdict {
        case .valid:
            return "\(name): valid, \(Console.megabytes(record.fileSize ?? 0)), \(String(format: "%.1f", record.audioSeconds ?? 0)) s"
                + (outcome.resumedFrom.map { ", resumed at byte \($0)" } ?? "")
        case .noRecording:
            return "\(name): no recording"
        default:
            return "\(name): \(record.verdict.rawValue): \(TerminalText.safe(record.verdictDetail))" + (outcome.quarantined ? " (quarantined)" : "")
        }
    }

    /// `[=====>    ] 12/30  3.40 MB  1.20 MB/s  ETA 0:12  2 failed`
    private func bar(_ state: State) -> String {
        let elapsed = max(0.001, (ContinuousClock.now - started).seconds)
        let bytes = state.bytes + state.inFlight.values.reduce(0) { $0 + $1.bytes }
        let rate = Double(bytes) / elapsed
        let fraction = total > 0 ? Double(state.done) / Double(total) : 1
        let cells = 24
        let filled = Int(fraction * Double(cells))
        let barText = String(repeating: "=", count: filled) + (filled < cells ? ">" : "") + String(repeating: " ", count: max(0, cells - filled - 1))
        var estimate = TransferEstimate()
        estimate.inFlight = Array(state.inFlight.values)
        estimate.finishedCalls = state.downloaded
        estimate.finishedBytes = state.bytes
        estimate.callsNotStarted = total - state.done - state.inFlight.count
        let eta = TransferEstimate.clock(estimate.secondsLeft(elapsed: elapsed))
        return "\r\u{1B}[2K[\(barText)] \(state.done)/\(total)  \(Console.megabytes(bytes))  \(Console.megabytes(Int64(rate)))/s\(cap.map { " (cap \($0))" } ?? "")  ETA \(eta)"
            + (state.failed > 0 ? "  \(state.failed) failed" : "")
    }
}
