import Model

/// Order ids from one column of a CSV export, found by its header's name: any position,
/// quoted fields (with `""` and line breaks inside), a UTF-8 byte-order mark, and `,`, `;` or
/// tab as the separator, whichever the header row uses most outside quotes.
public struct CSVOrderSource: OrderSource {
    public let name: String
    public let text: String
    /// The header of the column holding order ids, matched without case or surrounding spaces.
    public let column: String

    public init(name: String, text: String, column: String) {
        self.name = name
        self.text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        self.column = column
    }

    public func orders() throws(IntakeError) -> OrderList {
        let separator = Self.separator(of: text)
        var rows = CSVRows(text: text, separator: separator)
        guard let header = rows.next() else { throw .emptyCSV(name: name) }
        let wanted = Self.normalized(column)
        guard let position = header.cells.firstIndex(where: { Self.normalized($0) == wanted }) else {
            throw .noSuchColumn(name: name, column: column, header: header.cells)
        }
        var list = OrderList()
        var seen = Set<String>()
        while let row = rows.next() {
            guard position < row.cells.count else {
                if row.cells.allSatisfy({ $0.trimmingCharacters(in: .whitespaces).isEmpty }) { continue }
                list.problems.append("\(name):\(row.line): no \(column) cell; skipped")
                continue
            }
            let cell = row.cells[position].trimmingCharacters(in: .whitespaces)
            guard !cell.isEmpty, seen.insert(cell).inserted else { continue }
            if let order = try? OrderID(cell) {
                list.orders.append(order)
            } else {
                list.problems.append("\(name):\(row.line): invalid order id \(ModelError.quoted(String(cell.prefix(80)))); skipped")
            }
        }
        return list
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

    static func normalized(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespaces).lowercased()
    }
}

/// The records of CSV text, RFC 4180 and what spreadsheets write: each with the line it starts on.
struct CSVRows: IteratorProtocol {
    struct Row {
        let line: Int
        let cells: [String]
    }

    private var characters: String.Iterator
    private let separator: Character
    private var line = 1
    private var finished = false

    init(text: String, separator: Character) {
        characters = text.makeIterator()
        self.separator = separator
    }

    mutating func next() -> Row? {
        while !finished {
            let start = line
            let cells = readRecord()
            if cells == [""] { continue }
            return Row(line: start, cells: cells)
        }
        return nil
    }

    /// One record's cells. A quote opens a quoted part anywhere in a cell; inside one, `""` is
    /// a quote and separators and line breaks are text.
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

/// Why a source of order ids cannot be read: a usage error (exit 64) naming the source.
public enum IntakeError: Error, Sendable, CustomStringConvertible, Equatable {
    case emptyCSV(name: String)
    case noSuchColumn(name: String, column: String, header: [String])
    case notAFolder(path: String)
    case cannotMove(path: String, reason: String)

    public var description: String {
        switch self {
        case let .emptyCSV(name): "\(name) is empty: a CSV export with a header row is expected"
        case let .noSuchColumn(name, column, header):
            "\(name) has no column \(ModelError.quoted(column)); its header has "
                + header.prefix(20).map { ModelError.quoted(String($0.prefix(40))) }.joined(separator: ", ")
        case let .notAFolder(path): "--watch \(path): not a directory"
        case let .cannotMove(path, reason): "cannot move \(path) to done/: \(reason)"
        }
    }
}
