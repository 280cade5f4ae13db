import AsyncHTTPClient
import AudioCheck
import Foundation
import Model
import NIOCore
import Simulator
import Testing
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
        let path = NSTemporaryDirectory() + "sim-\(UUID().uuidString).mp3"
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

    @Test func rangesMatchTheWhole() {
        let recording = Recording(seconds: 95)
        let whole = recording.allBytes
        #expect(whole.count == recording.byteCount)
        for range in [0..<10, 280..<600, 81_000..<90_000, (recording.byteCount - 7)..<recording.byteCount] {
            #expect(recording.bytes(range) == Array(whole[range]))
        }
    }

    @Test func servesRangesWith206() async throws {
        let simulator = Simulator()
        let order = try OrderID("RANGE1")
        let recording = try #require(simulator.recording(order: order, callIndex: 1))
        let (status, contentRange, body) = try await simulator.withRunning { url in
            let base = url.replacingOccurrences(of: "/calls", with: "")
            return try await Transport.withClient(connectTimeout: 30, readTimeout: 30) { http in
                var request = HTTPClientRequest(url: "\(base)/recordings/RANGE1.mp3")
                request.headers.add(name: "Range", value: "bytes=1000-")
                let response = try await http.execute(request, timeout: .seconds(60))
                let body = try await response.body.collect(upTo: 10 << 20)
                return (Int(response.status.code), response.headers.first(name: "Content-Range"), Array(buffer: body))
            }
        }
        #expect(status == 206)
        #expect(contentRange == "bytes 1000-\(recording.byteCount - 1)/\(recording.byteCount)")
        #expect(body == recording.bytes(1000..<recording.byteCount))
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
