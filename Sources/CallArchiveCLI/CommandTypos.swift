import ArgumentParser
import Foundation
import Reports

/// A mistyped command (`callarchive serach …`) would otherwise be taken by the default
/// command, `fetch`, as an order id: it would contact the API and create an archive. A first
/// word made of letters that is close to a command name is refused before anything happens.
enum CommandTypos {
    static var names: [String] {
        CallArchive.configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
    }

    /// The usage error for `arguments` (without the program name), or nil when they are fine.
    static func problem(in arguments: [String]) -> String? {
        guard let first = arguments.first else { return nil }
        if first == "help", arguments.count > 1, !arguments[1].hasPrefix("-"), !names.contains(arguments[1]) {
            return "no such command '\(arguments[1])'; commands are \(names.joined(separator: ", "))"
        }
        guard !names.contains(first), first.count >= 3, first.count <= 20,
              first.unicodeScalars.allSatisfy({ ("a"..."z").contains($0) || ("A"..."Z").contains($0) })
        else { return nil }
        let word = first.lowercased()
        let close = names.map { ($0, distance(word, $0)) }.filter { $0.1 <= 2 }.min { $0.1 < $1.1 }
        guard let (name, _) = close else { return nil }
        return "unknown command '\(first)'; did you mean '\(name)'? "
            + "(To fetch an order with that id, write: callarchive fetch \(first))"
    }

    /// Levenshtein distance: insertions, deletions and substitutions.
    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        var previous = Array(0...b.count)
        for (i, x) in a.enumerated() {
            var current = [i + 1]
            for (j, y) in b.enumerated() {
                current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
            }
            previous = current
        }
        return previous[b.count]
    }
}

extension CallArchive {
    /// Runs the command line, refusing a mistyped command name first (exit 64).
    public static func main() async {
        var arguments = Array(CommandLine.arguments.dropFirst())
        if let problem = CommandTypos.problem(in: arguments) {
            exit(withError: ValidationError(problem))
        }
        do {
            arguments = try ConfigDefaults.apply(to: arguments)
        } catch {
            Console.err("callarchive: \(TerminalText.safe(String(describing: error)))\n")
            Foundation.exit(64)
        }
        Interrupts.exitPromptly()
        await main(arguments)
    }
}
