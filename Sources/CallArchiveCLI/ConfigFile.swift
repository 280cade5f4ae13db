import ArgumentParser
import Foundation
import TOMLKit

/// A setting a config file may hold: its key (a long flag name with `_`), the flag it stands
/// for, the environment variable that also sets it, and what kind of value it takes.
struct ConfigKey: Sendable {
    enum Kind: Sendable { case text, integer, number }

    let name: String
    let flag: String?
    let environment: String?
    let kind: Kind
    /// What the command uses when nothing sets it, as `config show` prints it.
    let builtIn: String
    var secret = false

    static let all: [ConfigKey] = [
        ConfigKey(name: "api_url", flag: "--api-url", environment: "CALLARCHIVE_API_URL", kind: .text, builtIn: "https://telephony.ordrai.com/calls"),
        ConfigKey(name: "api_token", flag: nil, environment: "CALLARCHIVE_API_TOKEN", kind: .text, builtIn: "(none)", secret: true),
        ConfigKey(name: "archive", flag: "--archive", environment: "CALLARCHIVE_ARCHIVE", kind: .text, builtIn: "./downloads"),
        ConfigKey(name: "catalog", flag: "--catalog", environment: "CALLARCHIVE_CATALOG", kind: .text, builtIn: "ARCHIVE/catalog.sqlite"),
        ConfigKey(name: "tz", flag: "--tz", environment: "CALLARCHIVE_TZ", kind: .text, builtIn: "UTC"),
        ConfigKey(name: "jobs", flag: "--jobs", environment: nil, kind: .integer, builtIn: "4"),
        ConfigKey(name: "timeout", flag: "--timeout", environment: nil, kind: .number, builtIn: "300"),
        ConfigKey(name: "connect_timeout", flag: "--connect-timeout", environment: nil, kind: .number, builtIn: "30"),
        ConfigKey(name: "read_timeout", flag: "--read-timeout", environment: nil, kind: .number, builtIn: "60"),
        ConfigKey(name: "retries", flag: "--retries", environment: nil, kind: .integer, builtIn: "3"),
        ConfigKey(name: "max_retry_wait", flag: "--max-retry-wait", environment: nil, kind: .number, builtIn: "120"),
        ConfigKey(name: "max_size", flag: "--max-size", environment: nil, kind: .text, builtIn: "512M"),
        ConfigKey(name: "proxy", flag: "--proxy", environment: nil, kind: .text, builtIn: "(from HTTPS_PROXY, http_proxy, ALL_PROXY)"),
        ConfigKey(name: "limit_rate", flag: "--limit-rate", environment: nil, kind: .text, builtIn: "(none)"),
    ]

    static func named(_ name: String) -> ConfigKey? { all.first { $0.name == name } }
}

/// A value from the file, and the line it is on.
struct ConfigValue: Sendable, Equatable {
    let text: String
    let line: Int
}

/// A usage error in the config file (exit 64), naming the file, the line and the key.
struct ConfigError: Error, CustomStringConvertible {
    let description: String
}

/// `$XDG_CONFIG_HOME/callarchive/config.toml`, else `~/.config/callarchive/config.toml`:
/// top-level keys are defaults, `[profiles.NAME]` tables override them for `--profile NAME`.
struct ConfigFile: Sendable {
    let path: String
    let defaults: [String: ConfigValue]
    let profiles: [String: [String: ConfigValue]]

    static func defaultPath(environment: [String: String]) -> String {
        if let xdg = environment["XDG_CONFIG_HOME"], xdg.hasPrefix("/") { return xdg + "/callarchive/config.toml" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.config/callarchive/config.toml"
    }

    /// The file at `path`, or nil when there is none.
    static func load(path: String) throws(ConfigError) -> ConfigFile? {
        var info = stat()
        guard stat(path, &info) == 0 else { return nil }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ConfigError(description: "\(path): cannot be read: \(String(cString: strerror(errno)))")
        }
        let text = String(decoding: data, as: UTF8.self)
        let table: TOMLTable
        do {
            table = try TOMLTable(string: text)
        } catch let error as TOMLParseError {
            throw ConfigError(description: "\(path):\(error.source.begin.line): \(error.description)")
        } catch {
            throw ConfigError(description: "\(path): \(error)")
        }
        let reader = ConfigReader(path: path, lines: text.components(separatedBy: "\n"))
        var profiles: [String: [String: ConfigValue]] = [:]
        var defaults: [String: ConfigValue] = [:]
        for key in table.keys.sorted() {
            if key == "profiles", let tables = table[key]?.table {
                for name in tables.keys.sorted() {
                    guard let profile = tables[name]?.table else {
                        throw ConfigError(description: "\(path):\(reader.line(of: name, in: "profiles")): profiles.\(name) must be a table ([profiles.\(name)])")
                    }
                    profiles[name] = try reader.values(of: profile, section: "profiles.\(name)")
                }
            } else {
                defaults.merge(try reader.values(of: TOMLTable([key: table[key]!]), section: nil)) { $1 }
            }
        }
        let file = ConfigFile(path: path, defaults: defaults, profiles: profiles)
        try file.checkTokenMode(info)
        return file
    }

