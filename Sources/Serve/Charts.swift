import Catalog
import Foundation
import Model

/// The `/stats` charts as shapes for the SVG templates: rendered on the server, so the page
/// needs no script. Every label goes through the template, which escapes it.
enum Charts {
    /// Verdicts in docs/contract.md §6 order, `valid` first: the stacking and legend order.
    static let verdicts = Verdict.allCases.map(\.rawValue)

    static func tally(_ row: StatsRow, _ verdict: String) -> Int {
        verdict == Verdict.valid.rawValue ? row.valid : row.invalid[verdict] ?? 0
    }

    /// Calls per day, stacked by verdict: a column per day (the last `maxDays` days with calls).
    static func daily(_ rows: [StatsRow], width: Double = 640, height: Double = 200, maxDays: Int = 92) -> [String: Any] {
        let days = Array(rows.filter { $0.group != "TOTAL" && !$0.group.isEmpty }.suffix(maxDays))
        let top = Double(max(1, days.map(\.calls).max() ?? 1))
        let step = width / Double(max(1, days.count))
        var bars: [[String: Any]] = []
        for (index, day) in days.enumerated() {
            var y = height
            for verdict in verdicts {
                let count = tally(day, verdict)
                guard count > 0 else { continue }
                let barHeight = Double(count) / top * height
                y -= barHeight
                bars.append([
                    "x": fixed(Double(index) * step + step * 0.1), "y": fixed(y), "w": fixed(max(1, step * 0.8)),
                    "h": fixed(barHeight), "verdict": verdict, "label": "\(day.group): \(count) \(verdict)",
                ])
            }
        }
        return [
            "bars": bars, "max": String(Int(top)), "first": days.first?.group ?? "", "last": days.last?.group ?? "",
            "width": fixed(width), "height": fixed(height), "any": !days.isEmpty,
            "table": days.map { ["group": $0.group, "calls": String($0.calls), "valid": String($0.valid)] },
        ]
    }

    /// Audio minutes by group (store or agent): the `limit` largest as horizontal bars.
    static func minutes(_ rows: [StatsRow], limit: Int = 12, width: Double = 640) -> [String: Any] {
        let groups = rows.filter { $0.group != "TOTAL" }.sorted { ($0.audioSeconds, $1.group) > ($1.audioSeconds, $0.group) }.prefix(limit)
        let top = max(1, groups.map(\.audioSeconds).max() ?? 1)
        let rowHeight = 26.0, labelWidth = 250.0, plot = width - labelWidth - 70
        let bars = groups.enumerated().map { index, row -> [String: Any] in
            let name = row.group.isEmpty ? "(none)" : row.group
            let minutes = row.audioSeconds / 60
            let length = row.audioSeconds / top * plot
            return [
                "y": fixed(Double(index) * rowHeight + 4), "textY": fixed(Double(index) * rowHeight + 18),
                "x": fixed(labelWidth), "w": fixed(max(1, length)), "valueX": fixed(labelWidth + length + 6),
                "name": name.count > 34 ? String(name.prefix(33)) + "…" : name, "full": name,
                "value": String(format: "%.1f", minutes),
            ]
        }
        return ["bars": bars, "width": fixed(width), "height": fixed(Double(max(1, bars.count)) * rowHeight + 8), "any": !bars.isEmpty]
    }

    /// The verdict mix of the totals: one bar split by verdict, and a legend with counts and shares.
    static func mix(_ total: StatsRow?, width: Double = 640) -> [String: Any] {
        let calls = max(1, total?.calls ?? 0)
        var x = 0.0
        var parts: [[String: Any]] = []
        for verdict in verdicts {
            let count = total.map { tally($0, verdict) } ?? 0
            guard count > 0 else { continue }
            let share = Double(count) / Double(calls)
            parts.append([
                "x": fixed(x), "w": fixed(share * width), "verdict": verdict, "count": String(count),
                "share": String(format: "%.1f%%", share * 100), "label": verdict.replacingOccurrences(of: "_", with: " "),
            ])
            x += share * width
        }
        return ["parts": parts, "width": fixed(width), "any": !parts.isEmpty]
    }

    private static func fixed(_ value: Double) -> String { String(format: "%.1f", value) }
}
