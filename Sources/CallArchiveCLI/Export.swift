import Archive
import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `export [QUERY…]`: the report, CSV (docs/contract.md §9) or JSON Lines, streamed.
    struct Export: Subcommand {
        static let configuration = CommandConfiguration(commandName: "export", abstract: "Write matching calls as a CSV or JSON Lines report.")

        enum Format: String, ExpressibleByArgument, CaseIterable { case csv, jsonl }

        @Option(help: "csv (RFC 4180, for spreadsheets) or jsonl.")
        var format: Format = .csv

        @Option(help: ArgumentHelp("Columns, comma-separated (default: every catalog column).", valueName: "a,b,…"))
        var columns: String?

        @Option(name: .shortAndLong, help: ArgumentHelp(
            "Write here instead of stdout: a file is replaced atomically (through a symbolic link, its target); a FIFO or device is written through; - is stdout.",
            valueName: "file"))
        var output: String?

        @Option(parsing: .unconditional, help: ArgumentHelp("Sort by a column; -FIELD for descending.", valueName: "field"))
        var sort: String?

        @Flag(help: "CSV without the formula guard (cells starting = + - @ are not prefixed with ').")
        var raw = false

        @Flag(help: "Start the CSV with a UTF-8 byte order mark, so Excel on Windows shows accented names right.")
        var bom = false

        @Option(help: ArgumentHelp(
            "Write an evidence pack instead: a zip of calls.csv (this export), the matching recordings and manifest.json with their sha256.",
            valueName: "file"))
        var zip: String?

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            if bom && format != .csv { throw ValidationError("--bom is for CSV: JSON Lines never starts with a byte order mark") }
            if zip != nil && format != .csv { throw ValidationError("--zip packs the CSV report: leave out --format jsonl") }
            if zip != nil && output != nil { throw ValidationError("--zip names the pack to write: leave out --output") }
        }

        func execute() async throws {
            let names = try Columns.parse(columns)
            let (compiled, catalog) = try await query.compile(sort: sort) { try await archive.location.openForReading(wholeCatalog: true) }
            try await MetricsNotice.warn(compiled, catalog: catalog)
            if let zip { return try await pack(catalog, compiled, names, to: zip) }
            let sink = try output.map { try BufferedOutput(path: $0) } ?? BufferedOutput(descriptor: STDOUT_FILENO)
            do {
                try await write(catalog, compiled, names, to: sink)
                try sink.close()
            } catch {
                sink.discard()
                throw error
            }
        }

        /// The CSV's columns (`call_in_local` last unless --columns names them) and its writer.
        private func csvShape(_ compiled: CatalogQuery, _ names: [String]) -> (LocalTimeColumn, CSVWriter) {
            let shape = LocalTimeColumn(columns: columns == nil ? names + [LocalTimeColumn.name] : names, zones: compiled.zones)
            return (shape, CSVWriter(columns: shape.columns, raw: raw))
        }

        /// `--zip`: the CSV (the same bytes `export` writes), the recordings and the manifest.
        private func pack(_ catalog: any Catalog, _ compiled: CatalogQuery, _ names: [String], to path: String) async throws {
            let (shape, writer) = csvShape(compiled, names)
            var csv: [UInt8] = []
            if bom { csv += "\u{FEFF}".utf8 }
            csv += writer.header.utf8
            try await catalog.forEachRow(compiled, columns: shape.fetched) { values in writer.append(shape.values(values), to: &csv) }
            let records = try await catalog.records(compiled)
            let pack = EvidencePack(location: archive.location, query: query.words.joined(separator: " "), catalog: catalog.location)
            let summary: EvidencePack.Summary
            do {
                summary = try pack.write(to: path, csv: csv, records: records)
            } catch .notARegularFile {
                throw Failure(EvidencePackError.notARegularFile(path: path).description, code: 64)
            }
            Console.err("\(path): \(summary.calls) calls, \(summary.recordings) recordings, \(summary.problems) listed with a problem in manifest.json\n")
            if summary.missing > 0 { throw ExitCode(1) }
        }

        private func write(_ catalog: any Catalog, _ compiled: CatalogQuery, _ names: [String], to sink: BufferedOutput) async throws {
            switch format {
            case .csv:
                let (shape, writer) = csvShape(compiled, names)
                if bom { sink.write("\u{FEFF}") }
                sink.write(writer.header)
                try await catalog.forEachRow(compiled, columns: shape.fetched) { values in sink.write { writer.append(shape.values(values), to: &$0) } }
            case .jsonl:
                let all = CallRecord.columnNames + ["api_json", LocalTimeColumn.name]
                let shape = LocalTimeColumn(columns: columns == nil ? all : names, zones: compiled.zones)
                let writer = JSONLinesWriter(columns: shape.columns)
                try await catalog.forEachRow(compiled, columns: shape.fetched) { sink.write(writer.line(shape.values($0))) }
            }
        }
    }
}
