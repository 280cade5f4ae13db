import Model

/// RFC 4180 CSV (SPEC §9): comma, CRLF, quotes where needed, a header row, UTF-8, and cells
/// that a spreadsheet would run as formulas prefixed with `'` unless `raw`.
public struct CSVWriter: Sendable {
    public let columns: [String]
    public let raw: Bool
    private let keys: [CallRecord.CodingKeys]

    /// `columns` must be known column names (see `Columns.parse`).
    public init(columns: [String] = CallRecord.columnNames, raw: Bool = false) {
        self.columns = columns
        self.raw = raw
        keys = columns.compactMap(CallRecord.CodingKeys.init(rawValue:))
    }

    public var header: String { columns.map { cell($0) }.joined(separator: ",") + "\r\n" }

    public func line(_ record: CallRecord) -> String {
        line(keys.map(record.value(of:)))
    }

    /// A line from the values of `columns`, in order.
    public func line(_ values: [FieldValue]) -> String {
        var line = ""
        line.reserveCapacity(512)
        for (index, value) in values.enumerated() {
            if index > 0 { line.append(",") }
            switch value {
            case .text(let text): line.append(cell(text))
            case .integer(let number): line.append(String(number))
            case .real(let number): line.append(CellText.fixed3(number))
            case .null: break
            }
        }
        line.append("\r\n")
        return line
    }

    /// One cell, guarded and quoted.
    public func cell(_ text: String) -> String {
        let utf8 = text.utf8
        guard let first = utf8.first else { return text }
        let guarded = !raw && (first == UInt8(ascii: "=") || first == UInt8(ascii: "+") || first == UInt8(ascii: "-")
            || first == UInt8(ascii: "@") || first == UInt8(ascii: "\t") || first == UInt8(ascii: "\r"))
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        let value = guarded ? "'" + text : text
        guard needsQuotes else { return value }
        return "\"" + value.replacingAll("\"", with: "\"\"") + "\""
    }
}

extension String {
    func replacingAll(_ target: Character, with replacement: String) -> String {
        var out = ""
        out.reserveCapacity(count)
        for character in self {
            if character == target { out += replacement } else { out.append(character) }
        }
        return out
    }
}
