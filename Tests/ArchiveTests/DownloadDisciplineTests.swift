import Archive
import AudioCheck
import Catalog
import Crypto
import Foundation
import Model
import Simulator
import Telephony
import Testing
import TestSupport
import Transport

func sha256Hex(_ bytes: [UInt8]) -> String {
    SHA256.hash(data: bytes).map { String(format: "%02x", $0) }.joined()
}

@Suite struct DownloadDisciplineTests {
    @Test func rateLimitWaitsRetryAfterAndPausesTheHost() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["LIMIT1": FaultRule(kind: .rateLimited, times: 1)], retryAfter: 2))
        let peers = (10...21).map { "PEER\($0)" }
        let (_, catalog, summary) = try await fetch(["LIMIT1"] + peers, from: simulator)
        #expect(summary.failures.isEmpty)
        #expect(try await catalog.record(order: "LIMIT1", callIndex: 1)?.verdict == .valid)
        let limited = simulator.requests.filter { $0.path == "/calls/LIMIT1" }
        #expect(limited.count == 2)
        let told = limited[0].time
        #expect(limited[1].time - told >= .seconds(2))
        // While the host was paused, no new request started: at most the three other workers'
        // requests already past the gate arrive (on a loaded machine they can arrive late).
        // Without the pause, the twelve peers' metadata and recording requests would flow on.
        let during = simulator.requests.filter { $0.time > told + .milliseconds(100) && $0.time < told + .milliseconds(1900) }
        #expect(during.count <= 3, "\(during.map(\.path))")
        #expect(simulator.requests.filter { $0.time > told + .milliseconds(1900) }.count >= 12)
    }

    @Test func rateLimitBeyondMaxRetryWaitFails() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["LIMIT2": FaultRule(kind: .rateLimited, times: 5)], retryAfter: 300))
        let (_, catalog, _) = try await fetch(["LIMIT2"], from: simulator)
        let record = try #require(try await catalog.record(order: "LIMIT2", callIndex: 1))
        #expect(record.verdict == .failed)
        #expect(record.verdictDetail.contains("more than --max-retry-wait"))
        #expect(simulator.requests.count == 1)
    }

    @Test func leftoverPartIsResumedWithRange() async throws {
        let simulator = Simulator()
        let order = try OrderID("RESUME1")
        let served = try #require(simulator.recording(order: order, callIndex: 1)).allBytes
        let directory = try temporaryDirectory()
        let kept = 100_000
        try Data(served[0..<kept]).write(to: URL(fileURLWithPath: directory + "/RESUME1.mp3.part"))
        let (location, catalog, summary) = try await fetch(["RESUME1"], from: simulator, directory: directory)
        #expect(summary.resumed == 1)
        let recording = simulator.requests.filter { $0.path == "/recordings/RESUME1.mp3" }
        #expect(recording.map(\.range) == ["bytes=\(kept)-"])
        let record = try #require(try await catalog.record(order: "RESUME1", callIndex: 1))
        #expect(record.verdict == .valid)
        #expect(record.sha256 == sha256Hex(served))
        #expect(try Data(contentsOf: URL(fileURLWithPath: location.path("RESUME1.mp3"))) == Data(served))
        #expect(try await catalog.attempts(order: "RESUME1").last?.rangeStart == Int64(kept))
    }

    @Test func partThatDoesNotMatchStartsOver() async throws {
        let simulator = Simulator()
        let order = try OrderID("RESUME2")
        let served = try #require(simulator.recording(order: order, callIndex: 1)).allBytes
        let directory = try temporaryDirectory()
        // A part longer than the recording: the server answers 416, the download starts over.
        try Data(repeating: 0xAB, count: served.count + 10).write(to: URL(fileURLWithPath: directory + "/RESUME2.mp3.part"))
        let (_, catalog, _) = try await fetch(["RESUME2"], from: simulator, directory: directory)
        #expect(try await catalog.record(order: "RESUME2", callIndex: 1)?.sha256 == sha256Hex(served))
    }

    @Test func redirectsAreFollowedCappedAndSchemeChecked() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: [
            "HOP1": FaultRule(kind: .redirect), "LOOP1": FaultRule(kind: .redirectLoop), "FILE2": FaultRule(kind: .redirectFile),
        ]))
        let (location, catalog, _) = try await fetch(["HOP1", "LOOP1", "FILE2"], from: simulator, retries: 0)
        #expect(try await catalog.record(order: "HOP1", callIndex: 1)?.verdict == .valid)
        let loop = try #require(try await catalog.record(order: "LOOP1", callIndex: 1))
        #expect(loop.verdict == .failed && loop.verdictDetail == "more than 5 redirects")
        #expect(simulator.requests.filter { $0.path == "/recordings/LOOP1.mp3" }.count == 6)
        let file = try #require(try await catalog.record(order: "FILE2", callIndex: 1))
        #expect(file.verdict == .failed && file.verdictDetail.contains("only http and https"))
        #expect(!FileManager.default.fileExists(atPath: location.path("FILE2.mp3.part")))
    }

    @Test func maxSizeIsEnforced() async throws {
        let simulator = Simulator()
        let location = ArchiveLocation(directory: try temporaryDirectory())
        let catalog = try await location.openForWriting()
        _ = try await simulator.withRunning { url in
            let options = FetchOptions(location: location, api: APIConfiguration(apiURL: url), retry: RetryPolicy(retries: 1, baseDelay: 0.01), maxSize: 50_000)
            return try await FetchPipeline(options: options, catalog: catalog).run(orders: [try OrderID("BIG001")]) { _ in }
        }
        let record = try #require(try await catalog.record(order: "BIG001", callIndex: 1))
        #expect(record.verdict == .failed)
        #expect(record.verdictDetail == "recording larger than --max-size (50000 bytes)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: location.directory).filter { $0.contains(".mp3") }.isEmpty)
    }

    @Test func cancellationKeepsThePartAndSaysSo() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["STOP01": FaultRule(kind: .slow)], slowChunkDelay: .milliseconds(100)))
        let location = ArchiveLocation(directory: try temporaryDirectory())
        let catalog = try await location.openForWriting()
        let part = location.path("STOP01.mp3.part")
        try await simulator.withRunning { url in
            let options = FetchOptions(location: location, api: APIConfiguration(apiURL: url))
            let task = Task { try await FetchPipeline(options: options, catalog: catalog).run(orders: [try OrderID("STOP01")]) { _ in } }
            for _ in 0..<200 where fileSize(part) == 0 {
                try await Task.sleep(for: .milliseconds(20))
            }
            let cancelled = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(ContinuousClock.now - cancelled < .seconds(2))
        }
        #expect(FileManager.default.fileExists(atPath: part))
        let record = try #require(try await catalog.record(order: "STOP01", callIndex: 1))
        #expect(record.verdict == .failed)
        #expect(record.verdictDetail.hasPrefix("interrupted;"))
        #expect(!FileManager.default.fileExists(atPath: location.path("STOP01.mp3")))
    }
}

func fileSize(_ path: String) -> Int64 {
    (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int64) ?? 0
}
