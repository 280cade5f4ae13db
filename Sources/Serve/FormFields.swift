import Foundation

/// `application/x-www-form-urlencoded` text (a URL's query, a posted form): `+` is a space,
/// `%XX` a byte; a malformed escape keeps its text. The first value of a repeated name wins.
struct FormFields: Sendable {
    private var values: [String: String] = [:]

    init(_ text: String?) {
        for pair in (text ?? "").split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
            let name = Self.decode(parts[0])
            if values[name] == nil { values[name] = parts.count > 1 ? Self.decode(parts[1]) : "" }
        }
    }

    subscript(_ name: String) -> String? { values[name] }

    private static func decode(_ text: Substring) -> String {
        let spaced = text.replacingOccurrences(of: "+", with: " ")
        return spaced.removingPercentEncoding ?? spaced
    }

    /// `text` escaped for a query value.
    static func encode(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~:,")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? ""
    }

    /// A query string from name–value pairs, skipping empty values.
    static func query(_ pairs: [(String, String?)]) -> String {
        let parts = pairs.compactMap { name, value in value.flatMap { $0.isEmpty ? nil : "\(name)=\(encode($0))" } }
        return parts.isEmpty ? "" : "?" + parts.joined(separator: "&")
    }
}

/// The words of a search box as the shell would split them (docs/contract.md §5): spaces
/// separate words, double quotes group a word holding spaces and are dropped.
enum QueryWords {
    static func split(_ text: String) -> [String] {
        var words: [String] = []
        var current = ""
        var quoted = false
        var started = false
        for character in text {
            if character == "\"" {
                quoted.toggle()
                started = true
            } else if character.isWhitespace && !quoted {
                if started { words.append(current) }
                current = ""
                started = false
            } else {
                current.append(character)
                started = true
            }
        }
        if started { words.append(current) }
        return words.filter { !$0.isEmpty }
    }
}
