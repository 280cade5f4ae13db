import Model

/// RFC 4180 CSV (SPEC §9): comma, CRLF, quotes where needed, a header row, UTF-8, and cells
/// that a spreadsheet would run as formulas prefixed with `'` unless `raw`.
public struct CSVWriter: Sendable {
    public let columns: [String]
    public let raw: Bool

    public init(columns: [String] = CallRecord.columnNames, raw: Bool = false) {
        self.columns = columns
        self.raw = raw
    }

    public var header: String { columns.map { cell($0) }.joined(separator: ",") + "\r\n" }

    public func line(_ record: CallRecord) -> String {
        columns.map { cell(CellText.of(record.value(ofColumn: $0))) }.joined(separator: ",") + "\r\n"
    }

    /// One cell, guarded and quoted.
    public func cell(_ text: String) -> String {
        var value = text
        if !raw, let first = value.unicodeScalars.first, ["=", "+", "-", "@", "\t", "\r"].contains(first) {
            value = "'" + value
        }
        guard value.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else { return value }
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
