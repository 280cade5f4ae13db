import Catalog
import Foundation
import Model
import PostgresCatalog
import Simulator
import Testing
import TestSupport

/// Starts the binary without waiting for it, its stderr going to a file; returns the process
/// and that file's path.
func launchRecordingStderr(_ arguments: [String], environment: [String: String] = [:]) throws -> (Process, String) {
    let path = try temporaryDirectory() + "/stderr"
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    return (try launch(arguments, environment: environment, stderr: try FileHandle(forWritingTo: URL(fileURLWithPath: path))), path)
}

/// The database name of a test server URL.
func databaseName(_ url: String) throws -> String {
    String(try #require(url.split(separator: "/").last?.split(separator: "?").first))
}

/// Waits (up to `seconds`) until `condition` holds.
func waitUntil(seconds: Double = 60, _ condition: () async throws -> Bool) async throws {
    let started = Date()
    while try await !condition(), Date().timeIntervalSince(started) < seconds {
        try await Task.sleep(for: .milliseconds(50))
    }
}

/// Operating a PostgreSQL catalog: statement timeouts, TLS, and the server going away mid-fetch.
@Suite(.serialized) struct PostgresOperationsTests {
    /// A statement stuck behind another session's lock is cancelled by the URL's
    /// statement_timeout: exit 3 within seconds, with a message that says what happened.
    @Test func stuckStatementEndsWithExit3() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.newDatabase()
        _ = try await PostgresCatalog.open(url: url)
        let locker = Process()
        locker.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
        locker.currentDirectoryURL = URL(fileURLWithPath: "/tmp")
        locker.arguments = ["-u", "postgres", "--", PostgresServer.binaries + "/psql", "-h", server.directory, "-p", String(server.port),
                            "-d", try databaseName(url), "-X", "-q", "-c", "BEGIN; LOCK TABLE calls IN ACCESS EXCLUSIVE MODE; SELECT pg_sleep(4); COMMIT;"]
        locker.standardOutput = FileHandle.nullDevice
        try locker.run()
        try await waitUntil {
            try server.psql(try databaseName(url), "SELECT count(*) FROM pg_locks WHERE relation = 'calls'::regclass AND granted")
                .trimmingCharacters(in: .whitespacesAndNewlines) != "0"
        }
        let started = Date()
        let result = try await CLI.run(["search", "--catalog", url + "&options=-c%20statement_timeout%3D1000"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("canceling statement due to statement timeout") && result.stderr.contains("statement_timeout"), "\(result.stderr)")
        #expect(Date().timeIntervalSince(started) < 6)
        await CLI.waitForExit(locker)
        // Without the lock the same URL answers.
        #expect(try await CLI.run(["search", "--catalog", url + "&options=-c%20statement_timeout%3D1000"]).status == 0)
    }

    /// `sslmode=require` connects to a server that speaks TLS (one that refuses TCP without
    /// it), and fails with exit 3 and a clear message against one that does not.
    @Test func tlsIsUsedWhenRequired() async throws {
        let secure = try PostgresServer(name: "tls", tls: true)
        let url = try secure.newDatabase()
        let required = url.replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")
        let encrypted = try await CLI.run(["stats", "--catalog", required])
        #expect(encrypted.status == 0, "\(encrypted.stderr)")
        let plain = try await CLI.run(["stats", "--catalog", url])
        #expect(plain.status == 3 && plain.stderr.contains("no encryption"), "\(plain.stderr)")
        try secure.stop()
        let insecure = try PostgresServer.shared.get()
        let refused = try await CLI.run(["stats", "--catalog", try insecure.newDatabase().replacingOccurrences(of: "sslmode=disable", with: "sslmode=require")])
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("127.0.0.1:\(insecure.port) does not offer TLS, which the URL's sslmode=require requires"), "\(refused.stderr)")
        #expect(!refused.stderr.contains(insecure.password))
    }

    /// A fetch gives its claims back before it exits, even when the release is slow (held 2 s
    /// here by the test pause): it waits for them (up to 5 s), so no other machine waits out a
    /// lease for a call that is done.
    @Test func fetchWaitsForItsClaimReleasesBeforeExiting() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.newDatabase(), database = try databaseName(url)
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 2)
        let result = try await Simulator(options: SimulatorOptions()).withRunning { api in
            try await CLI.run(["fetch", "--archive", archive, "--catalog", url, "--api-url", api] + ids,
                              environment: ["CALLARCHIVE_TEST_PAUSE": "release"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(try server.psql(database, "SELECT count(*) FROM claims").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(expected > 0 && validFiles(server, database).count == expected)
    }

    /// The server stopped (`pg_ctl -m immediate`) under a running fetch: the fetch ends within
    /// seconds with exit 3 naming host:port, leaving `.part` files and claims; once the server
    /// is back a rerun finishes every call without fetching anything whole again, no row lost.
    @Test func fetchSurvivesTheServerStoppingMidRun() async throws {
        let server = try PostgresServer(name: "fetch-fault")
        let url = try server.newDatabase(), database = try databaseName(url)
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 10)
        let simulator = Simulator(options: SimulatorOptions(rules: slowRules(ids), slowChunkDelay: .milliseconds(4)))
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        let again = try await simulator.withRunning { api in
            let arguments = ["fetch", "--archive", archive, "--catalog", url, "--api-url", api, "--jobs", "3"] + ids
            let (process, stderrPath) = try launchRecordingStderr(arguments)
            try await waitUntil { validFiles(server, database).count >= 2 }
            try server.stop()
            let stopped = Date()
            await CLI.waitForExit(process)
            let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
            #expect(Date().timeIntervalSince(stopped) < 10)
            #expect(process.terminationStatus == 3 && stderr.contains("127.0.0.1:\(server.port)") && !stderr.contains(server.password), "\(stderr)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: archive).contains { $0.hasSuffix(".part") })
            try server.start()
            #expect(try server.psql(database, "SELECT count(*) FROM claims").trimmingCharacters(in: .whitespacesAndNewlines) != "0")
            let left = try StoppedFetch(archive: archive, valid: validFiles(server, database), simulator: simulator)
            let rerunStarted = Date()
            let rerun = try await CLI.run(arguments)
            #expect(rerun.status == 0, "\(rerun.stderr)")
            // The dead run's claims were taken at once (this machine, its process gone), not
            // after their 20-second lease; the rerun's own were released before it exited.
            #expect(Date().timeIntervalSince(rerunStarted) < 15)
            #expect(try server.psql(database, "SELECT count(*) FROM claims").trimmingCharacters(in: .whitespacesAndNewlines) == "0")
            return left.fetchedAgain(simulator)
        }
        #expect(validFiles(server, database).count == expected)
        #expect(again.isEmpty, "fetched again from byte 0: \(again)")
        #expect(try !FileManager.default.contentsOfDirectory(atPath: archive).contains { $0.hasSuffix(".part") })
        try server.stop()
    }
}

/// Every call of `ids` served slowly (4 KiB chunks), so that downloads are in flight when a test strikes.
func slowRules(_ ids: [String]) -> [String: FaultRule] {
    Dictionary(uniqueKeysWithValues: ids.map { ($0, FaultRule(kind: .slow)) })
}

/// The file names of the calls catalogued `valid` in a test server database.
func validFiles(_ server: PostgresServer, _ database: String) -> Set<String> {
    let listed = (try? server.psql(database, "SELECT file_path FROM calls WHERE verdict = 'valid'")) ?? ""
    return Set(listed.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty })
}

