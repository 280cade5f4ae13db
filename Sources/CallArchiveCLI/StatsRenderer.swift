import Catalog
import Foundation
import Reports

/// The stats table, CSV and JSON (docs/reports.md, "stats").
enum StatsRenderer {
    /// What the output groups by and which table to draw.
    struct Layout {
        var groupings: [StatsGrouping] = []
        /// The zone times are grouped in, named in a time grouping's header.
        var zone = "UTC"
        var wide = false
        var rates = false

        /// A grouping's table header: a time grouping names its zone.
        func header(_ grouping: StatsGrouping) -> String {
            switch grouping {
            case .store, .agent, .status, .verdict: grouping.rawValue.uppercased()
            case .day, .week, .month, .hour, .weekday: "\(grouping.rawValue.uppercased()) (\(zone))"
            }
        }
    }

    static func render(_ rows: [StatsRow], format: CallArchive.Stats.Format, grouping: StatsGrouping?, wide: Bool = false) -> String {
        render(rows, format: format, layout: Layout(groupings: grouping.map { [$0] } ?? [], wide: wide))
    }

    static func render(_ rows: [StatsRow], format: CallArchive.Stats.Format, layout: Layout) -> String {
        let two = layout.groupings.count == 2
        switch format {
        case .json:
            let names = ["group"] + (two ? ["subgroup"] : []) + StatsRow.figureNames
            return JSONStyle.array(rows.map { row in
                JSONStyle.object(zip(names, [.text(row.group)] + (two ? [.text(row.subgroup ?? "")] : []) + row.figures))
            })
        case .csv:
            let groups = layout.groupings.isEmpty ? ["group"] : layout.groupings.map(\.rawValue)
            let writer = CSVWriter(columns: groups + StatsRow.figureNames)
            return writer.header + rows.map { row in
                writer.line([.text(row.group)] + (two ? [.text(row.subgroup ?? "")] : []) + row.figures)
            }.joined()
        case .table:
            return layout.rates && !layout.wide
                ? rateTable(rows, layout: layout, width: Console.width) : table(rows, layout: layout, width: Console.width)
        }
    }

    /// Calls, valid, not valid, audio minutes, mean minutes, short recordings: 80 columns hold
    /// them with a cut group name. `wide` adds a column per verdict, call minutes and the
    /// rates, uncut.
    static func table(_ rows: [StatsRow], layout: Layout, width: Int) -> String {
        let wide = layout.wide
        let verdicts = wide ? StatsRow.notValidVerdicts : []
        let headers = ["CALLS", "VALID", "NOT VALID"] + verdicts.map { $0.rawValue.replacingOccurrences(of: "_", with: " ").uppercased() }
            + ["AUDIO MIN", "MEAN MIN"] + (wide ? ["CALL MIN"] : []) + ["SHORT"] + (wide ? rateHeaders + metricHeaders : [])
        let groups = groupHeaders(layout)
        let cells = rows.map { row in
            groupCells(row, layout) + [String(row.calls), String(row.valid), String(row.notValid)]
                + verdicts.map { String(row.invalid[$0.rawValue] ?? 0) }
                + [String(format: "%.1f", row.audioSeconds / 60), String(format: "%.2f", row.meanAudioSeconds / 60)]
                + (wide ? [String(format: "%.1f", row.callSeconds / 60)] : []) + [String(row.shortRecordings)]
                + (wide ? rateCells(row) + metricCells(row) : [])
        }
        return TextTable(
            headers: groups + headers, rightAligned: Set(groups.count..<(groups.count + headers.count)),
            shrinkable: wide ? [] : Set(groups.indices), width: wide ? .max : max(40, width)
        ).render(cells)
    }

    static let rateHeaders = ["ABANDONED %", "MEDIAN MIN", "P90 MIN", "CALLS/DAY"]

    /// The audio metric columns of `--wide`, last: mean dead air in seconds, calls with dead
    /// air of `StatsRow.deadAirSeconds` or more and their share, clipped calls (80 columns
    /// cannot hold them, nor the rates table).
    static let metricHeaders = ["DEAD AIR S", "AIR \(StatsRow.deadAirSeconds)S+", "AIR %", "CLIPPED"]

    static func metricCells(_ row: StatsRow) -> [String] {
        [String(format: "%.1f", row.meanDeadAirSeconds), String(row.deadAirCalls), String(format: "%.1f", row.deadAirPercent), String(row.clippedCalls)]
    }

    static func rateCells(_ row: StatsRow) -> [String] {
        [String(format: "%.1f", row.abandonedPercent), String(format: "%.2f", row.medianAudioSeconds / 60),
         String(format: "%.2f", row.p90AudioSeconds / 60), String(format: "%.1f", row.callsPerDay)]
    }

    /// The groups, calls, valid and the rates: two cut group names fit 80 columns.
    static func rateTable(_ rows: [StatsRow], layout: Layout, width: Int) -> String {
        let groups = groupHeaders(layout)
        let headers = ["CALLS", "VALID"] + rateHeaders
        let cells = rows.map { row in groupCells(row, layout) + [String(row.calls), String(row.valid)] + rateCells(row) }
        return TextTable(
            headers: groups + headers, rightAligned: Set(groups.count..<(groups.count + headers.count)),
            shrinkable: Set(groups.indices), width: max(40, width)
        ).render(cells)
    }

    private static func groupHeaders(_ layout: Layout) -> [String] {
        layout.groupings.isEmpty ? [""] : layout.groupings.map(layout.header)
    }

    private static func groupCells(_ row: StatsRow, _ layout: Layout) -> [String] {
        [TerminalText.safe(row.group)] + (layout.groupings.count == 2 ? [TerminalText.safe(row.subgroup ?? "")] : [])
    }
}
