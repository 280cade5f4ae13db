import Archive
import ArgumentParser
import Foundation
import Synchronization

extension CallArchive {
    /// `import PATH…`: adopt existing MP3 files.
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Adopt existing MP3 files (named ORDER_ID.mp3) into the archive: copy, decode, catalogue.",
            discussion: "Damaged files are catalogued in quarantine/. Exit 1 when a file was skipped or is not valid.")

        @Argument(help: "Files or directories (searched recursively for .mp3).")
        var paths: [String]

        @Flag(help: "Do not ask the API for metadata.")
        var offline = false

        @OptionGroup var archive: ArchiveOptions
        @OptionGroup var network: NetworkOptions

        func run() async throws {
            do {
                let location = archive.location
                let catalog = try location.openForWriting()
                let pipeline = ImportPipeline(location: location, catalog: catalog, api: offline ? nil : network.api, retry: network.retry)
                let problems = Mutex(false)
                let count = try await pipeline.run(paths: paths) { event in
                    switch event {
                    case let .imported(record, path):
                        if record.verdict != .valid { problems.withLock { $0 = true } }
                        Console.err("\(path): \(record.verdict.rawValue)" + (record.verdictDetail.isEmpty ? "" : " (\(record.verdictDetail))") + "\n")
                    case let .skipped(path, reason):
                        problems.withLock { $0 = true }
                        Console.err("\(path): skipped: \(reason)\n")
                    case let .metadataUnavailable(order, reason):
                        Console.err("\(order): no metadata from the API: \(reason)\n")
                    }
                }
                let records = try catalog.count()
                Console.err("Imported \(count) file\(count == 1 ? "" : "s"); the catalog has \(records) call\(records == 1 ? "" : "s").\n")
                if problems.withLock({ $0 }) { throw ExitCode(1) }
            } catch {
                throw Failure.exit(error)
            }
        }
    }
}
