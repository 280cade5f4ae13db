import Catalog
import Crypto
import Foundation
import Model

/// A catalog's rows in brief: how many calls and attempts, and one SHA-256 over every column of
/// every call in key order `(order_id, call_index)`, then every attempt in `(order_id, id)` order
/// (its id left out). Values are hashed by type (text bytes, integers and reals as 64 bits), so
/// SQLite and PostgreSQL give the same digest for the same rows.
public struct CatalogDigest: Sendable, Equatable, CustomStringConvertible {
    public var calls = 0
    public var attempts = 0
    public var sha256 = ""

    public var description: String {
        "\(calls) calls and \(attempts) attempts, SHA-256 \(sha256)"
    }

    /// The digest of `catalog`'s orders up to `through` (nil: all of it).
    public static func of(_ catalog: any TransferableCatalog, through: String? = nil) async throws(CatalogError) -> CatalogDigest {
        var digest = CatalogDigest()
        var hasher = SHA256()
        try await catalog.forEachInKeyOrder(through: through) { record in
            digest.calls += 1
            Self.feed(UInt8(ascii: "C"), record.columnValues, into: &hasher)
        } attempts: { attempt in
            digest.attempts += 1
            Self.feed(UInt8(ascii: "A"), attempt.transferValues, into: &hasher)
        }
        digest.sha256 = hasher.finalize().map { String(format: "%02x", $0) }.joined()
        return digest
    }

    /// A row: its kind, then each value as a type byte and its bytes (text with its length first).
    private static func feed(_ kind: UInt8, _ values: [FieldValue], into hasher: inout SHA256) {
        var bytes: [UInt8] = [kind]
        func number(_ value: UInt64) { withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) } }
        for value in values {
            switch value {
            case .null: bytes.append(0)
            case .integer(let integer):
                bytes.append(1)
                number(UInt64(bitPattern: integer))
            case .real(let real):
                bytes.append(2)
                number(real.bitPattern)
            case .text(let text):
                bytes.append(3)
                number(UInt64(text.utf8.count))
                bytes.append(contentsOf: text.utf8)
            }
        }
        hasher.update(data: bytes)
    }
}
