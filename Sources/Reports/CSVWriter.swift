import Model

/// RFC 4180 CSV (docs/contract.md §9): comma, CRLF, quotes where needed, a header row, UTF-8, and cells
/// that a spreadsheet would run as formulas prefixed with `'` unless `raw`.
public struct CSVWriter: Sendable {
    public let columns: [String]
    public let raw: Bool
    private let keys: [CallColumn]

    /// `columns` must be known column names (see `Columns.parse`).
    public init(columns: [String] = CallRecord.columnNames, raw: Bool = false) {
        self.columns = columns
        self.raw = raw
        keys = columns.compactMap(CallRecord.column(named:))
    }

    public var header: String { columns.map { cell($0) }.joined(separator: ",") + "\r\n" }

    public func line(_ record: CallRecord) -> String {
        line(keys.map { $0.value(in: record) })
    }

    /// A line from the values of `columns`, in order.
    public func line(_ values: [FieldValue]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(512)
        append(values, to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends the line for `values` to `bytes`: the export path, with no String per cell.
    public func append(_ values: [FieldValue], to bytes: inout [UInt8]) {
        for (index, value) in values.enumerated() {
            if index > 0 { bytes.append(UInt8(ascii: ",")) }
            switch value {
            case .text(var text): text.withUTF8 { appendCell($0, to: &bytes) }
            case .integer(let number): Self.appendDecimal(number, to: &bytes)
            case .real(let number): bytes.append(contentsOf: CellText.fixed3(number).utf8)
            case .null: break
            }
        }
        bytes.append(contentsOf: [UInt8(ascii: "\r"), UInt8(ascii: "\n")])
    }

    /// `number` in decimal digits, written straight into `bytes` (no String per cell).
    static func appendDecimal(_ number: Int64, to bytes: inout [UInt8]) {
        if number < 0 { bytes.append(UInt8(ascii: "-")) }
        var magnitude = number.magnitude
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        withUnsafeMutableBytes(of: &digits) { buffer in
            repeat {
                buffer[19 - count] = UInt8(ascii: "0") + UInt8(magnitude % 10)
                magnitude /= 10
                count += 1
            } while magnitude > 0
            bytes.append(contentsOf: buffer[(20 - count)...])
        }
    }

    private func appendCell(_ utf8: UnsafeBufferPointer<UInt8>, to bytes: inout [UInt8]) {
        guard let first = utf8.first else { return }
        let guarded = !raw && Self.startsFormula(first)
        let needsQuotes = utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\n") || $0 == UInt8(ascii: "\r") }
        if needsQuotes { bytes.append(UInt8(ascii: "\"")) }
        if guarded { bytes.append(UInt8(ascii: "'")) }
        if needsQuotes {
            for byte in utf8 {
                bytes.append(byte)
                if byte == UInt8(ascii: "\"") { bytes.append(byte) }
            }
            bytes.append(UInt8(ascii: "\""))
        } else {
            bytes.append(contentsOf: utf8)
        }
    }

    /// True for the first bytes a spreadsheet would run as a formula (OWASP CSV injection):
    /// `= + - @`, tab, carriage return. A switch: a `Set` lookup hashed every cell of an export.
    static func startsFormula(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "="), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "@"), UInt8(ascii: "\t"), UInt8(ascii: "\r"): true
        default: false
        }
    }

    /// One cell, guarded and quoted.
    public func cell(_ text: String) -> String {
        var text = text
        var bytes: [UInt8] = []
        text.withUTF8 { appendCell($0, to: &bytes) }
        return String(decoding: bytes, as: UTF8.self)
    }
}
