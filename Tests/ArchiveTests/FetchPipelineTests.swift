import Archive
import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Synchronization
import Telephony
import Testing
import TestSupport
import Transport

/// Fetches `ids` from `simulator` into a fresh archive; returns the archive, its catalog and the summary.
func fetch(_ ids: [String], from simulator: Simulator, retries: Int = 2, directory: String? = nil) async throws -> (ArchiveLocation, any Catalog, FetchSummary) {
    let location = ArchiveLocation(directory: try directory ?? temporaryDirectory())
    let catalog = try await location.openForWriting()
    let orders = try ids.map { try OrderID($0) }
    let summary = try await simulator.withRunning { url in
        let options = FetchOptions(location: location, api: APIConfiguration(apiURL: url, token: "t0ken"),
                                   retry: RetryPolicy(retries: retries, baseDelay: 0.01), jobs: 4)
        return try await FetchPipeline(options: options, catalog: catalog).run(orders: orders) { _ in }
    }
    return (location, catalog, summary)
}

@Suite struct FetchPipelineTests {
    @Test func oneCallEndToEnd() async throws {
        let simulator = Simulator()
        let (location, catalog, summary) = try await fetch(["E8ZQCJ"], from: simulator)
        let calls = CallGenerator.calls(for: try OrderID("E8ZQCJ"))
        #expect(summary.calls == calls.count)
        #expect(summary.valid == calls.count)
        let record = try #require(try await catalog.record(order: "E8ZQCJ", callIndex: 1))
        #expect(record.verdict == .valid)
        #expect(record.filePath == "E8ZQCJ.mp3")
        #expect(record.storeName == calls[0].storeName)
        #expect(record.storeCode == StoreCode.leading(in: calls[0].storeName))
        #expect(record.callInTime == calls[0].callIn.iso8601)
        #expect(record.callSeconds == calls[0].callSeconds)
        #expect(record.attempts == 1)
        // The file is the served recording, and its catalogued duration is its decoded duration.
        let path = location.path("E8ZQCJ.mp3")
        let served = try #require(simulator.recording(order: try OrderID("E8ZQCJ"), callIndex: 1))
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == Data(served.allBytes))
        let report = try AudioChecker().check(fileAt: path)
        #expect(record.audioSeconds == report.seconds)
        #expect(record.sha256 == report.sha256)
        #expect(record.fileSize == Int64(served.byteCount))
        #expect(!FileManager.default.fileExists(atPath: path + ".part"))
        #expect(try await catalog.attempts(order: "E8ZQCJ").map(\.stage) == [.metadata] + Array(repeating: .recording, count: calls.count))
    }

    @Test func permanentFailuresGetRowsAndNoFiles() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: [
            "NOTFOUND1": FaultRule(kind: .notFound), "NOREC1": FaultRule(kind: .noRecording),
            "BADJSON1": FaultRule(kind: .badJSON), "FILEURL1": FaultRule(kind: .fileURL),
        ]))
        let (location, catalog, summary) = try await fetch(["NOTFOUND1", "NOREC1", "BADJSON1", "FILEURL1"], from: simulator)
        #expect(try await catalog.record(order: "NOTFOUND1", callIndex: 1)?.verdictDetail == "order NOTFOUND1 not found (HTTP 404)")
        #expect(try await catalog.record(order: "NOREC1", callIndex: 1)?.verdict == .noRecording)
        #expect(try await catalog.record(order: "BADJSON1", callIndex: 1)?.verdictDetail.hasPrefix("invalid API response") == true)
        let refused = try #require(try await catalog.record(order: "FILEURL1", callIndex: 1))
        #expect(refused.verdict == .failed)
        #expect(refused.verdictDetail.contains("refused recording URL"))
        #expect(!summary.succeeded)
        // 404 is not retried; file: is never requested.
        #expect(simulator.requests.filter { $0.path == "/calls/NOTFOUND1" }.count == 1)
        #expect(!simulator.requests.contains { $0.path.contains("passwd") })
        let files = try FileManager.default.contentsOfDirectory(atPath: location.directory).filter { $0.hasSuffix(".mp3") || $0.hasSuffix(".part") }
        #expect(files.isEmpty)
    }

    @Test func transientFaultsAreRetriedToValid() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: [
            "RETRY500": FaultRule(kind: .serverError, times: 2), "RESET1": FaultRule(kind: .reset, times: 1),
            "REC500": FaultRule(kind: .recordingError, times: 1),
        ]))
        let (_, catalog, summary) = try await fetch(["RETRY500", "RESET1", "REC500"], from: simulator)
        #expect(summary.failures.isEmpty, "\(summary.failures)")
        for id in ["RETRY500", "RESET1", "REC500"] {
            #expect(try await catalog.record(order: id, callIndex: 1)?.verdict == .valid)
        }
        #expect(simulator.requests.filter { $0.path == "/calls/RETRY500" }.count == 3)
        // The retry after the reset resumed with Range.
        #expect(simulator.requests.contains { $0.path == "/recordings/RESET1.mp3" && $0.range != nil })
    }

    @Test func damagedRecordingsGoToQuarantine() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["HTML1": FaultRule(kind: .html), "CUT1": FaultRule(kind: .truncated)]))
        let (location, catalog, summary) = try await fetch(["HTML1", "CUT1"], from: simulator, retries: 1)
        let html = try #require(try await catalog.record(order: "HTML1", callIndex: 1))
        #expect(html.verdict == .notAudio)
        #expect(html.filePath == "quarantine/HTML1.mp3")
        let cut = try #require(try await catalog.record(order: "CUT1", callIndex: 1))
        #expect(cut.verdict == .truncated)
        #expect(FileManager.default.fileExists(atPath: location.path("quarantine/CUT1.mp3")))
        #expect(!FileManager.default.fileExists(atPath: location.path("HTML1.mp3")))
        #expect(!FileManager.default.fileExists(atPath: location.path("CUT1.mp3")))
        #expect(summary.quarantined == 2)
    }

    @Test func rerunSkipsValidCallsWithoutRequests() async throws {
        let simulator = Simulator()
        let directory = try temporaryDirectory()
        _ = try await fetch(["SKIP01", "SKIP02"], from: simulator, directory: directory)
        simulator.resetLog()
        let (_, _, summary) = try await fetch(["SKIP01", "SKIP02"], from: simulator, directory: directory)
        #expect(simulator.requests.isEmpty)
        #expect(summary.skipped >= 2)
    }

    @Test func tokenNeverReachesAnotherHost() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["OTHER1": FaultRule(kind: .otherHost)]))
        let (_, catalog, _) = try await fetch(["OTHER1", "SAME01"], from: simulator)
        #expect(try await catalog.record(order: "OTHER1", callIndex: 1)?.verdict == .valid)
        let recordings = simulator.requests.filter { $0.path.hasPrefix("/recordings/") }
        let other = recordings.filter { $0.path.hasPrefix("/recordings/OTHER1") }
        #expect(!other.isEmpty && other.allSatisfy { $0.authorization == nil && $0.host.hasPrefix("localhost") })
        let same = recordings.filter { $0.path.hasPrefix("/recordings/SAME01") }
        #expect(!same.isEmpty && same.allSatisfy { $0.authorization == "Bearer t0ken" })
        let metadata = simulator.requests.filter { $0.path.hasPrefix("/calls/") }
        #expect(metadata.count >= 2 && metadata.allSatisfy { $0.authorization == "Bearer t0ken" })
    }
}
