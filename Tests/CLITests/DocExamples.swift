import Foundation
import Testing
import TestSupport

/// The `callarchive …` command lines in README.md and docs/*.md code blocks, and how a real
/// `/bin/sh` reads and runs them: an example a shell would mangle (`duration:>300` unquoted is
/// a redirection) fails a test.
enum DocExamples {
    struct Example: Sendable, CustomStringConvertible {
        let file: String
        let line: Int
        /// The heading the example stands under.
        let section: String
        /// The command as written, without a trailing `# …` comment.
        let command: String
        /// The exit status a `# exit N` comment promises, or nil for 0.
        let status: Int32?
        /// For `console` blocks: the lines shown after the command (its output).
        var output: [String] = []

        var description: String { "\(file):\(line): \(command)" }
    }

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// README.md and every docs/*.md file, relative to the repository.
    static var documents: [String] {
        let docs = (try? FileManager.default.contentsOfDirectory(atPath: root.appendingPathComponent("docs").path)) ?? []
        return ["README.md"] + docs.filter { $0.hasSuffix(".md") }.sorted().map { "docs/" + $0 }
    }

    /// Every command line of the code blocks in `file`: bare lines in `sh` and plain blocks,
    /// `$ ` lines in `console` blocks. With `program`, only lines that run it.
    static func examples(in file: String, program: String? = "callarchive") throws -> [Example] {
        let text = try String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)
        var found: [Example] = []
        var block: String?
        var section = ""
        for (index, raw) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = String(raw)
            if block == nil, line.hasPrefix("#") { section = line.drop { $0 == "#" }.trimmingCharacters(in: .whitespaces) }
            if line.hasPrefix("```") {
                block = block == nil ? String(line.dropFirst(3)) : nil
                continue
            }
            guard let kind = block, ["sh", "", "console"].contains(kind) else { continue }
            if kind == "console" && !line.hasPrefix("$ ") {
                if !found.isEmpty, found[found.count - 1].file == file, !line.isEmpty { found[found.count - 1].output.append(line) }
                continue
            }
            let command = kind == "console" ? String(line.dropFirst(2)) : line
            let (body, comment) = split(comment: command)
            guard !body.isEmpty, program.map({ body == $0 || body.hasPrefix($0 + " ") }) ?? true else { continue }
            let status = comment.range(of: #"exit \d+"#, options: .regularExpression).flatMap { Int32(comment[$0].dropFirst(5)) }
            found.append(Example(file: file, line: index + 1, section: section, command: body, status: status))
        }
        return found
    }

    /// `command` and its trailing comment: an unquoted `#` after white space starts one, as in sh.
    static func split(comment command: String) -> (String, String) {
        var quote: Character?
        var previous: Character = " "
        for index in command.indices {
            let character = command[index]
            if let open = quote {
                if character == open { quote = nil }
            } else if character == "'" || character == "\"" {
                quote = character
            } else if character == "#", previous == " " {
                return (command[..<index].trimmingCharacters(in: .whitespaces), String(command[index...]))
            }
            previous = character
        }
        return (command.trimmingCharacters(in: .whitespaces), "")
    }

    /// The arguments the example means to give: words split at white space, quotes removed,
    /// every other character literal, up to a shell operator that stands alone (`>`, `|`, `&`…).
    static func intendedArguments(_ command: String) -> [String] {
        var words: [String] = [], word = "", inWord = false
        var quote: Character?
        for character in command {
            if let open = quote {
                if character == open { quote = nil } else { word.append(character) }
            } else if character == "'" || character == "\"" {
                quote = character
                inWord = true
            } else if character == " " {
                if inWord { words.append(word) }
                word = ""
                inWord = false
            } else {
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        // An unquoted `~/` at the start of a word is the home directory, as the shell reads it.
        words = words.map { $0.hasPrefix("~/") ? NSHomeDirectory() + $0.dropFirst() : $0 }
        let operators: Set<String> = [">", ">>", "<", "|", "&", "&&", "||", ";", "2>", "2>&1"]
        return Array(words.prefix { !operators.contains($0) })
    }

    /// The arguments `/bin/sh` really passes for `command`: the program name is a shell
    /// function that prints them, run in an empty directory (so a redirection or a glob shows).
    static func shellArguments(_ command: String) async throws -> [String] {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let program = command.split(separator: " ", maxSplits: 1).first.map(String.init) ?? ""
        let script = "\(program)() { printf '%s\\0' \"$0\" \"$@\" >&3; }\n\(command)\n"
        let output = directory + "/.arguments"
        let result = try await CLI.run(["-c", "exec 3>\"$1\"; eval \"$2\"", "sh", output, script], executable: "/bin/sh", in: directory)
        #expect(result.status == 0, "\(command): \(result.stderr)")
        let text = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        return Array(text.split(separator: "\0", omittingEmptySubsequences: false).dropLast().dropFirst().map(String.init))
    }

    /// Runs `command` through `/bin/sh` with the built `callarchive` first on PATH.
    static func run(_ command: String, environment: [String: String] = [:], in directory: String? = nil) async throws -> CLI.Result {
        let bin = (CLI.binary as NSString).deletingLastPathComponent
        var env = environment
        env["PATH"] = bin + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        return try await CLI.run(["-c", command], environment: env, executable: "/bin/sh", in: directory)
    }
}
