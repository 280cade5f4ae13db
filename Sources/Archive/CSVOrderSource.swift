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
        self.text = text
        self.column = column
    }

    public func orders() throws(IntakeError) -> OrderList {
        var rows = CSVRows(text: text)
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

    static func normalized(_ header: String) -> String {
        header.trimmingCharacters(in: .whitespaces).lowercased()
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
