import AsyncHTTPClient
import AudioCheck
import Foundation
import Model
import NIOCore
import Simulator
import Testing
import TestSupport
import Transport

@Suite struct SimulatorTests {
    @Test func metadataIsDeterministicAndRealistic() throws {
        let order = try OrderID("E8ZQCJ")
        let first = CallGenerator.calls(for: order), second = CallGenerator.calls(for: order)
        #expect(first.map(\.storeName) == second.map(\.storeName))
        #expect(first.map(\.callIn) == second.map(\.callIn))
        var statuses = Set<String>()
        for id in CallGenerator.sampleOrderIDs(count: 300) {
            for call in CallGenerator.calls(for: try OrderID(id)) {
                #expect((30...600).contains(call.callSeconds))
                #expect(call.callIn.iso8601.hasPrefix("2025-"))
                #expect(StoreCode.leading(in: call.storeName).count >= 5)
                statuses.insert(call.status)
            }
        }
        #expect(statuses.contains("AGENT_MONITOR_REDIRECT"))
    }

    @Test func longRecordingsDecodeWholeWithTheirDeclaredFrames() throws {
        let recording = Recording(seconds: 600)
        let path = temporaryPath(".mp3")
        defer { unlink(path) }
        try Data(recording.allBytes).write(to: URL(fileURLWithPath: path))
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.frames == recording.frames)
        #expect(report.expectedFrames == recording.frames)
        // As mpg123 decodes it: an Info header without a LAME tag trims the decoder's 529 samples.
        #expect(report.samples == Int64(recording.frames * 576 - 529))
        #expect(abs(report.seconds - 600) < 0.1)
    }

    /// Ranges, in memory and over HTTP, against a whole built here from the voice sample file
    /// itself: an Info frame (checked by decoding the full GET) then the sample's frames over and
    /// over. A `bytes(range)` wrong in the same way for every range, the whole included, fails.
    @Test func rangesMatchTheVoiceSampleRepeated() async throws {
        let simulator = Simulator()
        let order = try OrderID("RANGE1")
        let recording = try #require(simulator.recording(order: order, callIndex: 1))
        let (full, ranged) = try await simulator.withRunning { url in
            let base = url.replacingOccurrences(of: "/calls", with: "")
            return try await HTTPClient.withHTTPClient(configuration: Transport.configuration(connectTimeout: 30, readTimeout: 30)) { http in
                func get(_ range: String?) async throws -> (status: Int, contentRange: String?, body: [UInt8]) {
                    var request = HTTPClientRequest(url: "\(base)/recordings/RANGE1.mp3")
                    if let range { request.headers.add(name: "Range", value: range) }
                    let response = try await http.execute(request, timeout: .seconds(60))
                    let body = try await response.body.collect(upTo: 10 << 20)
                    return (Int(response.status.code), response.headers.first(name: "Content-Range"), Array(buffer: body))
                }
                return (try await get(nil), try await get("bytes=1000-"))
            }
        }
        let sample = try Array(Data(contentsOf: voiceSample))
        let sampleFrames = try AudioChecker().check(fileAt: voiceSample.path).frames
        let frameLength = sample.count / sampleFrames
        #expect(full.status == 200)
        #expect(full.body.count == (recording.frames + 1) * frameLength)
        var expected = Array(full.body.prefix(frameLength))
        while expected.count < full.body.count { expected += sample.prefix(full.body.count - expected.count) }
        #expect(full.body == expected, "the full GET is the Info frame and then the voice sample repeated")
        let path = temporaryPath(".mp3")
        defer { unlink(path) }
        try Data(full.body).write(to: URL(fileURLWithPath: path))
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.verdict == .valid, "\(report.detail)")
        #expect(report.expectedFrames == recording.frames && report.frames == recording.frames)

        #expect(recording.byteCount == expected.count)
        for range in [0..<10, 280..<600, 81_000..<90_000, (expected.count - 7)..<expected.count, 0..<expected.count] {
            #expect(recording.bytes(range) == Array(expected[range]), "\(range)")
        }
        #expect(ranged.status == 206)
        #expect(ranged.contentRange == "bytes 1000-\(expected.count - 1)/\(expected.count)")
        #expect(ranged.body == Array(expected[1000...]))
    }

    /// The simulator's voice sample as a file in the source tree (the binary embeds a copy).
    var voiceSample: URL {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("Sources/Simulator/Voice/voice.mp3")
    }

    @Test func faultRulesParse() {
        #expect(FaultRule("500:2") == FaultRule(kind: .serverError, times: 2))
        #expect(FaultRule("reset") == FaultRule(kind: .reset, times: 1))
        #expect(FaultRule("html") == FaultRule(kind: .html, times: nil))
        #expect(FaultRule("explode") == nil)
        #expect(FaultRule("500:x") == nil)
    }

    @Test func randomFaultsHitAboutTheirRate() {
        let simulator = Simulator(options: SimulatorOptions(faultRate: 0.3))
        let ids = CallGenerator.sampleOrderIDs(count: 2000)
        let faulty = ids.filter { simulator.fault(for: $0) != nil }.count
        #expect((450...750).contains(faulty))
    }
}
