import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// What a hostile new user found (issue "Hardening"): flags, input lists, typos, messages,
/// interruption and concurrent runs, each through the real binary.
@Suite(.serialized) struct HardeningTests {
    /// A flag value outside its range (infinity, NaN, absurd numbers) is a usage error naming
    /// the flag, found before anything is created; none crashes.
    @Test(arguments: [
        ["fetch", "X1", "--timeout", "inf"], ["fetch", "X1", "--timeout", "1e20"], ["fetch", "X1", "--connect-timeout", "inf"],
        ["fetch", "X1", "--read-timeout", "inf"], ["fetch", "X1", "--timeout", "nan"], ["fetch", "X1", "--timeout", "0"],
        ["fetch", "X1", "--retries", "101"], ["fetch", "X1", "--max-retry-wait", "1e300"], ["fetch", "X1", "--retry-base-delay", "-1"],
        ["fetch", "X1", "--jobs", "0"], ["refetch", "--jobs", "1000"], ["verify", "--jobs", "0"], ["search", "--limit", "-5"],
        ["info", "X1", "--timeout", "inf"], ["info", "X1", "--read-timeout", "1e20"],
        ["simulate", "--port", "70000"], ["simulate", "--faults", "2"], ["simulate", "--slow-delay", "-1"], ["demo", "--orders", "0"],
    ])
    func numericFlagsHaveRanges(_ arguments: [String]) async throws {
        let directory = try temporaryDirectory()
        let archive = directory + "/archive"
        let result = try await CLI.run(
            arguments + (["info", "simulate", "demo"].contains(arguments[0]) ? [] : ["--archive", archive]),
            environment: ["CALLARCHIVE_API_URL": "http://127.0.0.1:9/calls"], in: directory)
        #expect(result.status == 64, "\(arguments): \(result.status) \(result.stderr)")
        let flag = try #require(arguments.first { $0.hasPrefix("--") })
        #expect(result.stderr.contains(flag), "\(arguments): \(result.stderr)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty, "\(arguments) created something")
    }

    /// An API URL that is not an absolute http(s) URL is a usage error before the archive is created.
    @Test(arguments: ["ftp://127.0.0.1/calls", "file:///etc/passwd", "calls", "", "http://", "127.0.0.1:8089/calls"])
    func invalidAPIURLIsAUsageError(_ url: String) async throws {
        let directory = try temporaryDirectory()
        let flag = try await CLI.run(["fetch", "X1", "--archive", directory + "/a", "--api-url", url])
        #expect(flag.status == 64, "\(url): \(flag.stderr)")
        #expect(flag.stderr.contains("--api-url"), "\(flag.stderr)")
        let environment = try await CLI.run(["fetch", "X1", "--archive", directory + "/a"], environment: ["CALLARCHIVE_API_URL": url])
        #expect(environment.status == 64, "\(url): \(environment.stderr)")
        #expect(environment.stderr.contains("CALLARCHIVE_API_URL"), "\(environment.stderr)")
        #expect(!FileManager.default.fileExists(atPath: directory + "/a"))
    }

