import Model

/// A plain-text table that fits a terminal: long cells (store names first) are cut with `…`.
public struct TableWriter: Sendable {
    public static let defaultColumns = ["order_id", "call_index", "store_name", "agent_name", "call_in_time", "audio_seconds", "verdict"]

    public let columns: [String]
    public let width: Int
    /// The zones times are shown in, named in the headers.
    public let zones: CallZones

    public init(columns: [String] = TableWriter.defaultColumns, width: Int = 120, zones: CallZones = .utc) {
        self.columns = columns
        self.width = max(40, width)
        self.zones = zones
    }

    public func render(_ records: [CallRecord]) -> String {
        let rows = records.map { record in columns.map { cell($0, record) } }
        let shrinkable = ["store_name", "agent_name", "verdict_detail", "recording_url", "file_path", "call_status", "sha256"]
        return TextTable(
            headers: columns.map(title), shrinkable: Set(columns.indices.filter { shrinkable.contains(columns[$0]) }), width: width
        ).render(rows)
    }

    func title(_ column: String) -> String {
        switch column {
        case "call_in_time", LocalTimeColumn.name: "CALL IN (\(zones.label))"
        case "call_out_time": "CALL OUT (\(zones.label))"
        case "order_id": "ORDER"
        case "call_index": "#"
        case "store_name": "STORE"
        case "agent_name": "AGENT"
        case "audio_seconds": "AUDIO"
        case "verdict": "VERDICT"
        default: column.uppercased()
        }
    }

    /// Times local, to the minute; the rest as `cell(_:_:)` writes them.
    func cell(_ column: String, _ record: CallRecord) -> String {
        let time = column == "call_out_time" ? record.callOutTime : record.callInTime
        guard ["call_in_time", "call_out_time", LocalTimeColumn.name].contains(column) else {
            return Self.cell(column, record.value(ofColumn: column))
        }
        guard let time, let utc = Timestamp(iso8601: time) else { return "" }
        return zones.localMinute(utc, storeCode: record.storeCode)
    }

    static func cell(_ column: String, _ value: FieldValue?) -> String {
        switch (column, value) {
        case ("call_in_time", .text(let time)), ("call_out_time", .text(let time)):
            return String(time.prefix(16).map { $0 == "T" ? " " : $0 })
        case ("audio_seconds", .real(let seconds)), ("call_seconds", .real(let seconds)):
            let total = Int(seconds.rounded())
            let secs = total % 60
            return "\(total / 60):" + (secs < 10 ? "0" : "") + String(secs)
        default:
            return TerminalText.safe(CellText.of(value))
        }
    }
}

/// A plain-text table cut to a width: the widest shrinkable columns give way first, and a cell
/// too long for its column ends in `…`.
public struct TextTable: Sendable {
    public var headers: [String]
    /// Columns whose cells are aligned right (numbers).
    public var rightAligned: Set<Int>
    /// Columns that may be narrowed, down to 8 characters, to fit `width`.
    public var shrinkable: Set<Int>
    public var width: Int

    public init(headers: [String], rightAligned: Set<Int> = [], shrinkable: Set<Int> = [], width: Int) {
        self.headers = headers
        self.rightAligned = rightAligned
        self.shrinkable = shrinkable
        self.width = width
    }

    public func render(_ rows: [[String]]) -> String {
        var widths = headers.indices.map { index in
            rows.reduce(headers[index].count) { max($0, $1[index].count) }
        }
        while widths.reduce(0, +) + 2 * (widths.count - 1) > width {
            let candidates = widths.indices.filter { shrinkable.contains($0) && widths[$0] > 8 }
            guard let widest = candidates.max(by: { widths[$0] < widths[$1] }) else { break }
            widths[widest] -= 1
        }
        return ([headers] + rows).map { line($0, widths) }.joined()
    }

    private func line(_ cells: [String], _ widths: [Int]) -> String {
        var parts: [String] = []
        for (index, cell) in cells.enumerated() {
            let fitted = cell.count > widths[index] ? String(cell.prefix(widths[index] - 1)) + "…" : cell
            let padding = String(repeating: " ", count: widths[index] - fitted.count)
            if rightAligned.contains(index) {
                parts.append(padding + fitted)
            } else {
                parts.append(index == cells.count - 1 ? fitted : fitted + padding)
            }
        }
        return parts.joined(separator: "  ") + "\n"
    }
}

/// Text from the API made safe to show on a terminal: a store or agent name could carry an
/// escape sequence that moves the cursor, rewrites the screen or sets the window title.
public enum TerminalText {
    /// Newlines and tabs become spaces; other control characters (C0, DEL, C1) become U+FFFD.
    public static func safe(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var out = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if !isControl(scalar) {
                out.append(scalar)
            } else {
                out.append(scalar == "\n" || scalar == "\r" || scalar == "\t" ? " " : "\u{FFFD}")
            }
        }
        return String(out)
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
