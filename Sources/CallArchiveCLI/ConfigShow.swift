import ArgumentParser
import Foundation
import Reports
import Transport

extension CallArchive {
    /// `config show`: the effective settings and where each comes from.
    struct Config: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "config",
            abstract: "The configuration file ($XDG_CONFIG_HOME/callarchive/config.toml, else ~/.config/callarchive/config.toml).",
            subcommands: [Show.self]
        )

        struct Show: Subcommand {
            static let configuration = CommandConfiguration(
                commandName: "show",
                abstract: "Print the effective settings and where each comes from (secrets masked); --profile NAME picks a profile.",
                discussion: "Precedence: a command's flag > the environment > the profile > the file's defaults > built-in."
            )

            func execute() async throws {
                let environment = ProcessInfo.processInfo.environment
                let path = ConfigFile.defaultPath(environment: environment)
                let profile = environment["CALLARCHIVE_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
                let file = try ConfigFile.load(path: path)
                if file == nil, let profile { throw ConfigError(description: "--profile \(profile): there is no config file at \(path)") }
                let settings = try file?.settings(profile: profile) ?? [:]
                Console.out("# \(file == nil ? "no config file at " : "config file ")\(path)\(profile.map { ", profile \($0)" } ?? "")\n")
                let width = ConfigKey.all.map(\.name.count).max() ?? 0
                for key in ConfigKey.all {
                    let (value, source): (String, String)
                    if let variable = key.environment, let text = environment[variable] {
                        (value, source) = (text, "env \(variable)")
                    } else if let setting = settings[key.name] {
                        (value, source) = setting
                    } else {
                        (value, source) = (key.builtIn, "built-in")
                    }
                    let shown = key.secret && source != "built-in" ? "***" : key.name == "proxy" ? Self.masked(value) : value
                    Console.out(TerminalText.safe(key.name.padding(toLength: width, withPad: " ", startingAt: 0) + " = \(shown)  # \(source)") + "\n")
                }
            }

            /// A proxy URL with its password as `***`.
            static func masked(_ text: String) -> String {
                guard case let .success(server) = ProxyServer.parse(text), server.password != nil else { return text }
                return server.description
            }
        }
    }
}
