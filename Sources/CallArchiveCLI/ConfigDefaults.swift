import ArgumentParser
import Foundation

/// How the config file reaches the commands (docs/operations.md "Configuration"): before the
/// command line is parsed, settings with an environment variable become that variable unless
/// it is set, and the others become their flag unless it was given and if the command takes
/// it. So a flag beats the environment, which beats the profile, which beats the defaults.
enum ConfigDefaults {
    /// `arguments` (without the program name) with the config file's settings added, the
    /// environment set, and `--profile NAME` taken out (kept in `CALLARCHIVE_PROFILE` for
    /// `config show`).
    static func apply(to arguments: [String]) throws -> [String] {
        var arguments = arguments
        let environment = ProcessInfo.processInfo.environment
        var profile = environment["CALLARCHIVE_PROFILE"].flatMap { $0.isEmpty ? nil : $0 }
        if let index = arguments.firstIndex(where: { $0 == "--profile" || $0.hasPrefix("--profile=") }) {
            if arguments[index] == "--profile" {
                guard index + 1 < arguments.count else { throw ValidationError("--profile needs a profile name") }
                profile = arguments[index + 1]
                arguments.removeSubrange(index...(index + 1))
            } else {
                profile = String(arguments[index].dropFirst("--profile=".count))
                arguments.remove(at: index)
            }
            setenv("CALLARCHIVE_PROFILE", profile ?? "", 1)
        }
        let path = ConfigFile.defaultPath(environment: environment)
        guard let file = try ConfigFile.load(path: path) else {
            if let profile { throw ConfigError(description: "--profile \(profile): there is no config file at \(path)") }
            return arguments
        }
        let settings = try file.settings(profile: profile)
        // `config show` reports the file itself; nothing is applied to it.
        if arguments.first == "config" { return arguments }
        for key in ConfigKey.all {
            guard let setting = settings[key.name] else { continue }
            if let variable = key.environment {
                if environment[variable] == nil { setenv(variable, setting.value, 1) }
            } else if let flag = key.flag {
                arguments = add(flag, setting.value, to: arguments)
            }
        }
        return arguments
    }

    /// `arguments` with `flag value` after the command name, unless the flag is there already
    /// or the command does not take it.
    static func add(_ flag: String, _ value: String, to arguments: [String]) -> [String] {
        let given = arguments.prefix { $0 != "--" }
        if given.contains(where: { $0 == flag || $0.hasPrefix(flag + "=") }) { return arguments }
        if given.contains(where: { ["-h", "--help", "--version"].contains($0) }) { return arguments }
        var arguments = arguments
        let command: any ParsableCommand.Type
        if let first = arguments.first, let named = CallArchive.configuration.subcommands.first(where: { $0.configuration.commandName == first }) {
            command = named
        } else if !arguments.isEmpty {
            command = CallArchive.Fetch.self
            arguments.insert("fetch", at: 0)
        } else {
            return arguments
        }
        guard accepts(command, flag) else { return arguments }
        arguments.insert(contentsOf: [flag, value], at: 1)
        return arguments
    }

    /// Whether `command` has the option `flag`, as its help lists it (`--jobs <jobs>`). Its
    /// parser cannot tell: `search` takes words such as `-verdict:valid` as query words.
    static func accepts(_ command: any ParsableCommand.Type, _ flag: String) -> Bool {
        let help = command.helpMessage(columns: 10_000)
        return help.range(of: "(?<![A-Za-z-])\(flag) <", options: .regularExpression) != nil
    }
}