    /// The API token may live in the file only when no one else can read it (as ssh refuses a loose key).
    private func checkTokenMode(_ info: stat) throws(ConfigError) {
        let holder = defaults["api_token"] ?? profiles.values.compactMap { $0["api_token"] }.first
        guard let holder, info.st_mode & 0o077 != 0 else { return }
        throw ConfigError(description: "\(path):\(holder.line): api_token: the file holds the API token but others may read it "
            + "(mode \(String(info.st_mode & 0o777, radix: 8))); run chmod 600 \(path)")
    }

    /// The settings for `profile` (nil: the defaults alone), each with where it came from.
    func settings(profile: String?) throws(ConfigError) -> [String: (value: String, source: String)] {
        var result: [String: (value: String, source: String)] = [:]
        for (key, value) in defaults { result[key] = (value.text, "\(path):\(value.line)") }
        guard let profile else { return result }
        guard let values = profiles[profile] else {
            let known = profiles.keys.sorted().joined(separator: ", ")
            throw ConfigError(description: "\(path): no profile \"\(profile)\"" + (known.isEmpty ? "; the file has none" : "; it has \(known)"))
        }
        for (key, value) in values { result[key] = (value.text, "profile \(profile), \(path):\(value.line)") }
        return result
    }
}

/// Reads a table's keys into settings, finding each key's line in the text for messages.
private struct ConfigReader {
    let path: String
    let lines: [String]

    func values(of table: TOMLTable, section: String?) throws(ConfigError) -> [String: ConfigValue] {
        var values: [String: ConfigValue] = [:]
        for name in table.keys {
            let line = line(of: name, in: section)
            let place = "\(path):\(line): \(section.map { $0 + "." } ?? "")\(name)"
            guard let key = ConfigKey.named(name) else {
                let known = ConfigKey.all.map(\.name).joined(separator: ", ")
                throw ConfigError(description: "\(place): unknown key; keys are \(known), and [profiles.NAME] tables")
            }
            guard let value = table[name], let text = Self.text(value, kind: key.kind) else {
                let kind = switch key.kind { case .integer: "a whole number"; case .number: "a number"; case .text: "a string" }
                throw ConfigError(description: "\(place): must be \(kind)")
            }
            values[name] = ConfigValue(text: text, line: line)
        }
        return values
    }

    static func text(_ value: any TOMLValueConvertible, kind: ConfigKey.Kind) -> String? {
        switch kind {
        case .integer: return value.int.map(String.init)
        case .number: return value.int.map(String.init) ?? value.double.map { String($0) }
        case .text: return value.string ?? value.int.map(String.init)
        }
    }

    /// The line (from 1) where `key` is set in `section` (`profiles.night`, or nil for the top).
    func line(of key: String, in section: String?) -> Int {
        var current: String?
        for (index, raw) in lines.enumerated() {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.hasPrefix("[") {
                current = line.trimmingCharacters(in: CharacterSet(charactersIn: "[] ")).replacingOccurrences(of: "\"", with: "")
                // A profile that is not a table is found by its own header, if it has one.
                if section == "profiles", current == "profiles.\(key)" { return index + 1 }
                continue
            }
            guard current == section else { continue }
            let name = line.split(separator: "=", maxSplits: 1).first?.trimmingCharacters(in: .whitespaces).replacingOccurrences(of: "\"", with: "")
            if name == key { return index + 1 }
        }
        return 1
    }
}
