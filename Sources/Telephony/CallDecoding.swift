import Foundation
import Model

/// Reads an API body into calls, accepting every shape docs/contract.md §1 lists: a call object,
/// `{"data": call}`, `{"call": call}`, `{"calls": [call…]}`, `{"data": [call…]}`, `[call…]`.
public enum CallDecoding {
    /// The calls in `body`, in the API's order. Throws `invalidResponse` for a body that is
    /// not JSON or holds no call object.
    public static func calls(from body: [UInt8], order: OrderID) throws(TelephonyError) -> [CallInfo] {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: body)
        } catch let error as JSONValue.TooDeep {
            throw .invalidResponse(order: order, reason: "the JSON is \(error)")
        } catch {
            throw .invalidResponse(order: order, reason: "the body is not JSON (\(Self.preview(body)))")
        }
        let objects = callObjects(in: document)
        guard !objects.isEmpty else {
            throw .invalidResponse(order: order, reason: "the JSON holds no call")
        }
        return objects.map(callInfo)
    }

    static func callObjects(in document: JSONValue) -> [[String: JSONValue]] {
        switch document {
        case .array(let items):
            return items.compactMap { if case .object(let object) = $0, isCall(object) { object } else { nil } }
        case .object(let object):
            for key in ["data", "call", "calls"] {
                if let inner = object[key] {
                    let found = callObjects(in: inner)
                    if !found.isEmpty { return found }
                }
            }
            return isCall(object) ? [object] : []
        default:
            return []
        }
    }

    static let fields: [(snake: String, camel: String)] = [
        ("store_name", "storeName"), ("agent_name", "agentName"), ("call_status", "callStatus"),
        ("call_in_time", "callInTime"), ("call_out_time", "callOutTime"),
        ("recording_url", "recordingUrl"), ("call_sid", "callSid"),
    ]

    /// An object is a call when it has at least one of the call fields, in either spelling.
    static func isCall(_ object: [String: JSONValue]) -> Bool {
        fields.contains { object[$0.snake] != nil || object[$0.camel] != nil }
    }

    static func callInfo(_ object: [String: JSONValue]) -> CallInfo {
        func field(_ index: Int) -> String {
            let names = fields[index]
            return (object[names.snake] ?? object[names.camel] ?? object[names.camel.replacingOccurrences(of: "Url", with: "URL")])?.text ?? ""
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let raw = (try? encoder.encode(JSONValue.object(object))).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        return CallInfo(
            storeName: field(0), agentName: field(1), callStatus: field(2), callInTime: field(3),
            callOutTime: field(4), recordingURL: field(5).trimmingCharacters(in: .whitespaces),
            callSID: field(6), rawJSON: raw
        )
    }

    static func preview(_ body: [UInt8]) -> String {
        if body.isEmpty { return "empty" }
        let text = String(decoding: body.prefix(40), as: UTF8.self)
            .map { $0.isNewline ? " " : String($0) }.joined()
        return "starts with \"\(text)\(body.count > 40 ? "…" : "")\""
    }
}
