import ArgumentParser
import Catalog
import Foundation
import Model
import Reports

extension CallArchive {
    /// `stores …`: the stores table that `--tz store` reads.
    struct Stores: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "stores", abstract: "Keep the stores table: each store's code, name and time zone (for --tz store).",
            subcommands: [ImportStores.self]
        )
    }

    /// `stores import FILE.csv`.
    struct ImportStores: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Add or update stores from a CSV file with the columns code, name and time_zone.",
            discussion: """
                The header names the columns, in any order (time_zone may also be timezone, tz or zone); other columns \
                are ignored. code is a store_code such as MI-062; time_zone an IANA name such as America/Detroit, or \
                empty. A bad line is reported as FILE:LINE and left out; the others are imported, and the exit code is 1. \
                A file without those columns is a usage error (64).
                """)

        @Argument(help: "The stores file (CSV; - for stdin).")
        var file: String

        @Flag(help: "Remove every store the file does not list.")
        var replace = false

        @OptionGroup var archive: ArchiveOptions

        func execute() async throws {
            let text: String
            do {
                text = file == "-"
                    ? String(decoding: FileHandle.standardInput.readDataToEndOfFile(), as: UTF8.self)
                    : try String(contentsOfFile: file, encoding: .utf8)
            } catch {
                throw Failure("cannot read \(TerminalText.safe(file)): \((error as NSError).localizedDescription)", code: 64)
            }
            let parsed: StoreList.Parsed
            do {
                parsed = try StoreList.parse(text, file: file == "-" ? "stdin" : file)
            } catch {
                throw Failure(TerminalText.safe(error.description), code: 64)
            }
            for problem in parsed.problems { Console.err("callarchive: \(TerminalText.safe(problem))\n") }
            let catalog = try await archive.location.openForWriting()
            try await catalog.saveStores(parsed.stores, replacingAll: replace)
            let zoned = parsed.stores.filter { !$0.timeZone.isEmpty }.count
            let total = try await catalog.stores().count
            Console.err("imported \(parsed.stores.count) stores (\(zoned) with a time zone); the catalog lists \(total)\n")
            if !parsed.problems.isEmpty { throw ExitCode(1) }
        }
    }
}