    /// A mistyped command is not taken as an order id: no request, no `./downloads`.
    @Test(arguments: [(["serach", "agent:marcus"], "search"), (["exprot"], "export"), (["stast", "--by", "store"], "stats"), (["verfy"], "verify")])
    func mistypedCommandsSuggestTheCommand(_ arguments: [String], _ meant: String) async throws {
        let directory = try temporaryDirectory()
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in try await CLI.run(arguments, environment: ["CALLARCHIVE_API_URL": url], in: directory) }
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("did you mean '\(meant)'"), "\(result.stderr)")
        #expect(simulator.requests.isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
        // An order id that only looks like a word still works with an explicit `fetch`.
        let help = try await CLI.run(["help", "bogus"])
        #expect(help.status == 64, "\(help.stderr)")
        #expect(try await CLI.run(["help", "search"]).status == 0)
    }

    /// Nothing listens: each attempt fails at once and is retried with the normal backoff,
    /// instead of waiting out the 30 s connect timeout every time.
    @Test func refusedConnectionFailsFast() async throws {
        let archive = try temporaryDirectory()
        let port = try Loopback.unusedPort()
        let started = ContinuousClock.now
        let result = try await CLI.run([
            "fetch", "X1", "--archive", archive, "--api-url", "http://127.0.0.1:\(port)/calls", "--retries", "2", "--retry-base-delay", "0.05",
        ])
        let elapsed = ContinuousClock.now - started
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("connection refused"), "\(result.stderr)")
        #expect(elapsed < .seconds(10), "took \(elapsed)")
        let attempts = try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").attempts(order: "X1")
        #expect(attempts.count == 3, "\(attempts)")
    }

    /// `-q`: no per-call lines, only the failures and, when something failed, the summary.
    @Test func quietShowsOnlyErrors() async throws {
        let ids = CallGenerator.sampleOrderIDs(count: 4)
        let simulator = Simulator(options: SimulatorOptions(rules: [ids[1]: FaultRule(kind: .notFound)]))
        let (clean, failing) = try await simulator.withRunning { url in
            let clean = try await CLI.run(["fetch", "-q", "--archive", try temporaryDirectory(), "--api-url", url, ids[0], ids[2], ids[3]])
            let failing = try await CLI.run(["fetch", "--quiet", "--archive", try temporaryDirectory(), "--api-url", url] + ids)
            return (clean, failing)
        }
        #expect(clean.status == 0)
        #expect(clean.stderr.isEmpty, "\(clean.stderr)")
        #expect(clean.stdout.isEmpty, "\(clean.stdout)")
        #expect(failing.status == 1)
        let lines = failing.stderr.split(separator: "\n")
        #expect(lines.count == 2, "\(failing.stderr)")
        #expect(lines.first?.hasPrefix("\(ids[1]): failed") == true, "\(failing.stderr)")
        #expect(lines.last?.hasPrefix("Fetched 4 orders") == true, "\(failing.stderr)")
    }

    /// `--input`: a BOM and a header are not ids; a bad line is reported as FILE:LINE, cut to
    /// 80 characters, and the rest of the list is still fetched (exit 1).
    @Test func inputListsSurviveBadLines() async throws {
        let directory = try temporaryDirectory()
        let archive = directory + "/archive"
        let ids = CallGenerator.sampleOrderIDs(count: 3)
        let bad = "<script>" + String(repeating: "x", count: 300)
        let list = "\u{FEFF}OrderNumber,store\n\(ids[0]),a\n\(bad)\n\(ids[1])\n\n\(ids[2])\n"
        try Data(list.utf8).write(to: URL(fileURLWithPath: directory + "/ids.csv"))
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--input", directory + "/ids.csv", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 1, "\(result.stderr)")
        let complaint = try #require(result.stderr.split(separator: "\n").first { $0.contains("invalid order id") })
        #expect(complaint.hasPrefix("callarchive: \(directory)/ids.csv:3: invalid order id \"<script>xxx"), "\(complaint)")
        #expect(complaint.count < 80 + directory.count + 80, "\(complaint)")
        let fetched = Set(simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") })
        #expect(fetched == Set(ids.map { "/calls/\($0)" }), "\(fetched)")
        let folder = try await CLI.run(["fetch", "--input", directory, "--archive", archive])
        #expect(folder.status == 64)
        #expect(folder.stderr.contains("is a directory"), "\(folder.stderr)")
        #expect(!folder.stderr.contains("Success"))
    }

    /// Two fetches of the same ids at once: every recording is requested once.
    @Test func twoFetchesOfTheSameIDsRequestEachRecordingOnce() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: Reliability.full ? 120 : 40)
        let simulator = Simulator()
        let results = try await simulator.withRunning { url in
            let arguments = ["fetch", "--archive", archive, "--api-url", url, "--jobs", "4", "--input", "-"]
            async let a = CLI.run(arguments, stdin: ids.joined(separator: "\n"))
            async let b = CLI.run(arguments, stdin: ids.joined(separator: "\n"))
            async let c = CLI.run(arguments, stdin: ids.reversed().joined(separator: "\n"))
            return try await [a, b, c]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        var perRecording: [String: Int] = [:]
        for request in simulator.requests where request.path.hasPrefix("/recordings/") { perRecording[request.path, default: 0] += 1 }
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(perRecording.count == expected)
        let twice = perRecording.filter { $0.value > 1 }
        #expect(twice.isEmpty, "downloaded more than once: \(twice)")
        Reliability.report("3 fetches of the same ids", ["recordings": perRecording.count, "downloaded twice": twice.count])
    }

    /// A catalog whose pages are damaged (but whose schema reads) is refused before the first
    /// write: byte for byte unchanged after fetch, verify and import.
    enum Damage: String, CaseIterable, Sendable { case pagesInWALCatalog, pagesInRollbackCatalog, fullTextIndex }

    @Test(arguments: Damage.allCases) func damagedCatalogIsRefusedWithNotOneByteChanged(_ damage: Damage) async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let fetched = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + CallGenerator.sampleOrderIDs(count: 30))
        }
        #expect(fetched.status == 0)
        let path = archive + "/catalog.sqlite"
        func sqlite(_ sql: String) async throws -> String {
            let result = try await CLI.run([path, sql], executable: "/usr/bin/sqlite3")
            #expect(result.status == 0, "\(sql): \(result.stderr)")
            return result.stdout
        }
        if damage != .pagesInWALCatalog {
            // A catalog copied with sqlite3 (`.backup`, `VACUUM INTO`) is in rollback-journal mode:
            // opening it for writing would switch it to WAL, a write to its header.
            #expect(try await sqlite("PRAGMA journal_mode=DELETE").contains("delete"))
        }
        if damage == .fullTextIndex {
            // Sound pages, but the full-text index's structure record is garbage.
            _ = try await sqlite("UPDATE calls_fts_data SET block = randomblob(64) WHERE id = 10")
        }
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        if damage != .fullTextIndex {
            let pages = bytes.count / 4096
            #expect(pages > 8)
            // Scribble over the middle of the file, past the schema pages.
            for page in [pages / 2, pages / 2 + 1] {
                for offset in stride(from: page * 4096 + 8, to: page * 4096 + 4096, by: 7) { bytes[offset] = UInt8(truncatingIfNeeded: offset * 31) }
            }
            try bytes.write(to: URL(fileURLWithPath: path))
        }
        let mp3 = archive + "/" + (try FileManager.default.contentsOfDirectory(atPath: archive).first { $0.hasSuffix(".mp3") } ?? "")
        var untouched = 0
        for command in [["fetch", "Y1", "--api-url", "http://127.0.0.1:9/calls"], ["verify"], ["import", mp3, "--offline"]] {
            let result = try await CLI.run(command + ["--archive", archive])
            #expect(result.status == 3, "\(damage) \(command): \(result.status) \(result.stderr)")
            #expect(result.stderr.contains("damaged"), "\(damage) \(command): \(result.stderr)")
            let same = try Data(contentsOf: URL(fileURLWithPath: path)) == bytes
            #expect(same, "\(damage): \(command) changed the catalog")
            if same && result.status == 3 { untouched += 1 }
        }
        Reliability.report("damaged catalog (\(damage.rawValue))", ["refused with exit 3, file byte-identical": untouched])
    }

    /// On a read-only archive, the commands that write say so before they start, and no SQL
    /// text ever reaches the user.
    @Test func readOnlyArchiveMessagesShowNoSQL() async throws {
        let volume = try await SmallVolume.mount(kilobytes: 8192)
        try #require(volume != nil || getuid() != 0, "as root, a read-only archive needs a mount; none could be made")
        let archive = (try volume?.path ?? temporaryDirectory()) + "/archive"
        let simulator = Simulator()
        let ids = CallGenerator.sampleOrderIDs(count: 3)
        let results = try await simulator.withRunning { url in
            let fetched = try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids)
            #expect(fetched.status == 0, "\(fetched.stderr)")
            if let volume { _ = try await volume.remount("ro") } else { chmod(archive, 0o555) }
            var results: [([String], CLI.Result)] = []
            for command in [["verify"], ["refetch", "--api-url", url], ["import", archive, "--offline"], ["fetch", "Z9", "--api-url", url]] {
                results.append((command, try await CLI.run(command + ["--archive", archive])))
            }
            // The commands that only read still work.
            for command in [["search", "--format", "csv"], ["stats", "--format", "csv"], ["export"]] {
                let read = try await CLI.run(command + ["--archive", archive])
                #expect(read.status == 0, "\(command): \(read.stderr)")
                #expect(read.stdout.contains(command[0] == "stats" ? "TOTAL" : ids[0]), "\(command): \(read.stdout)")
            }
            return results
        }
        for (command, result) in results {
            #expect(result.status == 3, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("read-only") || result.stderr.contains("Read-only") || result.stderr.contains("ermission denied"),
                    "\(command): \(result.stderr)")
            for sql in ["CREATE", "SELECT", "INSERT", "grdb", "sqlite_master", "while executing"] {
                #expect(!result.stderr.contains(sql), "\(command) shows SQL: \(result.stderr)")
            }
        }
        if let volume {
            _ = try await volume.remount("rw")
            try await volume.unmount()
        } else {
            chmod(archive, 0o755)
        }
    }

    /// The summary counts the calls it skipped; a retry of damaged audio is attempt 1.
    @Test func summaryAndRetryLinesCountRight() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 4)
        let simulator = Simulator(options: SimulatorOptions(rules: [ids[3]: FaultRule(kind: .html)]))
        let (again, damaged) = try await simulator.withRunning { url in
            _ = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, ids[0], ids[1]])
            let again = try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids.prefix(3))
            let damaged = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--retries", "1", "--retry-base-delay", "0.01", ids[3]])
            return (again, damaged)
        }
        let calls = try ids.prefix(3).reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(again.stderr.contains("Fetched 3 orders (\(calls) call"), "\(again.stderr)")
        #expect(damaged.stderr.contains("Attempt 1 failed: not_audio"), "\(damaged.stderr)")
        #expect(!damaged.stderr.contains("Attempt 2"), "\(damaged.stderr)")
    }

    /// Help says what a user types: `<order-id>`, one default for `verify --jobs`.
    @Test func helpTextsReadRight() async throws {
        let fetch = try await CLI.run(["fetch", "--help"])
        #expect(fetch.stdout.contains("<order-id> ..."), "\(fetch.stdout)")
        #expect(!fetch.stdout.contains("order-i-ds"))
        let verify = try await CLI.run(["verify", "--help"])
        #expect(!verify.stdout.contains("(default: \(ProcessInfo.processInfo.activeProcessorCount))"), "\(verify.stdout)")
        #expect(verify.stdout.contains("(default: the number of cores)"))
        // `info --json` prints each call object; the help says so, and that envelopes go.
        let info = try await CLI.run(["info", "--help"])
        #expect(!info.stdout.contains("as the API sent them"), "\(info.stdout)")
        #expect(info.stdout.contains("envelope"), "\(info.stdout)")
    }

    /// Query mistakes a user can make are usage errors through the CLI, not empty results.
    @Test(arguments: [["search", ":"], ["search", "-"], ["search", "length:500..100"], ["search", "--sort", "-bogus"], ["export", "--sort", "nope"]])
    func queryMistakesAreUsageErrors(_ arguments: [String]) async throws {
        let archive = try await FilledArchive.shared.path()
        let result = try await CLI.run(arguments + ["--archive", archive])
        #expect(result.status == 64, "\(arguments): \(result.stderr)")
        if arguments.contains("--sort") {
            #expect(result.stderr.contains("--sort"), "\(result.stderr)")
            #expect(!result.stderr.contains("query term"), "\(result.stderr)")
        }
    }
}

