import Catalog
import Foundation
import Model

/// The `after` of a results page: the sort keys of the last row shown, opaque to clients
/// (base64url of a JSON array of typed values), so the next page is a keyset query.
struct Cursor: Sendable, Equatable {
    let values: [FieldValue]

    init(values: [FieldValue]) {
        self.values = values
    }

    /// The cursor after `record` for a listing in `order`.
    init(after record: CallRecord, order: [SortKey]) {
        values = order.map { record.value(ofColumn: $0.column) ?? .null }
    }

    var token: String {
        let items = values.map { value -> String in
            switch value {
            case .null: "n"
            case .text(let text): "t" + text
            case .integer(let number): "i\(number)"
            case .real(let number): "r\(number)"
            }
        }
        let data = (try? JSONSerialization.data(withJSONObject: items)) ?? Data("[]".utf8)
        return data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// Reads a token for a listing in `order`; nil when it is not one this server made for that order.
    init?(token: String, order: [SortKey]) {
        var base64 = token.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.count % 4) % 4)
        guard token.count <= 4096, let data = Data(base64Encoded: base64),
              let items = try? JSONSerialization.jsonObject(with: data) as? [String], items.count == order.count
        else { return nil }
        var values: [FieldValue] = []
        for item in items {
            guard let value = Self.value(item) else { return nil }
            values.append(value)
        }
        self.values = values
    }

    private static func value(_ item: String) -> FieldValue? {
        let rest = String(item.dropFirst())
        switch item.first {
        case "n": return rest.isEmpty ? .null : nil
        case "t": return .text(rest)
        case "i": return Int64(rest).map(FieldValue.integer)
        case "r": return Double(rest).flatMap { $0.isFinite ? FieldValue.real($0) : nil }
        default: return nil
        }
    }
}
