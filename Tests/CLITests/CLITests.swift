import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

@Suite(.serialized) struct CLITests {
    @Test func versionAndEveryCommandsHelp() async throws {
        let version = try await CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == CallArchiveVersion.current)
        for command in ["fetch", "info", "search", "export", "stats", "verify", "import", "refetch", "simulate", "demo"] {
            let help = try await CLI.run([command, "--help"])
            #expect(help.status == 0, "\(command) --help")
            #expect(help.stdout.contains("USAGE: callarchive \(command)"), "\(command) --help")
        }
    }

    @Test func seedInvocationPrintsTheSeedsBlockAndCataloguesTheCall() async throws {
        let directory = try temporaryDirectory()
        let archive = directory + "/x"
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["E8ZQCJ", "--output-dir", archive, "--api-url", url])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let call = CallGenerator.calls(for: try OrderID("E8ZQCJ"))[0]
        let block = """
            Call Information:
            Order ID: E8ZQCJ
            Store: \(call.storeName)
            Agent: \(call.agentName)
            Status: \(call.status)
            Call In Time: \(call.callIn.iso8601)
            Call Out Time: \(call.callOut.iso8601)
            Recording URL Available: Yes

            Downloading audio file...
            """
        #expect(result.stdout.hasPrefix(block), "\(result.stdout)")
        let recording = try #require(simulator.recording(order: try OrderID("E8ZQCJ"), callIndex: 1))
        #expect(result.stdout.contains("Download completed:\nFile: \(archive)/E8ZQCJ.mp3\nSize: \(String(format: "%.2f MB", Double(recording.byteCount) / 1_048_576))\n"))
        #expect(result.stderr.contains("Download progress: 100.0%"))
        // The row's duration is the file's decoded duration, and search finds it.
        let report = try AudioChecker().check(fileAt: archive + "/E8ZQCJ.mp3")
        let record = try #require(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: "E8ZQCJ", callIndex: 1))
        #expect(record.audioSeconds == report.seconds)
        let search = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", "--fields", "order_id,verdict,audio_seconds"])
        #expect(search.status == 0)
        #expect(search.stdout.hasPrefix("{\"order_id\":\"E8ZQCJ\",\"verdict\":\"valid\",\"audio_seconds\":"))
        let table = try await CLI.run(["search", "--archive", archive], environment: ["COLUMNS": "100"])
        #expect(table.stdout.contains("E8ZQCJ"))
        #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    @Test func hostileIDsAreRefusedBeforeAnyRequest() async throws {
        let directory = try temporaryDirectory()
        let simulator = Simulator()
        for bad in ["../etc", "a/b", "x y", String(repeating: "z", count: 65)] {
            let result = try await simulator.withRunning { url in
                try await CLI.run(["fetch", "GOOD01", bad, "--archive", directory, "--api-url", url])
            }
            #expect(result.status == 64)
            #expect(result.stderr.contains(bad))
        }
        #expect(simulator.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: directory + "/catalog.sqlite"))
    }

    @Test func bulkInputFromStdinWithCommentsCSVAndDuplicates() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let input = "order_id,store\n# a comment\nBULK01,x\n\nBULK02\nBULK01\n"
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--input", "-", "--archive", archive, "--api-url", url, "--json"], stdin: input)
        }
        #expect(result.status == 0, "\(result.stderr)")
        let summary = try JSONDecoder().decode([String: AnyDecodable].self, from: Data(result.stdout.utf8))
        #expect(summary["orders"]?.int == 2)
        #expect(Set(simulator.requests.filter { $0.path.hasPrefix("/calls/") }.map(\.path)) == ["/calls/BULK01", "/calls/BULK02"])
    }

    @Test func failuresExitOneAndExportWritesEveryColumn() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator(options: SimulatorOptions(rules: ["MISS01": FaultRule(kind: .notFound)]))
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "MISS01", "OKAY01", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 1)
        #expect(result.stderr.contains("MISS01: failed: order MISS01 not found (HTTP 404)"))
        let export = try await CLI.run(["export", "--archive", archive, "--format", "jsonl"])
        #expect(export.status == 0)
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 1 + CallGenerator.calls(for: try OrderID("OKAY01")).count)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for column in CallRecord.columnNames { #expect(object.keys.contains(column), "\(column)") }
        let csv = try await CLI.run(["export", "--archive", archive])
        // Every §4 column, then call_in_local (issue 14: local time, appended on purpose).
        #expect(csv.stdout.hasPrefix((CallRecord.columnNames + ["call_in_local"]).joined(separator: ",") + "\r\n"))
    }

    @Test func unusableCatalogExitsThree() async throws {
        let archive = try temporaryDirectory()
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: archive + "/catalog.sqlite"))
        let result = try await CLI.run(["search", "--archive", archive])
        #expect(result.status == 3)
        #expect(result.stderr.contains("not a callarchive catalog"))
        let missing = try await CLI.run(["search", "--archive", archive + "/nope"])
        #expect(missing.status == 3)
        // A catalog from a newer callarchive is refused and left as it was.
        let newer = try temporaryDirectory()
        _ = try SQLiteCatalog.open(at: newer + "/catalog.sqlite")
        let marked = try await CLI.run([newer + "/catalog.sqlite", "INSERT INTO grdb_migrations VALUES ('0099_future')"], executable: "/usr/bin/sqlite3")
        #expect(marked.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: newer + "/catalog.sqlite"))
        for command in [["search"], ["fetch", "X1", "--api-url", "http://127.0.0.1:9/calls"], ["verify"], ["stats"]] {
            let refused = try await CLI.run(command + ["--archive", newer])
            #expect(refused.status == 3, "\(command)")
            #expect(refused.stderr.contains("newer callarchive"), "\(command)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: newer + "/catalog.sqlite")) == before)
        let query = try await CLI.run(["search", "--archive", archive, "colour:red"])
        #expect(query.status == 64)
        #expect(query.stderr.contains("colour:red"))
    }
}

