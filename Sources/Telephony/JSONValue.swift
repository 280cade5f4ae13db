import Foundation

/// A JSON document as plain values: enough to accept every body shape docs/contract.md §1 allows, read
/// typed fields by either spelling, and keep the call object as the API sent it.
public indirect enum JSONValue: Sendable, Equatable, Codable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    case array([JSONValue])
    case object([String: JSONValue])

    /// Deeper documents are refused: no call shape needs more than three levels, and a cap
    /// keeps a hostile body from exhausting the stack.
    static let maxDepth = 64

    /// Parses a JSON document, refusing one nested deeper than `maxDepth` before decoding it:
    /// decoding this enum costs time in the square of the depth (0.76 s for a 4 KB body nested
    /// 460 deep, found by the fuzzer). `JSONSerialization` would be faster, but on Linux it
    /// drops a U+FEFF that starts a string (also found by the fuzzer).
    public init(parsing bytes: [UInt8]) throws {
        guard Self.nestingDepth(bytes) <= Self.maxDepth else { throw TooDeep() }
        self = try JSONDecoder().decode(JSONValue.self, from: Data(bytes))
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if container.decodeNil() {
            self = .null
        } else if let value = try? container.decode(Bool.self) {
            self = .bool(value)
        } else if let value = try? container.decode(Double.self) {
            self = .number(value)
        } else if let value = try? container.decode(String.self) {
            self = .string(value)
        } else if let value = try? container.decode([JSONValue].self) {
            self = .array(value)
        } else {
            self = .object(try container.decode([String: JSONValue].self))
        }
    }

    /// The deepest nesting of arrays and objects, outside strings.
    static func nestingDepth(_ bytes: [UInt8]) -> Int {
        var depth = 0, deepest = 0, inString = false, escaped = false
        for byte in bytes {
            if inString {
                if escaped { escaped = false } else if byte == UInt8(ascii: "\\") { escaped = true } else if byte == UInt8(ascii: "\"") { inString = false }
                continue
            }
            switch byte {
            case UInt8(ascii: "\""): inString = true
            case UInt8(ascii: "["), UInt8(ascii: "{"):
                depth += 1
                deepest = max(deepest, depth)
            case UInt8(ascii: "]"), UInt8(ascii: "}"): depth -= 1
            default: break
            }
        }
        return deepest
    }

    struct TooDeep: Error, CustomStringConvertible {
        var description: String { "nested more than \(JSONValue.maxDepth) levels deep" }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .null: try container.encodeNil()
        case .bool(let value): try container.encode(value)
        case .number(let value): try container.encode(value)
        case .string(let value): try container.encode(value)
        case .array(let value): try container.encode(value)
        case .object(let value): try container.encode(value)
        }
    }

    /// A field as text: strings as they are, numbers and booleans spelled out, anything else empty.
    var text: String {
        switch self {
        case .string(let value): value
        case .number(let value): value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
        case .bool(let value): String(value)
        default: ""
        }
    }
}
