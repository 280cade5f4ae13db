import Catalog
import Foundation
import Model
import PostgresCatalog
import Simulator
import Testing
import TestSupport

/// The reliability suite on PostgreSQL (`make reliability` runs it at full size and prints its
/// figures; `make test` runs a short form): fetch processes sharing one catalog while the
/// server is killed, and a large `catalog copy` killed and resumed.
@Suite(.serialized) struct PostgresReliabilityTests {
    /// Three fetch processes over overlapping ids share one PostgreSQL catalog and archive; the
    /// server is killed (`pg_ctl -m immediate`) mid-run: each ends with exit 3 within seconds.
    /// After a restart one rerun finishes: every call valid, no recording downloaded whole twice.
    @Test func threeFetchersWithTheServerKilledMidRun() async throws {
        let server = try PostgresServer(name: "three-fetchers")
        let url = try server.newDatabase(), database = try databaseName(url)
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: Reliability.full ? 90 : 9)
        let third = ids.count / 3
        let lists = [Array(ids[0..<(2 * third)]), Array(ids[third...]), Array(ids[(2 * third)...] + ids[0..<third])]
        let simulator = Simulator(options: SimulatorOptions(rules: slowRules(ids), slowChunkDelay: .milliseconds(4)))
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        let (exits, slowest, left, again) = try await simulator.withRunning { api in
            let processes = try lists.map { list in
                try launchRecordingStderr(["fetch", "--archive", archive, "--catalog", url, "--api-url", api, "--jobs", "2"] + list).0
            }
            try await waitUntil { validFiles(server, database).count >= expected / 4 }
            try server.stop()
            let killed = Date()
            var exits: [Int32] = []
            for process in processes {
                await CLI.waitForExit(process)
                exits.append(process.terminationStatus)
            }
            let slowest = Date().timeIntervalSince(killed)
            try server.start()
            let left = try StoppedFetch(archive: archive, valid: validFiles(server, database), simulator: simulator)
            let rerun = try await CLI.run(["fetch", "--archive", archive, "--catalog", url, "--api-url", api, "--jobs", "4"] + ids)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            return (exits, slowest, left, left.fetchedAgain(simulator))
        }
        #expect(exits.allSatisfy { $0 == 3 }, "exit codes \(exits)")
        #expect(slowest < 15, "the last fetch ended \(slowest) s after the kill")
        #expect(validFiles(server, database).count == expected)
        #expect(again.isEmpty, "fetched again from byte 0: \(again)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: archive).contains { $0.hasSuffix(".part") })
        Reliability.report("PostgreSQL: 3 fetch processes, server killed mid-run", [
            "calls": expected, "valid at the kill": left.valid.count, "partial at the kill": left.partial.count, "processes ending with exit 3": exits.filter { $0 == 3 }.count,
            "last exit after kill (ms)": Int(slowest * 1000), "valid after rerun": validFiles(server, database).count,
            "fetched again": again.count, "whole but undecoded at the kill (fetched again)": left.whole.count,
        ])
        try server.stop()
    }

    /// A `catalog copy` of a large SQLite catalog (100,000 calls at full size) into PostgreSQL,
    /// killed (SIGKILL) a third of the way, then run again: it resumes after the last order
    /// there, copies the rest once, and verifies.
    @Test func largeCopyKilledAndResumed() async throws {
        let calls = Reliability.full ? 100_000 : 600
        let source = try temporaryDirectory() + "/large.sqlite"
        let attempts = try await Self.fill(source, calls: calls)
        let url = try PostgresServer.shared.get().newDatabase()
        let arguments = ["catalog", "copy", source, url, "--batch-size", String(calls / 20)]
        let (process, _) = try launchRecordingStderr(arguments)
        try await waitUntil(seconds: 600) { (try? await PostgresCatalog.open(url: url).count()) ?? 0 >= calls / 3 }
        kill(process.processIdentifier, SIGKILL)
        await CLI.waitForExit(process)
        let atKill = try await PostgresCatalog.open(url: url).count()
        #expect(atKill > 0 && atKill < calls, "\(atKill) of \(calls) at the kill")
        let started = Date()
        let resumed = try await CLI.run(arguments)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stdout.contains("copied \(calls - atKill) calls"), "\(resumed.stdout)")
        #expect(resumed.stdout.contains("verified: both hold \(calls) calls and \(attempts) attempts"), "\(resumed.stdout)")
        let copiedByResume = Int(resumed.stdout.split(separator: " ").dropFirst().first ?? "") ?? -1
        Reliability.report("PostgreSQL: catalog copy killed and resumed", [
            "calls": calls, "attempts": attempts, "calls there at the kill": atKill, "copied by the rerun": copiedByResume,
            "copied twice": atKill + copiedByResume - calls, "rerun exit code": Int(resumed.status),
            "rerun seconds": Int(Date().timeIntervalSince(started).rounded()),
        ])
    }

    /// Fills an SQLite catalog with `calls` varied calls (several per order) and an attempt for
    /// each; returns the number of attempts.
    static func fill(_ path: String, calls: Int) async throws -> Int {
        let catalog = try SQLiteCatalog.open(at: path)
        let template = try #require(try await SQLiteCatalog.openForReading(at: try await FilledArchive.shared.path() + "/catalog.sqlite")
            .records(CatalogQuery(words: ["verdict:=valid"], limit: 1)).first)
        let stores = ["MI-062 Jet's 15235 E Seven Mile", "OH-101 Marco's Pizza", "TX-7 Crème Brûlée Café", "NY-1 東京 ピザ"]
        let verdicts: [Verdict] = [.valid, .valid, .valid, .truncated, .corrupt, .failed, .noRecording]
        var total = 0
        for start in stride(from: 0, to: calls, by: 10_000) {
            var batch = CatalogBatch(calls: [], attempts: [])
            for n in start..<min(calls, start + 10_000) {
                var record = template
                (record.orderID, record.callIndex) = (String(format: "R%07d", n / 3), n % 3 + 1)
                (record.storeName, record.agentName) = (stores[n % stores.count], "Agent \(n % 71)")
                record.verdict = verdicts[n % verdicts.count]
                record.audioSeconds = Double(n % 600) + 0.125
                batch.calls.append(record)
                batch.attempts.append(DownloadAttempt(orderID: record.orderID, callIndex: record.callIndex, stage: .recording,
                                                      startedAt: "2025-02-20T22:52:34.000Z", httpStatus: 200, bytes: Int64(n)))
            }
            total += batch.attempts.count
            try await catalog.append(batch)
        }
        return total
    }
}
