import Foundation
import Model
import Telephony
import Testing

@Suite struct CallDecodingTests {
    let order = try! OrderID("E8ZQCJ")
    static let snake = #"{"store_name":"MI-062 Jet's 15235 E Seven Mile 313-839-4800","agent_name":"Jorina Blanche","call_status":"AGENT_MONITOR_REDIRECT","call_in_time":"2025-02-20T22:52:34.000Z","call_out_time":"2025-02-20T22:56:46.000Z","recording_url":"https://rec.example/E8ZQCJ.mp3","call_sid":"CA123","extra":{"queue":7}}"#
    static let camel = #"{"storeName":"MI-062 Jet's 15235 E Seven Mile 313-839-4800","agentName":"Jorina Blanche","callStatus":"AGENT_MONITOR_REDIRECT","callInTime":"2025-02-20T22:52:34.000Z","callOutTime":"2025-02-20T22:56:46.000Z","recordingUrl":"https://rec.example/E8ZQCJ.mp3","callSid":"CA123"}"#

    func decode(_ body: String) throws -> [CallInfo] {
        try CallDecoding.calls(from: Array(body.utf8), order: order)
    }

    func expectSeedCall(_ call: CallInfo) {
        #expect(call.storeName == "MI-062 Jet's 15235 E Seven Mile 313-839-4800")
        #expect(call.storeCode == "MI-062")
        #expect(call.agentName == "Jorina Blanche")
        #expect(call.callStatus == "AGENT_MONITOR_REDIRECT")
        #expect(call.callInTime == "2025-02-20T22:52:34.000Z")
        #expect(call.callOutTime == "2025-02-20T22:56:46.000Z")
        #expect(call.recordingURL == "https://rec.example/E8ZQCJ.mp3")
        #expect(call.callSID == "CA123")
    }

    @Test(arguments: [
        snake, camel, "{\"data\":\(snake)}", "{\"call\":\(camel)}", "{\"calls\":[\(snake)]}",
        "{\"data\":[\(camel)]}", "[\(snake)]",
    ])
    func everyBodyShapeGivesTheCall(_ body: String) throws {
        let calls = try decode(body)
        #expect(calls.count == 1)
        expectSeedCall(calls[0])
    }

    @Test func severalCallsKeepTheAPIsOrder() throws {
        let second = Self.snake.replacingOccurrences(of: "CA123", with: "CA456")
        let calls = try decode("{\"calls\":[\(Self.snake),\(second)]}")
        #expect(calls.map(\.callSID) == ["CA123", "CA456"])
    }

    @Test func missingKeysReadAsEmpty() throws {
        let calls = try decode(#"{"agent_name":"Marcus Park"}"#)
        #expect(calls.count == 1)
        #expect(calls[0].agentName == "Marcus Park")
        #expect(calls[0].storeName == "")
        #expect(calls[0].recordingURL == "")
        #expect(calls[0].callSeconds == nil)
    }

    @Test func theWholeObjectIsKeptIncludingUnknownKeys() throws {
        let call = try #require(try decode(Self.snake).first)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(call.rawJSON.utf8)) as? [String: Any])
        #expect((object["extra"] as? [String: Any])?["queue"] as? Int == 7)
        #expect(object["call_sid"] as? String == "CA123")
    }

    @Test func numbersAndBooleansReadAsText() throws {
        let call = try #require(try decode(#"{"call_sid": 12345, "agent_name": true, "store_name": 2.5, "call_status": null}"#).first)
        #expect(call.callSID == "12345")
        #expect(call.agentName == "true")
        #expect(call.storeName == "2.5")
        #expect(call.callStatus == "")
    }

    /// Found by the fuzzer: Foundation's `JSONSerialization` on Linux drops a U+FEFF that
    /// starts a string; the decoder keeps every character.
    @Test func aLeadingByteOrderMarkInAValueIsKept() throws {
        let call = try #require(try decode("{\"store_name\":\"\u{FEFF}Jet\",\"agent_name\":\"x\u{FEFF}\"}").first)
        #expect(call.storeName.unicodeScalars.first == "\u{FEFF}")
        #expect(call.agentName == "x\u{FEFF}")
    }

    /// Found by the fuzzer (`Fuzz --target json`): a 4 KB body of `{"data":` 460 deep took
    /// 0.76 s to decode. Deep documents are now refused, shallow wrappers still read.
    @Test func deepNestingIsRefusedAndShallowWrappersRead() throws {
        let deep = String(repeating: #"{"data":"#, count: 460) + #"{"store_name":"x"}"# + String(repeating: "}", count: 460)
        #expect {
            try decode(deep)
        } throws: { error in
            guard case .invalidResponse(_, let reason) = error as? TelephonyError else { return false }
            return reason.contains("nested more than 64 levels")
        }
        let wrapped = String(repeating: #"{"data":"#, count: 10) + #"{"store_name":"x"}"# + String(repeating: "}", count: 10)
        #expect(try decode(wrapped).map(\.storeName) == ["x"])
    }

    @Test(arguments: ["<html>502</html>", "", "not json", "{\"error\":\"nope\"}", "[]", "{\"data\":null}", "42"])
    func bodiesWithoutACallAreInvalid(_ body: String) {
        #expect {
            try decode(body)
        } throws: { error in
            guard case .invalidResponse(let failed, _) = error as? TelephonyError else { return false }
            return failed == order && (error as? TelephonyError)?.kind == .permanent
        }
    }
}
