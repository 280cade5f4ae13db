import Foundation
import Model
import Telephony
import Testing
import Transport

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

@Suite struct RetryAfterTests {
    @Test func deltaSeconds() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        #expect(RetryAfter.seconds("-5") == nil)
        #expect(RetryAfter.seconds("soon") == nil)
    }

    @Test func httpDate() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2015-10-21T07:27:30Z"))
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:20:00 GMT", now: now) == 0)
    }
}

@Suite struct RetryPolicyTests {
    /// Full jitter: attempt n waits a uniform draw from 0 to min(base × factor^n, ceiling).
    /// Over many draws the mean is near half that bound, the draws spread over all of it, and
    /// none passes it — a backoff that always waits 0, or never grows, fails.
    @Test func fullJitterGrowsExponentiallyUnderTheCeiling() {
        let policy = RetryPolicy(retries: 3, baseDelay: 1, factor: 2, maxRetryWait: 120)
        let draws = 4000
        var means: [Double] = []
        for attempt in 0..<9 {
            let bound = min(pow(2, Double(attempt)), 120)
            let waits = (0..<draws).map { _ in policy.backoff(afterAttempt: attempt) }
            #expect(waits.allSatisfy { $0 >= 0 && $0 <= bound }, "attempt \(attempt) outside 0...\(bound)")
            // The mean of 4,000 uniform draws lies within 5 % of bound/2 (over 5 standard errors).
            let mean = waits.reduce(0, +) / Double(draws)
            #expect(abs(mean - bound / 2) < 0.05 * bound / 2, "attempt \(attempt): mean \(mean), expected about \(bound / 2)")
            // Spread: every quarter of 0...bound gets about a quarter of the draws.
            for quarter in 0..<4 {
                let share = Double(waits.filter { Int($0 / bound * 4) == quarter }.count) / Double(draws)
                #expect((0.2...0.3).contains(share), "attempt \(attempt): quarter \(quarter) got \(share) of the draws")
            }
            means.append(mean)
        }
        // Growth: each mean about doubles until the 120 s ceiling caps it.
        for attempt in 1..<7 { #expect((1.8...2.2).contains(means[attempt] / means[attempt - 1]), "attempt \(attempt)") }
        #expect(abs(means[8] - 60) < 3, "capped at the ceiling: mean \(means[8])")
    }
}
