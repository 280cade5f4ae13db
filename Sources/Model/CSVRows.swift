/// The records of CSV text as RFC 4180 says and spreadsheets write it, each with the line it
/// starts on: a UTF-8 byte-order mark is skipped; the separator is `,`, `;` or tab, whichever
/// the header row uses most outside quotes; a quote opens a quoted part anywhere in a cell, in
/// which `""` is a quote and separators and line breaks are text. Blank lines are skipped.
/// `stores import` and `sync --from-csv` read their files with it.
public struct CSVRows: Sequence, IteratorProtocol {
    public struct Row: Sendable {
        public let line: Int
        public let cells: [String]
    }

    private var characters: String.Iterator
    public let separator: Character
    private var line = 1
    private var finished = false

    public init(text: String) {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        characters = text.makeIterator()
        separator = Self.separator(of: text)
    }

    /// The separator the header row uses most, outside quotes (`,` when it uses none).
    static func separator(of text: String) -> Character {
        var counts: [Character: Int] = [",": 0, ";": 0, "\t": 0]
        var quoted = false
        for character in text {
            if character == "\"" { quoted.toggle() }
            if !quoted, character.isNewline { break }
            if !quoted, counts[character] != nil { counts[character]! += 1 }
        }
        return [",", ";", "\t"].max { counts[$0]! < counts[$1]! } ?? ","
    }

    public mutating func next() -> Row? {
        while !finished {
            let start = line
            let cells = readRecord()
            if cells.allSatisfy({ $0.allSatisfy(\.isWhitespace) }) { continue }
            return Row(line: start, cells: cells)
        }
        return nil
    }

    /// One record's cells.
    private mutating func readRecord() -> [String] {
        var cells: [String] = []
        var cell = ""
        var quoted = false
        var justClosed = false
        while let character = characters.next() {
            if character.isNewline { line += 1 }
            if quoted {
                if character == "\"" { (quoted, justClosed) = (false, true) } else { cell.append(character) }
                continue
            }
            if character == "\"" {
                if justClosed { cell.append("\"") }
                (quoted, justClosed) = (true, false)
                continue
            }
            justClosed = false
            if character == separator {
                cells.append(cell)
                cell = ""
            } else if character.isNewline {
                cells.append(cell)
                return cells
            } else {
                cell.append(character)
            }
        }
        finished = true
        cells.append(cell)
        return cells
    }
}
