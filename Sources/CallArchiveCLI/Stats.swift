import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `stats [QUERY…]`: counts and durations, optionally grouped.
    struct Stats: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "stats", abstract: "Count calls, valid and invalid recordings and audio minutes, grouped.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json }

        @Option(help: "Group by store, agent, status, verdict, day or month.")
        var by: StatsGrouping?

        @Option(help: "table, csv or json.")
        var format: Format = .table

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func run() async throws {
            do {
                let compiled = try CatalogQuery(words: query.words)
                let rows = try archive.location.openForReading().stats(compiled, by: by)
                Console.out(StatsFormat.render(rows, format: format, grouping: by))
            } catch {
                throw Failure.exit(error)
            }
        }
    }
}

extension StatsGrouping: ExpressibleByArgument {}

/// The stats table, CSV and JSON.
enum StatsFormat {
    static let headers = ["group", "calls", "valid", "not_valid", "audio_minutes", "mean_audio_minutes", "call_minutes", "short_recordings"]

    static func cells(_ row: StatsRow) -> [String] {
        let invalid = row.invalid.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        return [
            row.group, String(row.calls), String(row.valid), invalid.isEmpty ? "0" : invalid,
            String(format: "%.1f", row.audioSeconds / 60), String(format: "%.2f", row.meanAudioSeconds / 60),
            String(format: "%.1f", row.callSeconds / 60), String(row.shortRecordings),
        ]
    }

    static func render(_ rows: [StatsRow], format: CallArchive.Stats.Format, grouping: StatsGrouping?) -> String {
        switch format {
        case .json:
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.sortedKeys, .prettyPrinted]
            return ((try? encoder.encode(rows)).map { String(decoding: $0, as: UTF8.self) } ?? "[]") + "\n"
        case .csv:
            let writer = CSVWriter()
            var header = headers
            header[0] = grouping?.rawValue ?? "group"
            return ([header] + rows.map(cells)).map { $0.map(writer.cell).joined(separator: ",") + "\r\n" }.joined()
        case .table:
            var header = headers.map { $0.replacingOccurrences(of: "_", with: " ").uppercased() }
            header[0] = (grouping?.rawValue ?? "").uppercased()
            let table = [header] + rows.map { cells($0).map(TerminalText.safe) }
            let widths = header.indices.map { column in table.map { $0[column].count }.max() ?? 0 }
            return table.map { row in
                row.enumerated().map { index, cell in
                    index == 0 ? cell.padding(toLength: widths[0], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[index] - cell.count) + cell
                }.joined(separator: "  ")
            }.joined(separator: "\n") + "\n"
        }
    }
}
