import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `stats [QUERY…]`: counts, durations and rates, grouped one or two ways.
    struct Stats: Subcommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count calls, valid and invalid recordings and audio minutes, grouped.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        @Option(help: ArgumentHelp(
            "Group by one or two of store, agent, status, verdict, day, week, month, hour, weekday (times in the --tz zone), e.g. store,agent.",
            valueName: "grouping[,grouping]"))
        var by: String?

        @Option(help: "table (fits the terminal), csv or json (a column per verdict, and the rates).")
        var format: Format = .table

        @Flag(help: "Table with a column per verdict, call minutes, the rates and whole group names, however wide.")
        var wide = false

        @Flag(help: "Table of rates: abandoned %, median and 90th percentile audio minutes, calls per day (always so with two groupings).")
        var rates = false

        /// The benchmarks' hook: print the SQL this would run, values written in, and stop.
        @Flag(help: .private)
        var printSQL = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            _ = try groupings()
        }

        /// `--by`: one grouping or two different ones.
        func groupings() throws -> [StatsGrouping] {
            guard let by else { return [] }
            let names = by.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
            let choices = StatsGrouping.allCases.map(\.rawValue).joined(separator: ", ")
            var groupings: [StatsGrouping] = []
            for name in names {
                guard let grouping = StatsGrouping(rawValue: name) else {
                    throw ValidationError("--by \"\(TerminalText.safe(by))\": unknown grouping \"\(TerminalText.safe(name))\"; use one or two of \(choices)")
                }
                guard !groupings.contains(grouping) else { throw ValidationError("--by \"\(by)\": \(name) is named twice") }
                groupings.append(grouping)
            }
            guard groupings.count <= 2 else { throw ValidationError("--by \"\(TerminalText.safe(by))\": at most two groupings") }
            return groupings
        }

        func execute() async throws {
            let groupings = try groupings()
            let (compiled, catalog) = try await query.compile { try await archive.location.openForReading() }
            let layout = StatsRenderer.Layout(groupings: groupings, zone: compiled.zones.label, wide: wide, rates: rates || groupings.count == 2)
            // The plain table shows no rates: it skips their figures and the pass over every call.
            let rates = format != .table || layout.wide || layout.rates
            if printSQL {
                let statements = try await catalog.statements(stats: compiled, by: groupings, rates: rates)
                return Console.out(statements.map { $0 + ";\n" }.joined())
            }
            try await MetricsNotice.warn(compiled, catalog: catalog)
            let rows = try await catalog.stats(compiled, by: groupings, rates: rates)
            Console.out(StatsRenderer.render(rows, format: format, layout: layout))
        }
    }
}