/// Just enough JSON decoding to read a summary.
struct AnyDecodable: Decodable {
    let int: Int?
    init(from decoder: any Decoder) throws {
        int = try? decoder.singleValueContainer().decode(Int.self)
    }
}

@Suite(.serialized) struct InterruptionTests {
    func waitForFile(withSuffix suffix: String, in directory: String) async throws {
        for _ in 0..<300 {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
            if names.contains(where: { $0.hasSuffix(suffix) }) { return }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func sigintExits130PromptlyAndKeepsThePart() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator(options: SimulatorOptions(rules: ["SIGINT1": FaultRule(kind: .slow)], slowChunkDelay: .milliseconds(30)))
        try await simulator.withRunning { url in
            let process = try launch(["fetch", "SIGINT1", "--archive", archive, "--api-url", url])
            try await waitForFile(withSuffix: ".part", in: archive)
            try await Task.sleep(for: .milliseconds(300))
            let sent = ContinuousClock.now
            process.interrupt()
            while process.isRunning, ContinuousClock.now - sent < .seconds(5) { try await Task.sleep(for: .milliseconds(10)) }
            #expect(ContinuousClock.now - sent < .seconds(2))
            #expect(process.terminationStatus == 130)
        }
        #expect(FileManager.default.fileExists(atPath: archive + "/SIGINT1.mp3.part"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/SIGINT1.mp3"))
        let record = try #require(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: "SIGINT1", callIndex: 1))
        #expect(record.verdictDetail.hasPrefix("interrupted;"))
    }

    @Test func sigkillMidRunLeavesAnArchiveTheRerunCompletes() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 12)
        var rules: [String: FaultRule] = [:]
        for id in ids { rules[id] = FaultRule(kind: .slow) }
        let simulator = Simulator(options: SimulatorOptions(rules: rules, slowChunkDelay: .milliseconds(2)))
        let result = try await simulator.withRunning { url in
            let process = try launch(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4"] + ids)
            try await waitForFile(withSuffix: ".mp3", in: archive)
            try await Task.sleep(for: .milliseconds(200))
            kill(process.processIdentifier, SIGKILL)
            await CLI.waitForExit(process)
            #expect(process.terminationReason == .uncaughtSignal)
            // What a crash leaves: a sound catalog, and only whole, verified files under final names.
            let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
            #expect(try await catalog.integrityCheck() == "ok")
            try expectFinalFilesWhole(archive, simulator)
            return try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--json"] + ids)
        }
        #expect(result.status == 0, "\(result.stderr)")
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        #expect(try await catalog.integrityCheck() == "ok")
        for id in ids {
            for record in try await catalog.records(order: id) { #expect(record.verdict == .valid, "\(id): \(record.verdictDetail)") }
        }
        try expectFinalFilesWhole(archive, simulator)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".part") }
        #expect(leftovers.isEmpty)
    }
}

@Suite struct ConcurrencyTests {
    @Test func twoFetchesOnOverlappingListsShareOneArchive() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 30)
        let first = Array(ids[0..<20]), second = Array(ids[10..<30])
        let simulator = Simulator()
        let (a, b, search) = try await simulator.withRunning { url in
            async let a = CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4"] + first)
            async let b = CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4"] + second)
            async let search = CLI.run(["search", "--archive", archive, "--format", "jsonl"])
            return try await (a, b, search)
        }
        #expect(a.status == 0, "\(a.stderr)")
        #expect(b.status == 0, "\(b.stderr)")
        for output in [a.stderr, b.stderr, search.stderr] { #expect(!output.contains("locked")) }
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try await catalog.count() == expected)
        for id in ids {
            let records = try await catalog.records(order: id)
            #expect(records.map(\.callIndex) == Array(1...CallGenerator.calls(for: try OrderID(id)).count))
            #expect(records.allSatisfy { $0.verdict == .valid })
        }
    }
}
