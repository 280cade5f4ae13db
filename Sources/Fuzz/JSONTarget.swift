import Foundation
import Model
import Telephony

/// The API body decoder (docs/contract.md §1). Property: every body either decodes or is refused as an
/// "invalid API response"; a well-formed body in any of the six shapes, with either spelling
/// of the keys, decodes to exactly the calls it holds.
struct JSONTarget: FuzzTarget {
    let name = "json"
    let order = try! OrderID("FUZZ01")

    struct Input {
        var body: [UInt8]
        /// The calls a well-formed body must decode to; nil once the body was mutated.
        var expected: [CallInfo]?
    }

    static let fieldKeys: [(snake: String, camel: String)] = [
        ("store_name", "storeName"), ("agent_name", "agentName"), ("call_status", "callStatus"),
        ("call_in_time", "callInTime"), ("call_out_time", "callOutTime"),
        ("recording_url", "recordingUrl"), ("call_sid", "callSid"),
    ]
    static let texts = [
        "", "Jet's Pizza, MI-001", "Jorina \"JJ\" Blanche", "=HYPERLINK(\"x\")", "línea\nnueva", "😀", "\u{0}",
        "2025-02-20T22:52:34.000Z", "https://rec.example/a.mp3", "/relative/b.mp3", "file:///etc/passwd",
        "CA0123456789abcdef", "\\", "\u{7F}", "\t", String(repeating: "x", count: 300),
    ]
    static let tokens = [
        "{", "}", "[", "]", "\"", ":", ",", "null", "true", "false", "1e999", "-0", "\\u0000", "\\ud800",
        "\"data\"", "\"calls\"", "\"call\"", "\"store_name\"", " ", "\u{FEFF}", "0x10", "NaN", "\\",
    ]

    func input(_ index: Int, _ random: inout InputRandom) -> Input {
        if random.chance(0.02) { return Input(body: Self.deeplyNested(&random), expected: nil) }
        let (body, calls) = Self.wellFormed(&random)
        guard random.chance(0.6) else { return Input(body: Array(body.utf8), expected: calls) }
        var bytes = Array(body.utf8)
        for _ in 0..<random.int(1..<8) { Self.mutate(&bytes, &random) }
        return Input(body: bytes, expected: nil)
    }

    func check(_ input: Input) -> String? {
        do {
            let calls = try CallDecoding.calls(from: input.body, order: order)
            if let expected = input.expected {
                let got = calls.map { call in var copy = call; copy.rawJSON = ""; return copy }
                if got != expected { return "decoded \(got) but the body holds \(expected)" }
            }
            return nil
        } catch {
            guard case .invalidResponse = error else { return "unexpected error: \(error)" }
            return input.expected == nil ? nil : "a well-formed body was refused: \(error)"
        }
    }

    func bytes(_ input: Input) -> [UInt8] { input.body }

    /// A body in one of the six shapes, and the calls it holds.
    static func wellFormed(_ random: inout InputRandom) -> (String, [CallInfo]) {
        let count = random.int(1..<4)
        var objects: [String] = [], calls: [CallInfo] = []
        for _ in 0..<count {
            var members: [String] = []
            var values = [String](repeating: "", count: fieldKeys.count)
            let camel = random.chance(0.5)
            for (field, keys) in fieldKeys.enumerated() where random.chance(0.85) || (field == 0 && members.isEmpty) {
                let value = random.chance(0.3) ? random.pick(texts) : randomText(&random)
                values[field] = value
                let key = camel ? (field == 5 && random.chance(0.3) ? "recordingURL" : keys.camel) : keys.snake
                members.append(JSONText.quoted(key) + ":" + JSONText.quoted(value))
            }
            if members.isEmpty {
                values[0] = "S"
                members.append(#""store_name":"S""#)
            }
            for key in ["extra", "id", "meta", "duration", "tags"].shuffled(using: &random).prefix(random.int(0..<3)) {
                members.append(JSONText.quoted(key) + ":" + randomValue(&random, depth: 0))
            }
            members.shuffle(using: &random)
            objects.append("{" + members.joined(separator: ",") + "}")
            calls.append(CallInfo(
                storeName: values[0], agentName: values[1], callStatus: values[2], callInTime: values[3],
                callOutTime: values[4], recordingURL: values[5].trimmingCharacters(in: .whitespaces),
                callSID: values[6], rawJSON: ""
            ))
        }
        let list = "[" + objects.joined(separator: ",") + "]"
        switch random.int(0..<6) {
        case 0: return (objects[0], [calls[0]])
        case 1: return (#"{"data":"# + objects[0] + "}", [calls[0]])
        case 2: return (#"{"call":"# + objects[0] + "}", [calls[0]])
        case 3: return (#"{"calls":"# + list + "}", calls)
        case 4: return (#"{"data":"# + list + "}", calls)
        default: return (list, calls)
        }
    }

    static func randomText(_ random: inout InputRandom) -> String {
        var scalars = String.UnicodeScalarView()
        for _ in 0..<random.int(0..<24) {
            let value: UInt32 = random.chance(0.8) ? UInt32(random.int(0x20..<0x7F)) : UInt32(random.int(0..<0x11_0000))
            if let scalar = Unicode.Scalar(value) { scalars.append(scalar) }
        }
        return String(scalars)
    }

    static func randomValue(_ random: inout InputRandom, depth: Int) -> String {
        switch depth > 3 ? random.int(0..<4) : random.int(0..<6) {
        case 0: return "null"
        case 1: return random.chance(0.5) ? "true" : "false"
        case 2: return random.pick(["0", "-1.5e3", "12345678901234567890", "3.14"])
        case 3: return JSONText.quoted(randomText(&random))
        case 4: return "[" + (0..<random.int(0..<3)).map { _ in randomValue(&random, depth: depth + 1) }.joined(separator: ",") + "]"
        default:
            return "{" + (0..<random.int(0..<3)).map { n in JSONText.quoted("k\(n)") + ":" + randomValue(&random, depth: depth + 1) }
                .joined(separator: ",") + "}"
        }
    }

    static func mutate(_ bytes: inout [UInt8], _ random: inout InputRandom) {
        let at = bytes.isEmpty ? 0 : random.int(0..<bytes.count)
        switch random.int(0..<6) {
        case 0 where !bytes.isEmpty: bytes[at] ^= UInt8(1 << random.int(0..<8))
        case 1 where !bytes.isEmpty: bytes[at] = UInt8.random(in: 0...255, using: &random)
        case 2: bytes.insert(contentsOf: Array(random.pick(tokens).utf8), at: at)
        case 3 where !bytes.isEmpty: bytes.removeSubrange(at..<min(bytes.count, at + random.int(1..<16)))
        case 4: bytes.removeSubrange(at..<bytes.count)
        default:
            let end = min(bytes.count, at + random.int(1..<64))
            bytes.insert(contentsOf: bytes[at..<end], at: random.int(0..<(bytes.count + 1)))
        }
    }

    /// Arrays or `data` wrappers nested up to a few thousand deep.
    static func deeplyNested(_ random: inout InputRandom) -> [UInt8] {
        let depth = random.int(1..<5000)
        let (open, close) = random.chance(0.5) ? ("[", "]") : (#"{"data":"#, "}")
        let middle = random.chance(0.5) ? #"{"store_name":"deep"}"# : ""
        return Array((String(repeating: open, count: depth) + middle + String(repeating: close, count: random.chance(0.8) ? depth : depth / 2)).utf8)
    }
}