/// Ctrl-C (SIGINT) and SIGTERM on every long command: it stops within 2 s of the first
/// signal with exit 130, and the catalog is sound afterwards.
@Suite(.serialized) struct LongCommandSignalTests {
    /// A folder of `count` real MP3s named T0000.mp3, T0001.mp3, …
    static func recordings(_ count: Int) throws -> String {
        let folder = try temporaryDirectory()
        let fixture = DocExamples.root.appendingPathComponent("Tests/AudioCheckTests/Fixtures/tel-8k-cbr32.mp3").path
        for index in 0..<count {
            try FileManager.default.copyItem(atPath: fixture, toPath: folder + String(format: "/T%04d.mp3", index))
        }
        return folder
    }

    /// Starts `arguments`, sends `signal` once it has run `after` and `started` says its work
    /// is under way, and returns its exit status and how long it took to exit after the signal.
    static func interrupt(
        _ arguments: [String], with signal: Int32, after: Duration, started: () async throws -> Bool = { true }
    ) async throws -> (status: Int32, took: Duration) {
        let process = try launch(arguments)
        try await Task.sleep(for: after)
        for _ in 0..<400 where process.isRunning {
            if try await started() { break }
            try await Task.sleep(for: .milliseconds(25))
        }
        #expect(process.isRunning, "\(arguments[0]) finished before it could be interrupted; give it more work")
        let sent = ContinuousClock.now
        kill(process.processIdentifier, signal)
        await CLI.waitForExit(process)
        return (process.terminationStatus, ContinuousClock.now - sent)
    }

