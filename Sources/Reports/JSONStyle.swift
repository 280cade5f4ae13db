import Foundation
import Model

/// The one JSON convention of every command (docs/reports.md, "JSON"): snake_case keys, numbers
/// as numbers, seconds and other reals to the millisecond, null for nothing, one object per line.
public enum JSONStyle {
    /// A value as JSON text: reals with three decimals, like the CSV.
    public static func value(_ field: FieldValue) -> String {
        switch field {
        case .text(let text): JSONText.quoted(text)
        case .integer(let number): String(number)
        case .real(let number): number.isFinite ? CellText.fixed3(number) : "null"
        case .null: "null"
        }
    }

    /// An object with `members` in their order.
    public static func object(_ members: some Sequence<(String, FieldValue)>) -> String {
        "{" + members.map { JSONText.quoted($0.0) + ":" + value($0.1) }.joined(separator: ",") + "}"
    }

    /// A JSON array document, one element per line (`search --format json`, `stats --format json`).
    public static func array(_ elements: [String]) -> String {
        elements.isEmpty ? "[]\n" : "[\n" + elements.joined(separator: ",\n") + "\n]\n"
    }

    /// A summary (`fetch --json`, `verify --json`) on one line. Its type spells its own
    /// snake_case keys and rounds its seconds (`roundedToMilliseconds`); keys come out sorted.
    public static func encode(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }
}
