import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `stats [QUERY…]`: counts and durations, optionally grouped.
    struct Stats: Subcommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count calls, valid and invalid recordings and audio minutes, grouped.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        @Option(help: "Group by store, agent, status, verdict, day or month.")
        var by: StatsGrouping?

        @Option(help: "table (fits the terminal), csv or json (a column per verdict).")
        var format: Format = .table

        @Flag(help: "Table with a column per verdict, call minutes and whole group names, however wide.")
        var wide = false

        /// The benchmarks' hook: print the SQL this would run, values written in, and stop.
        @Flag(help: .private)
        var printSQL = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func execute() async throws {
            let compiled = try CatalogQuery(words: query.words)
            if printSQL {
                let statements = try await archive.location.openForReading().statements(stats: compiled, by: by)
                return Console.out(statements.map { $0 + ";\n" }.joined())
            }
            let catalog = try await archive.location.openForReading()
            try await MetricsNotice.warn(compiled, catalog: catalog)
            let rows = try await catalog.stats(compiled, by: by)
            Console.out(StatsRenderer.render(rows, format: format, grouping: by, wide: wide))
        }
    }
}

extension StatsGrouping: ExpressibleByArgument {}

/// The stats table, CSV and JSON (docs/reports.md, "stats").
enum StatsRenderer {
    static func render(_ rows: [StatsRow], format: CallArchive.Stats.Format, grouping: StatsGrouping?, wide: Bool = false) -> String {
        switch format {
        case .json:
            let names = ["group"] + StatsRow.figureNames
            return JSONStyle.array(rows.map { JSONStyle.object(zip(names, [.text($0.group)] + $0.figures)) })
        case .csv:
            let writer = CSVWriter(columns: [grouping?.rawValue ?? "group"] + StatsRow.figureNames)
            return writer.header + rows.map { writer.line([.text($0.group)] + $0.figures) }.joined()
        case .table:
            return table(rows, grouping: grouping, wide: wide, width: Console.width)
        }
    }

    /// The audio metric columns of `--wide`, last: mean dead air in seconds, calls with dead
    /// air of `StatsRow.deadAirSeconds` or more, clipped calls (80 columns cannot hold them).
    static let metricHeaders = ["DEAD AIR S", "AIR \(StatsRow.deadAirSeconds)S+", "CLIPPED"]

    static func metricCells(_ row: StatsRow) -> [String] {
        [String(format: "%.1f", row.meanDeadAirSeconds), String(row.deadAirCalls), String(row.clippedCalls)]
    }

    /// Calls, valid, not valid, audio minutes, mean minutes, short recordings: 80 columns hold
    /// them with a cut group name. `wide` adds a column per verdict and call minutes, uncut.
    static func table(_ rows: [StatsRow], grouping: StatsGrouping?, wide: Bool, width: Int) -> String {
        let verdicts = wide ? StatsRow.notValidVerdicts : []
        let headers = ["CALLS", "VALID", "NOT VALID"] + verdicts.map { $0.rawValue.replacingOccurrences(of: "_", with: " ").uppercased() }
            + ["AUDIO MIN", "MEAN MIN"] + (wide ? ["CALL MIN"] : []) + ["SHORT"] + (wide ? metricHeaders : [])
        let cells = rows.map { row -> [String] in
            let counts: [String] = [TerminalText.safe(row.group), String(row.calls), String(row.valid), String(row.notValid)]
                + verdicts.map { String(row.invalid[$0.rawValue] ?? 0) }
                + [String(format: "%.1f", row.audioSeconds / 60), String(format: "%.2f", row.meanAudioSeconds / 60)]
            return counts + (wide ? [String(format: "%.1f", row.callSeconds / 60)] : []) + [String(row.shortRecordings)] + (wide ? metricCells(row) : [])
        }
        return TextTable(
            headers: [(grouping?.rawValue ?? "").uppercased()] + headers, rightAligned: Set(1...headers.count),
            shrinkable: wide ? [] : [0], width: wide ? .max : max(40, width)
        ).render(cells)
    }
}
