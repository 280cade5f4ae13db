import ArgumentParser
import Foundation
import Model
import Serve

extension CallArchive {
    /// `serve`: the archive in a browser: search, listen, charts (docs/serve.md).
    struct Serve: Subcommand {
        static let configuration = CommandConfiguration(
            commandName: "serve",
            abstract: "Serve a read-only web page over the archive: search, hear and chart calls in a browser.",
            discussion: "Listens on 127.0.0.1 unless --listen says otherwise; any other address needs --token (or CALLARCHIVE_SERVE_TOKEN).")

        @Option(help: "Port to listen on (0 picks a free one).")
        var port: Int = 8090

        @Option(help: ArgumentHelp("Address to listen on; anything but loopback needs a token.", valueName: "address"))
        var listen: String = "127.0.0.1"

        @Option(help: ArgumentHelp("Access token every request must carry (env CALLARCHIVE_SERVE_TOKEN).", valueName: "token"))
        var token: String?

        @Option(help: ArgumentHelp(
            "IANA time zone queries and local times read (env CALLARCHIVE_TZ; default the machine's; store: each store's).", valueName: "zone"))
        var tz: String?

        @OptionGroup var archive: ArchiveOptions

        private var serveConfiguration: ServeConfiguration {
            ServeConfiguration(
                location: archive.location, host: listen, port: port,
                token: token ?? ProcessInfo.processInfo.environment["CALLARCHIVE_SERVE_TOKEN"]
            )
        }

        func validate() throws {
            try ZoneOption.check(tz)
            do {
                try serveConfiguration.validate()
            } catch {
                throw ValidationError(error.description)
            }
        }

        func execute() async throws {
            var configuration = serveConfiguration
            configuration.zones = ZoneOption.chosen(tz)?.name == "store"
                ? try await ZoneOption.zones(tz, catalog: archive.location.openForReading())
                : CallZones(ZoneOption.single(tz))
            let server = try await WebServer.open(configuration)
            try await server.run { url in
                Console.out("Serving \(archive.location.directory) at \(url)  (Ctrl-C stops)\n")
            }
        }
    }
}
