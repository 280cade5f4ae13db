import Model

/// JSON Lines: one object per row, keys in §4 order, values as `JSONStyle` writes them.
/// `api_json` is embedded as the object the API sent.
public struct JSONLinesWriter: Sendable {
    public let columns: [String]
    private let keys: [CallColumn]

    /// `columns` must be known column names (see `Columns.parse`).
    public init(columns: [String] = CallRecord.columnNames + ["api_json"]) {
        self.columns = columns
        keys = columns.compactMap(CallRecord.column(named:))
    }

    public func line(_ record: CallRecord) -> String {
        object(record) + "\n"
    }

    /// A line from the values of `columns`, in order.
    public func line(_ values: [FieldValue]) -> String {
        object(values) + "\n"
    }

    public func object(_ record: CallRecord) -> String {
        object(keys.map { $0.value(in: record) })
    }

    public func object(_ values: [FieldValue]) -> String {
        var parts: [String] = []
        parts.reserveCapacity(columns.count)
        for (name, field) in zip(columns, values) {
            var value = JSONStyle.value(field)
            if name == "api_json" {
                if case .text(let json) = field, !json.isEmpty { value = json } else { value = "null" }
            }
            parts.append(JSONText.quoted(name) + ":" + value)
        }
        return "{" + parts.joined(separator: ",") + "}"
    }
}
