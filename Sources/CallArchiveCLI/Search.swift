import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `search [QUERY…]`: catalog rows matching a query.
    struct Search: Subcommand {
        static let configuration = CommandConfiguration(commandName: "search", abstract: "List catalogued calls matching a query (all calls without one).")

        enum Format: String, ExpressibleByArgument, CaseIterable { case table, csv, json, jsonl }

        @Option(help: "Output format: table, csv, json or jsonl.")
        var format: Format = .table

        @Option(parsing: .unconditional, help: ArgumentHelp("Sort by a column; -FIELD for descending; several comma-separated.", valueName: "field"))
        var sort: String?

        @Option(help: "Show at most N rows.")
        var limit: Int?

        @Option(help: ArgumentHelp("Columns to show, comma-separated (catalog column names).", valueName: "a,b,…"))
        var fields: String?

        @Flag(help: "CSV without the formula guard (cells starting = + - @ are not prefixed with ').")
        var raw = false

        /// The benchmarks' hook: print the SQL this would run, values written in, and stop.
        @Flag(help: .private)
        var printSQL = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var query: QueryArguments

        func validate() throws {
            if let limit { try FlagRange.check(limit, 0...1_000_000_000, "--limit") }
        }

        func execute() async throws {
            let columns = try fields.map { try Columns.parse($0) }
            let (compiled, catalog) = try await query.compile(sort: sort, limit: limit) { try await archive.location.openForReading() }
            if printSQL { return Console.out(try await catalog.statement(search: compiled) + ";\n") }
            try await MetricsNotice.warn(compiled, catalog: catalog)
            let shape = LocalTimeColumn(columns: columns ?? CallRecord.columnNames + [LocalTimeColumn.name], zones: compiled.zones)
            switch format {
            case .table:
                let records = try await catalog.records(compiled)
                if records.isEmpty {
                    Console.err("no calls match\n")
                    return
                }
                let writer = TableWriter(columns: columns ?? TableWriter.defaultColumns, width: Console.width, zones: compiled.zones)
                Console.out(writer.render(records))
            case .csv:
                let writer = CSVWriter(columns: shape.columns, raw: raw)
                try await stream(catalog, compiled, header: writer.header) { writer.line(shape.values($0)) }
            case .jsonl:
                let writer = JSONLinesWriter(columns: shape.columns)
                try await stream(catalog, compiled) { writer.line(shape.values($0)) }
            case .json:
                let writer = JSONLinesWriter(columns: shape.columns)
                var first = true
                try await stream(catalog, compiled, header: "[", footer: "]\n") { record in
                    defer { first = false }
                    return (first ? "\n" : ",\n") + writer.object(shape.values(record))
                }
            }
        }
    }
}

/// Writes rows to stdout as they come from the catalog, in large writes.
func stream(
    _ catalog: any Catalog, _ query: CatalogQuery, header: String = "", footer: String = "",
    _ line: @escaping (CallRecord) -> String
) async throws {
    let output = BufferedOutput(descriptor: STDOUT_FILENO)
    output.write(header)
    try await catalog.forEach(query) { output.write(line($0)) }
    output.write(footer)
    try output.close()
}
