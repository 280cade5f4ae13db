/// Small text formats several modules share.
public enum JSONText {
    /// `text` as a JSON string literal. Byte by byte over the UTF-8, copying the runs that need
    /// no escape whole (a byte of a multi-byte character is never below 0x80, so it is never
    /// one of the escaped ones): `serve` quotes every cell of every row it answers with.
    public static func quoted(_ text: String) -> String {
        var text = text
        return text.withUTF8 { bytes in
            var out: [UInt8] = []
            out.reserveCapacity(bytes.count + 2)
            out.append(UInt8(ascii: "\""))
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                out.append(contentsOf: bytes[start..<index])
                out.append(UInt8(ascii: "\\"))
                switch byte {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"): out.append(byte)
                case UInt8(ascii: "\n"): out.append(UInt8(ascii: "n"))
                case UInt8(ascii: "\r"): out.append(UInt8(ascii: "r"))
                case UInt8(ascii: "\t"): out.append(UInt8(ascii: "t"))
                default: out.append(contentsOf: Array("u00".utf8) + [hexDigit(byte >> 4), hexDigit(byte & 0xF)])
                }
                start = index + 1
            }
            out.append(contentsOf: bytes[start...])
            out.append(UInt8(ascii: "\""))
            return String(decoding: out, as: UTF8.self)
        }
    }

    private static func hexDigit(_ value: UInt8) -> UInt8 {
        value < 10 ? UInt8(ascii: "0") + value : UInt8(ascii: "a") + value - 10
    }
}

/// Sizes as users write them: `1500`, `64K`, `1.5M`, `1G`, also `KB`/`MiB`…; powers of 1024,
/// like the seed's MB.
public enum ByteSize {
    public static func parse(_ text: some StringProtocol) -> Double? {
        var digits = text.uppercased().filter { $0 != " " }
        for suffix in ["IB", "B"] where digits.hasSuffix(suffix) && digits.count > suffix.count {
            digits.removeLast(suffix.count)
            break
        }
        var scale = 1.0
        switch digits.last {
        case "K": scale = 1024
        case "M": scale = 1024 * 1024
        case "G": scale = 1024 * 1024 * 1024
        default: break
        }
        if scale > 1 { digits.removeLast() }
        guard let value = Double(digits), value.isFinite, value >= 0 else { return nil }
        return value * scale
    }
}

extension Duration {
    /// The duration in seconds, as a Double.
    public var seconds: Double { Double(components.seconds) + Double(components.attoseconds) / 1e18 }
}

extension Double {
    /// Seconds to the millisecond, as every command's JSON writes them (docs/reports.md).
    public var roundedToMilliseconds: Double { isFinite ? (self * 1000).rounded() / 1000 : 0 }
}
