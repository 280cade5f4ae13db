import Foundation
import Simulator
import Testing
import TestSupport

/// The TOML config file: defaults, `[profiles.NAME]`, precedence, `config show`, bad files.
@Suite(.serialized) struct ConfigTests {
    /// A config home holding `text` as callarchive/config.toml (mode 0600 unless told).
    static func configHome(_ text: String, mode: mode_t = 0o600) throws -> String {
        let home = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: home + "/callarchive", withIntermediateDirectories: true)
        let path = home + "/callarchive/config.toml"
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        chmod(path, mode)
        return home
    }

    @Test func aProfileSuppliesTheArchiveAndTheAPIAndFlagsStillWin() async throws {
        let archive = try temporaryDirectory(), other = try temporaryDirectory()
        let simulator = Simulator()
        try await simulator.withRunning { url in
            let home = try Self.configHome("""
                # defaults
                archive = "\(other)"
                jobs = 99

                [profiles.test]
                archive = "\(archive)"
                api_url = "\(url)"
                jobs = 2
                """)
            let env = ["XDG_CONFIG_HOME": home]
            // The profile's archive, API and jobs (the default's 99 would be a usage error).
            let run = try await CLI.run(["fetch", "--profile", "test", "CFG001"], environment: env)
            #expect(run.status == 0, "\(run.stderr)")
            #expect(FileManager.default.fileExists(atPath: archive + "/CFG001.mp3"))
            // Without the profile, the defaults apply: jobs = 99 reaches --jobs.
            let defaults = try await CLI.run(["fetch", "--api-url", url, "CFG002"], environment: env)
            #expect(defaults.status == 64)
            #expect(defaults.stderr.contains("--jobs must be from 1 to 64; got 99"), "\(defaults.stderr)")
            // A flag beats the file; the environment beats the profile.
            let flagged = try await CLI.run(["fetch", "--jobs", "1", "--api-url", url, "CFG003"], environment: env)
            #expect(flagged.status == 0, "\(flagged.stderr)")
            #expect(FileManager.default.fileExists(atPath: other + "/CFG003.mp3"))
            let third = try temporaryDirectory()
            let fromEnv = try await CLI.run(["fetch", "--profile", "test", "CFG004"], environment: env.merging(["CALLARCHIVE_ARCHIVE": third]) { $1 })
            #expect(fromEnv.status == 0, "\(fromEnv.stderr)")
            #expect(FileManager.default.fileExists(atPath: third + "/CFG004.mp3"))
            // A command without --jobs is not given one.
            let search = try await CLI.run(["search", "--profile", "test", "--format", "csv", "--fields", "order_id"], environment: env)
            #expect(search.status == 0, "\(search.stderr)")
            #expect(search.stdout.contains("CFG001"), "\(search.stdout)\(search.stderr)")
        }
    }

    @Test func configShowSaysWhereEachSettingComesFromAndMasksSecrets() async throws {
        let home = try Self.configHome("""
            api_token = "tok-very-secret"
            jobs = 6

            [profiles.office]
            proxy = "http://me:pa55word@proxy.example:3128"
            limit_rate = "500K"
            """)
        let result = try await CLI.run(["config", "show", "--profile", "office"],
                                       environment: ["XDG_CONFIG_HOME": home, "CALLARCHIVE_ARCHIVE": "/srv/calls"])
        #expect(result.status == 0, "\(result.stderr)")
        let path = home + "/callarchive/config.toml"
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("api_token       = ***  # \(path):1"), "\(result.stdout)")
        #expect(lines.contains("jobs            = 6  # \(path):2"))
        #expect(lines.contains("proxy           = http://me:***@proxy.example:3128  # profile office, \(path):5"))
        #expect(lines.contains("limit_rate      = 500K  # profile office, \(path):6"))
        #expect(lines.contains("archive         = /srv/calls  # env CALLARCHIVE_ARCHIVE"))
        #expect(lines.contains("retries         = 3  # built-in"))
        #expect(!result.stdout.contains("tok-very-secret") && !result.stdout.contains("pa55word"))
    }

    @Test func badFilesAreUsageErrorsNamingFileLineAndKey() async throws {
        let cases: [(String, mode_t, String)] = [
            ("jobs = 4\narchive = \n", 0o600, "config.toml:2"),
            ("jobs = 4\n\n[profiles.x]\njobz = 3\n", 0o600, "config.toml:4: profiles.x.jobz: unknown key"),
            ("jobs = \"four\"\n", 0o600, "config.toml:1: jobs: must be a whole number"),
            ("archive = \"/a\"\napi_token = \"t0k\"\n", 0o644, "config.toml:2: api_token: the file holds the API token but others may read it (mode 644)"),
        ]
        for (text, mode, message) in cases {
            let home = try Self.configHome(text, mode: mode)
            let result = try await CLI.run(["search"], environment: ["XDG_CONFIG_HOME": home])
            #expect(result.status == 64, "\(text)")
            #expect(result.stderr.contains(message), "\(text): \(result.stderr)")
            #expect(!result.stderr.contains("t0k"))
        }
        let noProfile = try await CLI.run(["search", "--profile", "nope"], environment: ["XDG_CONFIG_HOME": try Self.configHome("jobs = 2\n")])
        #expect(noProfile.status == 64)
        #expect(noProfile.stderr.contains("no profile \"nope\""), "\(noProfile.stderr)")
    }
}
