import ArgumentParser

/// How `--exec CMD` becomes an argv without a shell: words are split at unquoted spaces and
/// tabs; `'…'` keeps everything inside as it is; `"…"` too, except that `\"` and `\\` stand for
/// `"` and `\`; outside quotes a backslash keeps the next character as it is. Nothing else is
/// special: no variables, globs, pipes or redirections (`--exec-shell` hands the text to /bin/sh).
enum CommandWords {
    static func split(_ text: String) throws -> [String] {
        var words: [String] = []
        var word = ""
        var inWord = false
        var characters = text.makeIterator()
        while let character = characters.next() {
            switch character {
            case " ", "\t":
                if inWord { words.append(word) }
                (word, inWord) = ("", false)
            case "'":
                inWord = true
                guard try read(&characters, until: "'", into: &word, escapes: []) else { throw unclosed("'") }
            case "\"":
                inWord = true
                guard try read(&characters, until: "\"", into: &word, escapes: ["\"", "\\"]) else { throw unclosed("\"") }
            case "\\":
                guard let next = characters.next() else { throw ValidationError("--exec: a backslash ends the command") }
                word.append(next)
                inWord = true
            default:
                word.append(character)
                inWord = true
            }
        }
        if inWord { words.append(word) }
        guard !words.isEmpty else { throw ValidationError("--exec: the command is empty") }
        return words
    }

    /// Reads up to the closing `quote`; false when the text ends first.
    private static func read(
        _ characters: inout String.Iterator, until quote: Character, into word: inout String, escapes: Set<Character>
    ) throws -> Bool {
        while let character = characters.next() {
            if character == quote { return true }
            if character == "\\", !escapes.isEmpty, let next = characters.next() {
                if !escapes.contains(next) { word.append("\\") }
                word.append(next)
                continue
            }
            word.append(character)
        }
        return false
    }

    private static func unclosed(_ quote: String) -> ValidationError {
        ValidationError("--exec: a \(quote) is not closed")
    }
}
