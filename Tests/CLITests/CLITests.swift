import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Testing

@Suite(.serialized) struct CLITests {
    @Test func versionAndEveryCommandsHelp() throws {
        let version = try CLI.run(["--version"])
        #expect(version.status == 0)
        #expect(version.stdout.trimmingCharacters(in: .whitespacesAndNewlines) == CallArchiveVersion.current)
        for command in ["fetch", "info", "search", "export", "stats", "verify", "import", "refetch", "simulate", "demo"] {
            let help = try CLI.run([command, "--help"])
            #expect(help.status == 0, "\(command) --help")
            #expect(help.stdout.contains("USAGE: callarchive \(command)"), "\(command) --help")
        }
    }

    @Test func seedInvocationPrintsTheSeedsBlockAndCataloguesTheCall() async throws {
        let directory = try temporaryDirectory()
        let archive = directory + "/x"
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try CLI.run(["E8ZQCJ", "--output-dir", archive, "--api-url", url])
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
        let record = try #require(try Catalog.open(at: archive + "/catalog.sqlite").record(order: "E8ZQCJ", callIndex: 1))
        #expect(record.audioSeconds == report.seconds)
        let search = try CLI.run(["search", "--archive", archive, "--format", "jsonl", "--fields", "order_id,verdict,audio_seconds"])
        #expect(search.status == 0)
        #expect(search.stdout.hasPrefix("{\"order_id\":\"E8ZQCJ\",\"verdict\":\"valid\",\"audio_seconds\":"))
        let table = try CLI.run(["search", "--archive", archive], environment: ["COLUMNS": "100"])
        #expect(table.stdout.contains("E8ZQCJ"))
        #expect(table.stdout.split(separator: "\n").allSatisfy { $0.count <= 100 })
    }

    @Test func hostileIDsAreRefusedBeforeAnyRequest() async throws {
        let directory = try temporaryDirectory()
        let simulator = Simulator()
        for bad in ["../etc", "a/b", "x y", String(repeating: "z", count: 65)] {
            let result = try await simulator.withRunning { url in
                try CLI.run(["fetch", "GOOD01", bad, "--archive", directory, "--api-url", url])
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
            try CLI.run(["fetch", "--input", "-", "--archive", archive, "--api-url", url, "--json"], stdin: input)
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
            try CLI.run(["fetch", "MISS01", "OKAY01", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 1)
        #expect(result.stderr.contains("MISS01: failed: order MISS01 not found (HTTP 404)"))
        let export = try CLI.run(["export", "--archive", archive, "--format", "jsonl"])
        #expect(export.status == 0)
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 1 + CallGenerator.calls(for: try OrderID("OKAY01")).count)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(lines[0].utf8)) as? [String: Any])
        for column in CallRecord.columnNames { #expect(object.keys.contains(column), "\(column)") }
        let csv = try CLI.run(["export", "--archive", archive])
        #expect(csv.stdout.hasPrefix(CallRecord.columnNames.joined(separator: ",") + "\r\n"))
    }

    @Test func unusableCatalogExitsThree() throws {
        let archive = try temporaryDirectory()
        try Data("not a database".utf8).write(to: URL(fileURLWithPath: archive + "/catalog.sqlite"))
        let result = try CLI.run(["search", "--archive", archive])
        #expect(result.status == 3)
        #expect(result.stderr.contains("not a callarchive catalog"))
        let missing = try CLI.run(["search", "--archive", archive + "/nope"])
        #expect(missing.status == 3)
        let query = try CLI.run(["search", "--archive", archive, "colour:red"])
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
