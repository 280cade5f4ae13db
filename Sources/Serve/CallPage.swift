import Catalog
import Foundation
import Hummingbird
import Model

extension Pages {
    /// Columns shown under "Call" and "Audio"; any other catalog column (the metrics, tags and
    /// notes of docs/contract.md §10, when they exist) is listed under "Metrics, tags and notes".
    static let callFacts = ["order_id", "call_index", "call_sid", "store_name", "store_code", "agent_name", "call_status",
                            "call_in_time", "call_out_time", "call_seconds", "recording_url", "attempts", "downloaded_at"]
    static let audioFacts = ["file_path", "file_size", "sha256", "audio_seconds", "frames", "expected_frames", "sample_rate",
                             "channels", "bitrate_kbps", "verified_at"]

    func call(_ lookup: CallLookup) async throws(WebError) -> Response {
        let record = try await lookup.record(in: catalog)
        let attempts: [DownloadAttempt]
        do {
            attempts = try await catalog.attempts(order: lookup.order.rawValue).filter { $0.callIndex == nil || $0.callIndex == lookup.index }
        } catch {
            throw WebError(error)
        }
        let shown = Set(Self.callFacts + Self.audioFacts + ["verdict", "verdict_detail"])
        let extra = CallRecord.columnNames.filter { !shown.contains($0) }
        let context: [String: Any] = [
            "title": "Order \(record.orderID)", "order": record.orderID, "index": String(record.callIndex),
            "multi": record.callIndex > 1, "verdict": record.verdict.rawValue,
            "verdictText": record.verdict.rawValue.replacingOccurrences(of: "_", with: " "), "detail": record.verdictDetail,
            "playable": record.filePath?.isEmpty == false && record.verdict != .missing,
            "audio": "/calls/\(record.orderID)/\(record.callIndex).mp3",
            "call": Self.facts(record, Self.callFacts), "audioFacts": Self.facts(record, Self.audioFacts),
            "extra": Self.facts(record, extra), "hasExtra": !extra.isEmpty,
            "attempts": attempts.map(Self.attempt), "hasAttempts": !attempts.isEmpty,
        ]
        return Responses.html(Templates.render("call", context))
    }

    private static func facts(_ record: CallRecord, _ names: [String]) -> [[String: String]] {
        names.map { name in
            let value = record.value(ofColumn: name) ?? .null
            let text: String = switch value {
            case .null: "—"
            case .text(let text): text.isEmpty ? "—" : text
            case .integer(let number): String(number)
            case .real(let number): name.hasSuffix("_seconds") ? String(format: "%.3f (%@)", number, duration(number)) : String(format: "%.3f", number)
            }
            return ["name": name.replacingOccurrences(of: "_", with: " "), "value": text]
        }
    }

    private static func attempt(_ attempt: DownloadAttempt) -> [String: String] {
        [
            "started": attempt.startedAt, "stage": attempt.stage.rawValue, "status": attempt.httpStatus.map(String.init) ?? "—",
            "bytes": String(attempt.bytes), "error": attempt.error ?? "",
        ]
    }

    // MARK: Stats

    func stats(_ fields: FormFields) async -> Response {
        var context: [String: Any] = ["title": "Stats", "onStats": true, "q": fields["q"] ?? ""]
        do throws(WebError) {
            let request = try StatsRequest(fields, zones: zones)
            let query = request.query
            let days: [StatsRow], stores: [StatsRow], agents: [StatsRow]
            do {
                days = try await catalog.stats(query, by: .day)
                stores = try await catalog.stats(query, by: .store)
                agents = try await catalog.stats(query, by: .agent)
            } catch {
                throw WebError(error)
            }
            let total = days.last
            context["summary"] = "\(total?.calls ?? 0) calls, \(total?.valid ?? 0) valid, "
                + String(format: "%.1f audio minutes.", (total?.audioSeconds ?? 0) / 60)
            context["daily"] = Charts.daily(days)
            context["mix"] = Charts.mix(total)
            context["stores"] = Charts.minutes(stores)
            context["agents"] = Charts.minutes(agents)
            context["legend"] = Charts.verdicts.map { ["verdict": $0, "label": $0.replacingOccurrences(of: "_", with: " ")] }
            return Responses.html(Templates.render("stats", context))
        } catch {
            guard case .badRequest(let message) = error else { return Self.errorPage(error) }
            context["error"] = message
            return Responses.html(Templates.render("stats", context), status: 400)
        }
    }
}