    static func expectSound(_ archive: String, _ command: String) async throws {
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").integrityCheck() == "ok", "\(command)")
        let parts = try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".part") }
        if command != "fetch" { #expect(parts.isEmpty, "\(command) left \(parts)") }
    }

    @Test func verifyAndImportStopOnTheFirstSignal() async throws {
        let folder = try Self.recordings(Reliability.full ? 1500 : 600)
        let archive = try temporaryDirectory()
        let imported = try await CLI.run(["import", folder, "--offline", "--archive", archive])
        #expect(imported.status == 0, "\(imported.stderr)")
        func rows(_ archive: String, _ condition: String) async throws -> Int {
            let sql = "SELECT count(*) FROM calls WHERE \(condition)"
            return Int(try await CLI.run([archive + "/catalog.sqlite", sql], executable: "/usr/bin/sqlite3").stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
        }
        for signal in [SIGINT, SIGTERM] {
            let since = ISO8601DateFormatter().string(from: Date())
            let verify = try await Self.interrupt(["verify", "--archive", archive, "--jobs", "1"], with: signal, after: .milliseconds(300)) {
                try await rows(archive, "verified_at >= '\(since)'") > 0
            }
            #expect(verify.status == 130)
            #expect(verify.took < .seconds(2), "verify took \(verify.took)")
            try await Self.expectSound(archive, "verify")
            let target = try temporaryDirectory()
            let importing = try await Self.interrupt(["import", folder, "--offline", "--archive", target], with: signal, after: .milliseconds(300)) {
                FileManager.default.fileExists(atPath: target + "/catalog.sqlite") ? try await rows(target, "1") > 0 : false
            }
            #expect(importing.status == 130)
            #expect(importing.took < .seconds(2), "import took \(importing.took)")
            try await Self.expectSound(target, "import")
            Reliability.report("signal \(signal): verify and import", ["verify exit": Int(verify.status), "import exit": Int(importing.status)])
        }
    }

    @Test func fetchAndRefetchStopOnTheFirstSignal() async throws {
        let ids = CallGenerator.sampleOrderIDs(count: 60)
        var rules: [String: FaultRule] = [:]
        for id in ids { rules[id] = FaultRule(kind: .slow) }
        let simulator = Simulator(options: SimulatorOptions(rules: rules))
        let archive = try temporaryDirectory()
        // Every order first fails (404), so refetch has all of them to do again.
        var missing: [String: FaultRule] = [:]
        for id in ids { missing[id] = FaultRule(kind: .notFound) }
        let failed = try await Simulator(options: SimulatorOptions(rules: missing)).withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids)
        }
        #expect(failed.status == 1)
        let (fetch, refetch) = try await simulator.withRunning { url in
            let fetch = try await Self.interrupt(
                ["fetch", "--archive", archive, "--api-url", url, "--jobs", "4"] + ids, with: SIGINT, after: .milliseconds(1500))
            let refetch = try await Self.interrupt(
                ["refetch", "--archive", archive, "--api-url", url, "--jobs", "4"], with: SIGTERM, after: .milliseconds(1500))
            return (fetch, refetch)
        }
        for (name, run) in [("fetch", fetch), ("refetch", refetch)] {
            #expect(run.status == 130, "\(name)")
            #expect(run.took < .seconds(2), "\(name) took \(run.took)")
            try await Self.expectSound(archive, "fetch")
        }
        Reliability.report("signals: fetch and refetch", ["fetch exit": Int(fetch.status), "refetch exit": Int(refetch.status)])
    }
}

