import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// `--limit-rate`: the total download rate of all jobs, measured over a few MB.
@Suite(.serialized) struct RateLimitTests {
    /// Sample orders whose recordings add up to at least `bytes`, and their total.
    static func orders(totalling bytes: Int, _ simulator: Simulator) throws -> (ids: [String], bytes: Int) {
        var ids: [String] = [], total = 0
        for id in CallGenerator.sampleOrderIDs(count: 400) where total < bytes {
            let order = try OrderID(id)
            ids.append(id)
            for index in 1...CallGenerator.callCount(for: order) {
                total += simulator.recording(order: order, callIndex: index)?.byteCount ?? 0
            }
        }
        return (ids, total)
    }

    @Test func fourJobsTogetherStayWithinTheCap() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let (ids, bytes) = try Self.orders(totalling: 4 << 20, simulator)
        let started = ContinuousClock.now
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4", "--limit-rate", "1M", "--json"] + ids)
        }
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("downloads limited to 1 MiB/s in total"), "\(result.stderr)")
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
        let rate = Double(bytes) / seconds
        // Within ±25 % of 1 MiB/s over the whole run (startup and decoding included).
        #expect(rate > 0.75 * 1_048_576 && rate < 1.25 * 1_048_576, "\(bytes) bytes in \(seconds) s: \(rate) B/s")
    }

    @Test func aRateThatIsNoRateIsAUsageError() async throws {
        for bad in ["fast", "0", "-5K", "1K", "1e400"] {
            let result = try await CLI.run(["fetch", "--archive", try temporaryDirectory(), "--limit-rate", bad, "X1"])
            #expect(result.status == 64, "\(bad)")
            #expect(result.stderr.contains("--limit-rate"), "\(bad): \(result.stderr)")
        }
    }
}
