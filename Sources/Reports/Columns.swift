import Model

/// Column lists for `--fields` and `--columns`.
public enum Columns {
    /// Parses `a,b,c`, checking every name against docs/contract.md §4 (and `api_json`,
    /// `call_in_local`).
    public static func parse(_ list: String?) throws(ReportError) -> [String] {
        guard let list else { return CallRecord.columnNames }
        let names = list.split(separator: ",").map { $0.trimmingCharacters() }.filter { !$0.isEmpty }
        for name in names where name != "api_json" && name != LocalTimeColumn.name && !CallRecord.columnNames.contains(name) {
            throw .unknownColumn(name)
        }
        return names.isEmpty ? CallRecord.columnNames : names
    }
}

/// How cells are spelled in CSV and tables: reals with 3 decimals, nulls empty.
enum CellText {
    static func of(_ value: FieldValue?) -> String {
        switch value {
        case .text(let text): text
        case .integer(let number): String(number)
        case .real(let number): fixed3(number)
        case .null, nil: ""
        }
    }

    static func fixed3(_ value: Double) -> String {
        guard value.isFinite else { return "" }
        let scaled = (value * 1000).rounded()
        let negative = scaled < 0
        let magnitude = Int64(abs(scaled))
        let fraction = String(magnitude % 1000)
        return (negative ? "-" : "") + "\(magnitude / 1000)." + String(repeating: "0", count: 3 - fraction.count) + fraction
    }
}

extension Substring {
    func trimmingCharacters() -> String {
        String(drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
    }
}
