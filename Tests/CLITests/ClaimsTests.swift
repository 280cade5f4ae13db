import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// Claims of README.md that had no test (issue "Tests you can trust"), each proved through the
/// real binary.
@Suite(.serialized) struct ClaimsTests {
    /// With many ids and a terminal on stderr, fetch draws a progress bar (run under a real pty
    /// with `script`), with bytes, a rate and a time left.
    @Test func progressBarOnATerminal() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 8)
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            let command = ([CLI.binary, "fetch", "--archive", archive, "--api-url", url] + ids).joined(separator: " ")
            return try await CLI.run(["-q", "-e", "-c", command, "/dev/null"], executable: "/usr/bin/script")
        }
        #expect(result.status == 0, "\(result.stdout)")
        #expect(result.stdout.contains("\u{1B}[2K["), "no bar was drawn: \(result.stdout)")
        #expect(result.stdout.contains("/\(ids.count)"), "\(result.stdout)")
        #expect(result.stdout.contains("MB/s") && result.stdout.contains("ETA"), "\(result.stdout)")
        #expect(result.stdout.contains("Fetched \(ids.count) orders"), "\(result.stdout)")
    }

    /// `info` prints the seed's block and downloads nothing; `--json` gives the call objects
    /// that `export --format jsonl` keeps as `api_json`; an invalid id is refused unasked.
    @Test func infoAndApiJSON() async throws {
        let archive = try temporaryDirectory()
        let order = CallGenerator.sampleOrderIDs(count: 1)[0]
        let simulator = Simulator()
        let (text, json, bad, export) = try await simulator.withRunning { url in
            let text = try await CLI.run(["info", order, "--api-url", url])
            let json = try await CLI.run(["info", order, "--json", "--api-url", url])
            let bad = try await CLI.run(["info", "../etc", "--api-url", url])
            _ = try await CLI.run(["fetch", order, "--archive", archive, "--api-url", url])
            let export = try await CLI.run(["export", "--archive", archive, "--format", "jsonl"])
            return (text, json, bad, export)
        }
        let calls = CallGenerator.calls(for: try OrderID(order))
        #expect(text.status == 0)
        #expect(text.stdout.contains("Order ID: \(order)\nStore: \(calls[0].storeName)\nAgent: \(calls[0].agentName)\n"), "\(text.stdout)")
        #expect(bad.status == 64 && bad.stderr.contains("../etc"))
        #expect(simulator.requests.filter { $0.path.contains("etc") }.isEmpty)
        let sent = json.stdout.split(separator: "\n").map(String.init)
        #expect(sent.count == calls.count)
        let rows = try export.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(rows.count == calls.count)
        for (row, call) in zip(rows, sent) {
            let kept = try #require(row["api_json"] as? [String: Any], "\(row)")
            let original = try #require(try JSONSerialization.jsonObject(with: Data(call.utf8)) as? [String: Any])
            #expect(NSDictionary(dictionary: kept).isEqual(to: original), "api_json is the call object as sent")
            #expect(kept["store_name"] as? String == row["store_name"] as? String)
        }
    }

    /// The first request of `info` is the only one: it downloads no recording.
    @Test func infoDownloadsNothing() async throws {
        let order = CallGenerator.sampleOrderIDs(count: 2)[1]
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in try await CLI.run(["info", order, "--api-url", url]) }
        #expect(result.status == 0)
        #expect(simulator.requests.map(\.path) == ["/calls/\(order)"])
    }

    /// A catalog row whose order id is not valid (written by another tool) is not refetched:
    /// no request is built from it, and the run says so.
    @Test func refetchSkipsInvalidIDsFromTheCatalog() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 2)
        let simulator = Simulator(options: SimulatorOptions(rules: [ids[1]: FaultRule(kind: .notFound)]))
        let result = try await simulator.withRunning { url in
            _ = try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids)
            let sql = "UPDATE calls SET order_id = '../evil' WHERE order_id = '\(ids[1])'"
            let update = try await CLI.run([archive + "/catalog.sqlite", sql], executable: "/usr/bin/sqlite3")
            #expect(update.status == 0, "\(update.stderr)")
            return try await CLI.run(["refetch", "--archive", archive, "--api-url", url])
        }
        #expect(result.stderr.contains("../evil"), "\(result.stderr)")
        #expect(!simulator.requests.contains { $0.path.contains("evil") })
        #expect(!FileManager.default.fileExists(atPath: (archive as NSString).deletingLastPathComponent + "/evil.mp3"))
    }

    /// An SQLite file of another program as the catalog: exit 3 for every command, untouched.
    @Test func anotherProgramsDatabaseIsRefused() async throws {
        let archive = try temporaryDirectory()
        let path = archive + "/catalog.sqlite"
        let made = try await CLI.run([path, "CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL); INSERT INTO invoices VALUES (1, 9.5);"],
                                     executable: "/usr/bin/sqlite3")
        #expect(made.status == 0)
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        for command in [["search"], ["stats"], ["export"], ["verify"], ["fetch", "X1", "--api-url", "http://127.0.0.1:9/calls"]] {
            let result = try await CLI.run(command + ["--archive", archive])
            #expect(result.status == 3, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("another program"), "\(command): \(result.stderr)")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    /// An interrupted fetch leaves every call the API listed visible: the ones not started
    /// have a row saying `pending: not downloaded yet`.
    @Test func callsNotStartedArePendingRows() async throws {
        let archive = try temporaryDirectory()
        let order = try #require(CallGenerator.sampleOrderIDs(count: 200).first { CallGenerator.calls(for: try OrderID($0)).count >= 3 })
        let simulator = Simulator(options: SimulatorOptions(rules: [order: FaultRule(kind: .slow)]))
        try await simulator.withRunning { url in
            let process = try launch(["fetch", order, "--archive", archive, "--api-url", url])
            for _ in 0..<200 where !FileManager.default.fileExists(atPath: archive + "/\(order).mp3.part") {
                try await Task.sleep(for: .milliseconds(25))
            }
            kill(process.processIdentifier, SIGINT)
            await CLI.waitForExit(process)
            #expect(process.terminationStatus == 130)
        }
        let rows = try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").records(order: order)
        let count = CallGenerator.calls(for: try OrderID(order)).count
        #expect(rows.count == count)
        #expect(rows.dropFirst().allSatisfy { $0.verdict == .failed && $0.verdictDetail == "pending: not downloaded yet" }, "\(rows.map(\.verdictDetail))")
        #expect(rows.first?.verdictDetail.hasPrefix("interrupted") == true, "\(rows.first?.verdictDetail ?? "")")
    }

    /// `simulate` serves what the README says: sample ids at /orders, metadata for any id, and
    /// stops on Ctrl-C.
    @Test func simulateServesTheAPIAndStops() async throws {
        let port = try Loopback.unusedPort()
        let server = try launch(["simulate", "--port", "\(port)", "--calls", "5"])
        defer { if server.isRunning { kill(server.processIdentifier, SIGKILL) } }
        var listed: CLI.Result?
        for _ in 0..<100 {
            let result = try await CLI.run(["-s", "http://127.0.0.1:\(port)/orders"], executable: "/usr/bin/curl")
            if result.status == 0, !result.stdout.isEmpty { listed = result; break }
            try await Task.sleep(for: .milliseconds(50))
        }
        let ids = try #require(listed).stdout.split(separator: "\n").map(String.init)
        #expect(ids == CallGenerator.sampleOrderIDs(count: 5))
        let info = try await CLI.run(["info", ids[0], "--api-url", "http://127.0.0.1:\(port)/calls"])
        #expect(info.status == 0 && info.stdout.contains("Order ID: \(ids[0])"), "\(info.stderr)")
        kill(server.processIdentifier, SIGINT)
        await CLI.waitForExit(server)
        #expect(!server.isRunning)
    }

    /// `demo` fetches, verifies, searches and counts into the archive it is given.
    @Test func demoRunsEndToEnd() async throws {
        let archive = try temporaryDirectory() + "/demo"
        let result = try await CLI.run(["demo", "--archive", archive, "--orders", "6"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("Verified again:"), "\(result.stdout)")
        #expect(result.stdout.contains("$ callarchive stats --archive \(archive) --by verdict"))
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").count() >= 6)
    }

    /// The benchmarks give `sqlite3` the SQL `search --print-sql` and `stats --print-sql` print:
    /// run by sqlite3, it finds exactly the rows and figures the commands show.
    @Test func printedSQLIsWhatTheCommandsRun() async throws {
        let archive = try await FilledArchive.shared.path()
        let catalog = archive + "/catalog.sqlite"
        for words in [["store:jet"], ["-verdict:valid"], ["date:2025-02..2025-06", "duration:>60"], ["marcus"], ["store:nosuchstore"]] {
            let sql = try await CLI.run(["search", "--archive", archive, "--print-sql"] + words)
            #expect(sql.status == 0, "\(sql.stderr)")
            let baseline = try await CLI.run(["-readonly", "-csv", catalog, sql.stdout], executable: "/usr/bin/sqlite3")
            #expect(baseline.status == 0, "\(words): \(baseline.stderr)")
            let search = try await CLI.run(["search", "--archive", archive, "--format", "csv", "--raw", "--fields", "order_id,call_index"] + words)
            let expected = CSV.parse(search.stdout).dropFirst().map { $0.joined(separator: "/") }
            let got = CSV.parse(baseline.stdout).map { $0.prefix(2).joined(separator: "/") }
            #expect(got == expected, "\(words)")
        }
        let stats = try await CLI.run(["stats", "--archive", archive, "--by", "agent", "--print-sql"])
        let baseline = try await CLI.run(["-readonly", "-csv", catalog, stats.stdout], executable: "/usr/bin/sqlite3")
        let json = try await CLI.run(["stats", "--archive", archive, "--by", "agent", "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        let sqliteRows = CSV.parse(baseline.stdout)
        #expect(sqliteRows.count == rows.count, "one line per agent and the totals")
        #expect(sqliteRows.last?.first == "\(rows.last?["calls"] as? Int ?? -1)", "\(String(describing: sqliteRows.last))")
    }

    /// A second Ctrl-C exits at once, where the first lets the file in hand finish.
    @Test func aSecondCtrlCExitsAtOnce() async throws {
        // One 3.5-hour recording (about 50 MB): decoding it takes seconds.
        let folder = try temporaryDirectory()
        try Data(Recording(seconds: 12_600).allBytes).write(to: URL(fileURLWithPath: folder + "/LONG01.mp3"))
        let archive = try temporaryDirectory()
        let imported = try await CLI.run(["import", folder, "--offline", "--archive", archive])
        #expect(imported.status == 0, "\(imported.stderr)")
        func stop(after delays: [Duration]) async throws -> (status: Int32, took: Duration) {
            let process = try launch(["verify", "--archive", archive, "--jobs", "1"])
            try await Task.sleep(for: .milliseconds(400))
            #expect(process.isRunning, "verify ended before it was interrupted")
            let sent = ContinuousClock.now
            for delay in delays {
                try await Task.sleep(for: delay)
                kill(process.processIdentifier, SIGINT)
            }
            await CLI.waitForExit(process)
            return (process.terminationStatus, ContinuousClock.now - sent)
        }
        let once = try await stop(after: [.zero])
        let twice = try await stop(after: [.zero, .milliseconds(100)])
        #expect(once.status == 130 && twice.status == 130)
        #expect(once.took > .milliseconds(500), "the first Ctrl-C let the file in hand finish: \(once.took)")
        #expect(twice.took < .milliseconds(450), "the second Ctrl-C exited at once: \(twice.took)")
    }

    /// `stats` counts valid recordings under half their call's length, as the simulator made them.
    @Test func statsCountsShortRecordings() async throws {
        let archive = try await FilledArchive.shared.path()
        var expected = 0
        for id in FilledArchive.ids where FilledArchive.rules[id] == nil {
            for call in CallGenerator.calls(for: try OrderID(id)) {
                let length = call.callOut.millisecondsSince1970 - call.callIn.millisecondsSince1970
                if call.recordingSeconds * 1000 < Double(length) / 2 { expected += 1 }
            }
        }
        #expect(expected > 0, "the sample holds short recordings")
        let json = try await CLI.run(["stats", "--archive", archive, "--format", "json"])
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]])
        #expect(rows.last?["short_recordings"] as? Int == expected, "\(rows)")
    }

    /// `search --format csv` and `stats --format csv` guard formula-like cells; `search --raw` does not.
    @Test func searchAndStatsCSVGuardFormulas() async throws {
        let archive = try await FilledArchive.shared.path()
        let odd = FilledArchive.ids[19]
        let guarded = try await CLI.run(["search", "--archive", archive, "order:=\(odd)", "--format", "csv", "--fields", "agent_name"])
        #expect(CSV.parse(guarded.stdout).dropFirst().allSatisfy { $0.first?.hasPrefix("'=HYPERLINK") == true })
        #expect(CSV.parse(guarded.stdout).count >= 2)
        let raw = try await CLI.run(["search", "--archive", archive, "order:=\(odd)", "--format", "csv", "--fields", "agent_name", "--raw"])
        #expect(CSV.parse(raw.stdout).dropFirst().allSatisfy { $0.first?.hasPrefix("=HYPERLINK") == true })
        let stats = try await CLI.run(["stats", "--archive", archive, "--by", "agent", "--format", "csv"])
        let groups = CSV.parse(stats.stdout).dropFirst().compactMap(\.first)
        #expect(groups.contains { $0.hasPrefix("'=HYPERLINK") }, "\(groups)")
        #expect(!groups.contains { $0.hasPrefix("=") })
    }

    /// Names from the API with escape sequences never reach a terminal raw: the Call
    /// Information block (fetch, info), the search table and the stats table.
    @Test func namesFromTheAPICannotDriveTheTerminal() async throws {
        let archive = try temporaryDirectory()
        let id = "ESC001"
        let simulator = Simulator(options: SimulatorOptions(rules: [id: FaultRule(kind: .escapeNames)]))
        let (info, fetch) = try await simulator.withRunning { url in
            (try await CLI.run(["info", id, "--api-url", url]), try await CLI.run(["fetch", id, "--archive", archive, "--api-url", url]))
        }
        let search = try await CLI.run(["search", "--archive", archive])
        let stats = try await CLI.run(["stats", "--archive", archive, "--by", "store"])
        let agents = try await CLI.run(["stats", "--archive", archive, "--by", "agent"])
        for (name, result) in [("info", info), ("fetch", fetch), ("search", search), ("stats store", stats), ("stats agent", agents)] {
            #expect(result.status == 0, "\(name): \(result.stderr)")
            let output = result.stdout + result.stderr
            #expect(!output.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{9B}" || $0 == "\u{07}" }, "\(name) let an escape through")
            #expect(output.contains("Evil Pizza") || output.contains("Mallory") || name == "search", "\(name): \(output)")
        }
        // Data formats keep the text (JSON escapes it).
        let json = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", "--fields", "store_name"])
        #expect(json.stdout.contains("\\u001b]0;pwned"), "\(json.stdout)")
    }
}
