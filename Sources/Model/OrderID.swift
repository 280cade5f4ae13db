/// An order id as SPEC §2 allows it: `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`.
///
/// Validation happens once, here, before any request or file name is built from the id, so
/// nothing downstream can be tricked into writing outside the archive.
public struct OrderID: Hashable, Sendable, Comparable, CustomStringConvertible {
    public let rawValue: String

    public init(_ text: String) throws(ModelError) {
        guard OrderID.isValid(text) else { throw ModelError.invalidOrderID(text) }
        rawValue = text
    }

    public var description: String { rawValue }

    public static func < (lhs: OrderID, rhs: OrderID) -> Bool { lhs.rawValue < rhs.rawValue }

    /// File name of the `index`-th call of this order (1-based): `ID.mp3`, then `ID-2.mp3`, …
    public func fileName(callIndex index: Int) -> String {
        index <= 1 ? "\(rawValue).mp3" : "\(rawValue)-\(index).mp3"
    }

    public static func isValid(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard (1...64).contains(bytes.count), isAlphanumeric(bytes[0]) else { return false }
        return bytes.dropFirst().allSatisfy { isAlphanumeric($0) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func isAlphanumeric(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            true
        default:
            false
        }
    }
}