/// Order `X-2`'s call 1 and order `X`'s call 2 share the file name `X-2.mp3`: whichever is
/// catalogued first keeps it, and the other is refused with a clear reason, never overwriting it.
@Suite(.serialized) struct FileNameCollisionTests {
    @Test(arguments: [false, true]) func aSharedFileNameIsNeverOverwritten(dashedFirst: Bool) async throws {
        let archive = try temporaryDirectory()
        let order = try #require(CallGenerator.sampleOrderIDs(count: 200).first { CallGenerator.calls(for: try OrderID($0)).count >= 2 })
        let dashed = order + "-2"
        let simulator = Simulator()
        let (first, second) = try await simulator.withRunning { url in
            let fetch = { (id: String) in try await CLI.run(["fetch", id, "--archive", archive, "--api-url", url]) }
            return dashedFirst ? (try await fetch(dashed), try await fetch(order)) : (try await fetch(order), try await fetch(dashed))
        }
        #expect(first.status == 0, "\(first.stderr)")
        #expect(second.status == 1, "\(second.stderr)")
        #expect(second.stderr.contains("already holds call"), "\(second.stderr)")
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let owner = dashedFirst ? try await catalog.record(order: dashed, callIndex: 1) : try await catalog.record(order: order, callIndex: 2)
        let loser = dashedFirst ? try await catalog.record(order: order, callIndex: 2) : try await catalog.record(order: dashed, callIndex: 1)
        #expect(owner?.verdict == .valid && owner?.filePath == "\(dashed).mp3")
        #expect(loser?.verdict == .failed && loser?.filePath == nil, "\(String(describing: loser))")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: archive + "/\(dashed).mp3"))
        #expect(try AudioChecker().check(fileAt: archive + "/\(dashed).mp3").sha256 == owner?.sha256)
        #expect(!bytes.isEmpty)
        #expect(simulator.requests.filter { $0.path == "/recordings/\(dashed).mp3" }.count == 1)
    }
}
