/// An order id as docs/contract.md §2 allows it: `^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$`.
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

extension OrderID {
    /// The highest call index a file name is read back with: `ABC-999.mp3` is call 999 of `ABC`,
    /// `INV-2024.mp3` is call 1 of `INV-2024` (docs/import.md).
    public static let maxCallIndexInFileName = 999

    /// The call an archive file name stands for, the inverse of `fileName(callIndex:)`:
    /// `ID.mp3` is call 1 of `ID`, `ID-N.mp3` (N from 2 to 999, no leading zero) call N of `ID`.
    /// Nil when the name is no call's. The extension may be in any case.
    public static func call(fromFileName name: String) -> (order: OrderID, callIndex: Int)? {
        calls(fromFileName: name).first
    }

    /// Every call a file name can stand for, the archive's reading first: `ABC-2.mp3` is call 2
    /// of `ABC`, but also the name call 1 of an order called `ABC-2` is given.
    public static func calls(fromFileName name: String) -> [(order: OrderID, callIndex: Int)] {
        guard name.utf8.count > 4, String(decoding: name.utf8.suffix(4), as: UTF8.self).lowercased() == ".mp3" else { return [] }
        let stem = String(decoding: name.utf8.dropLast(4), as: UTF8.self)
        var readings: [(order: OrderID, callIndex: Int)] = []
        if let dash = stem.lastIndex(of: "-"), let index = callNumber(stem[stem.index(after: dash)...]),
           let order = try? OrderID(String(stem[..<dash]))
        {
            readings.append((order, index))
        }
        if let order = try? OrderID(stem) { readings.append((order, 1)) }
        return readings
    }

    /// `N` of a `-N` suffix: 2 to `maxCallIndexInFileName`, digits only, no leading zero.
    private static func callNumber(_ text: Substring) -> Int? {
        guard let first = text.first, first != "0", text.allSatisfy({ $0.isASCII && $0.isNumber }),
              let number = Int(text), (2...maxCallIndexInFileName).contains(number)
        else { return nil }
        return number
    }
}