/// What a fetch that was stopped left for the next run: the recordings already valid, the
/// partial downloads (`.part` files with some of the recording), and the `.part` files that
/// hold all of it but were not yet decoded: those the downloader fetches again (the server
/// answers their `Range` with 416, and a part it cannot resume is started over).
struct StoppedFetch {
    let started = ContinuousClock.now
    let valid: Set<String>
    let partial: Set<String>
    let whole: Set<String>

    init(archive: String, valid: Set<String>, simulator: Simulator) throws {
        self.valid = valid
        var partial: Set<String> = [], whole: Set<String> = []
        for name in try FileManager.default.contentsOfDirectory(atPath: archive) where name.hasSuffix(".part") {
            let size = (try? FileManager.default.attributesOfItem(atPath: archive + "/" + name)[.size] as? NSNumber)?.intValue ?? 0
            let file = String(name.dropLast(".part".count))
            let call = try callOf(fileName: file)
            let full = simulator.recording(order: call.order, callIndex: call.index)?.byteCount ?? -1
            if size == full { whole.insert(file) } else if size > 0 { partial.insert(file) }
        }
        (self.partial, self.whole) = (partial, whole)
    }

    /// Recordings the later runs fetched again from byte 0 although they were valid or partly
    /// there: a recording fetched twice.
    func fetchedAgain(_ simulator: Simulator) -> [String] {
        simulator.requests.compactMap { request -> String? in
            guard request.time >= started, request.path.hasPrefix("/recordings/") else { return nil }
            let name = String(request.path.dropFirst("/recordings/".count).prefix { $0 != "?" })
            let fromStart = (request.range ?? "bytes=0-").hasPrefix("bytes=0-")
            return valid.contains(name) || (fromStart && partial.contains(name)) ? name : nil
        }
    }
}
