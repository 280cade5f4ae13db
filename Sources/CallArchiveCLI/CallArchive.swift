import ArgumentParser
import Model

/// `callarchive`: fetch, verify and query an archive of call recordings.
public struct CallArchive: AsyncParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "callarchive",
        abstract: "Download call recordings, prove every MP3 whole, and keep them in a searchable catalog.",
        discussion: """
            Environment: CALLARCHIVE_API_URL, CALLARCHIVE_API_TOKEN (sent only to the API's own host), \
            CALLARCHIVE_ARCHIVE.
            Exit codes: 0 success, 1 some items failed or problems found, 3 archive or catalog unusable, \
            64 usage error, 130 interrupted.
            """,
        version: CallArchiveVersion.current,
        subcommands: [
            Fetch.self, Info.self, Search.self, Export.self, Stats.self, Verify.self, Import.self, Refetch.self, Simulate.self, Demo.self,
            CatalogCommand.self, Serve.self, Stores.self, Sync.self, Config.self, Prune.self, Tag.self,
        ],
        defaultSubcommand: Fetch.self
    )

    public init() {}
}
