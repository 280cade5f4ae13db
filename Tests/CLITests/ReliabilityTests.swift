import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Testing

/// The reliability suite (issue "Reliability and security suite"). `make test` runs it in a
/// short form; `make reliability` sets `CALLARCHIVE_RELIABILITY=full` for the full sizes and
/// `CALLARCHIVE_RELIABILITY_REPORT` to a file that collects each check's figures for its table.
enum Reliability {
    static let full = ProcessInfo.processInfo.environment["CALLARCHIVE_RELIABILITY"] == "full"

    /// Appends one row of figures (`check <TAB> figures`) to the report, when one is asked for.
    static func report(_ check: String, _ figures: KeyValuePairs<String, Int>) {
        guard let path = ProcessInfo.processInfo.environment["CALLARCHIVE_RELIABILITY_REPORT"] else { return }
        let line = check + "\t" + figures.map { "\($0.key) \($0.value)" }.joined(separator: ", ") + "\n"
        guard let handle = FileHandle(forWritingAtPath: path) ?? {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
            return FileHandle(forWritingAtPath: path)
        }() else { return }
        handle.seekToEndOfFile()
        handle.write(Data(line.utf8))
        try? handle.close()
    }
}

/// What must hold after anything, a crash included: SQLite's integrity check passes, every
/// `valid` row's file is there with its catalogued sha256, and every file under a final name is
/// exactly the recording the simulator served (no incomplete file ever gets a final name).
func expectArchiveSound(_ archive: String, _ simulator: Simulator, sourceLocation: SourceLocation = #_sourceLocation) throws {
    let catalog = try Catalog.open(at: archive + "/catalog.sqlite")
    #expect(try catalog.integrityCheck() == "ok", sourceLocation: sourceLocation)
    try catalog.forEach { record in
        guard record.verdict == .valid else { return }
        let path = archive + "/" + (record.filePath ?? "?")
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.sha256 == record.sha256, "\(path)", sourceLocation: sourceLocation)
    }
    try expectFinalFilesWhole(archive, simulator, sourceLocation: sourceLocation)
}

func expectFinalFilesWhole(_ archive: String, _ simulator: Simulator, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: archive) where name.hasSuffix(".mp3") {
        let stem = String(name.dropLast(4))
        var order = stem, index = 1
        if let dash = stem.lastIndex(of: "-"), let n = Int(stem[stem.index(after: dash)...]) {
            order = String(stem[..<dash])
            index = n
        }
        let served = try #require(simulator.recording(order: try OrderID(order), callIndex: index), sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/" + name)) == Data(served.allBytes), "\(name)", sourceLocation: sourceLocation)
    }
}

/// Starts the binary without waiting for it.
func launch(_ arguments: [String], environment: [String: String] = [:]) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = arguments
    if !environment.isEmpty { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = FileHandle.nullDevice
    try process.run()
    return process
}

func partWithBytes(in directory: String) throws -> Bool {
    try FileManager.default.contentsOfDirectory(atPath: directory).contains { name in
        guard name.hasSuffix(".part") else { return false }
        var info = stat()
        return stat(directory + "/" + name, &info) == 0 && info.st_size > 0
    }
}

/// Requests that resumed a partial file (`Range: bytes=N-` with N > 0).
func resumes(_ simulator: Simulator) -> Int {
    simulator.requests.filter { request in
        guard let range = request.range else { return false }
        return !range.hasPrefix("bytes=0-")
    }.count
}

/// A small tmpfs mounted for one test (needs root and a kernel that allows it).
struct SmallVolume {
    let path: String

    static func mount(kilobytes: Int) async throws -> SmallVolume? {
        guard getuid() == 0 else { return nil }
        let path = try temporaryDirectory()
        guard try await CLI.run(["-t", "tmpfs", "-o", "size=\(kilobytes)k,mode=0755", "tmpfs", path], executable: "/bin/mount").status == 0 else { return nil }
        return SmallVolume(path: path)
    }

    func remount(_ options: String) async throws -> Bool {
        try await CLI.run(["-o", "remount,\(options)", path], executable: "/bin/mount").status == 0
    }

    func unmount() async throws {
        _ = try await CLI.run([path], executable: "/bin/umount")
    }
}

@Suite(.serialized) struct ReliabilityTests {
    /// Random SIGKILLs of a bulk fetch against slow recordings; the archive is sound after each,
    /// and a final run completes everything, resuming `.part` files with Range.
    @Test func crashTrials() async throws {
        let trials = Reliability.full ? 12 : 3
        let archive = try temporaryDirectory()
        // Orders of 250–600 kB: at 4 KiB every 20 ms each takes 1.3–3 s, so `.part` files
        // reach the disk (they are flushed every second) before most kills.
        let ids = try CallGenerator.sampleOrderIDs(count: 400).filter { id in
            let calls = CallGenerator.calls(for: try OrderID(id)).count
            let size = Simulator().recording(order: try OrderID(id), callIndex: 1)?.byteCount ?? 0
            return calls == 1 && (250_000...600_000).contains(size)
        }.prefix(Reliability.full ? 40 : 8).map { $0 }
        var rules: [String: FaultRule] = [:]
        for id in ids { rules[id] = FaultRule(kind: .slow) }
        let simulator = Simulator(options: SimulatorOptions(rules: rules, slowChunkDelay: .milliseconds(20)))
        let arguments = ["fetch", "--archive", archive, "--jobs", "4", "-q"] + ids
        let (killed, rerun) = try await simulator.withRunning { url in
            var killed = 0
            for _ in 0..<trials {
                let process = try launch(arguments + ["--api-url", url])
                // Kill at a random moment once some `.part` holds flushed bytes.
                for _ in 0..<500 where try process.isRunning && !partWithBytes(in: archive) {
                    try await Task.sleep(for: .milliseconds(20))
                }
                try await Task.sleep(for: .milliseconds(Int.random(in: 0...400)))
                if process.isRunning {
                    kill(process.processIdentifier, SIGKILL)
                    killed += 1
                }
                await CLI.waitForExit(process)
                try expectArchiveSound(archive, simulator)
            }
            return (killed, try await CLI.run(arguments + ["--api-url", url, "--json"]))
        }
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try expectArchiveSound(archive, simulator)
        let catalog = try Catalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try catalog.count() == expected)
        #expect(try catalog.records(CatalogQuery(words: ["-verdict:valid"])).isEmpty)
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".part") }.isEmpty)
        let resumed = resumes(simulator)
        #expect(resumed > 0)
        #expect(killed > 0)
        Reliability.report("crash trials (SIGKILL)", ["trials": trials, "killed mid-run": killed, "calls": expected, "Range resumes": resumed, "valid at the end": try catalog.count()])
    }

    /// Thousands of calls against random faults: transient ones end valid, permanent ones with
    /// the right verdict, no damaged file is ever valid, and the summary matches the catalog.
    @Test func faultSoak() async throws {
        let count = Reliability.full ? 2000 : 200
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: count)
        let simulator = Simulator(options: SimulatorOptions(faultRate: 0.3, slowChunkDelay: .milliseconds(1)))
        let result = try await simulator.withRunning { url in
            try await CLI.run(
                ["fetch", "--archive", archive, "--api-url", url, "--jobs", "8", "--retry-base-delay", "0.05", "--json", "--input", "-"],
                stdin: ids.joined(separator: "\n")
            )
        }
        #expect(result.status == 1, "permanent faults make the run exit 1: \(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let catalog = try Catalog.open(at: archive + "/catalog.sqlite")
        var faulty = 0, transient = 0, slow = 0, permanent = 0, damagedValid = 0
        var catalogVerdicts: [String: Int] = [:]
        for id in ids {
            let records = try catalog.records(order: id)
            #expect(!records.isEmpty, "\(id) has no row")
            let fault = simulator.fault(for: id)?.kind
            if fault != nil { faulty += 1 }
            let expected: Verdict
            switch fault {
            case nil, .serverError?, .rateLimited?, .reset?, .recordingError?, .slow?:
                expected = .valid
                if fault == .slow { slow += 1 } else if fault != nil { transient += 1 }
            case .notFound?: expected = .failed
            case .truncated?: expected = .truncated
            case .html?: expected = .notAudio
            case .noRecording?: expected = .noRecording
            case let other?: Issue.record("unexpected fault \(other) in the random pool"); continue
            }
            if expected != .valid { permanent += 1 }
            for record in records {
                catalogVerdicts[record.verdict.rawValue, default: 0] += 1
                #expect(record.verdict == expected, "\(id) (\(fault?.rawValue ?? "no fault")): \(record.verdict) \(record.verdictDetail)")
                if fault == .notFound { #expect(record.verdictDetail.contains("not found")) }
                if record.verdict == .valid {
                    let served = try #require(simulator.recording(order: try OrderID(id), callIndex: record.callIndex))
                    let bytes = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + (record.filePath ?? "?")))
                    if bytes != Data(served.allBytes) { damagedValid += 1 }
                }
            }
        }
        #expect(damagedValid == 0)
        #expect(summary["verdicts"] as? [String: Int] == catalogVerdicts)
        #expect(summary["calls"] as? Int == (try catalog.count()))
        #expect(summary["valid"] as? Int == catalogVerdicts["valid"])
        #expect(try catalog.integrityCheck() == "ok")
        Reliability.report("fault soak (--faults 0.3)", [
            "orders": count, "calls": try catalog.count(), "with a fault": faulty, "transient → valid": transient, "slow → valid": slow,
            "permanent, right verdict": permanent, "damaged marked valid": damagedValid,
        ])
    }

    /// The archive on a volume that fills up: exit 3 with a clear message, nothing incomplete
    /// under a final name, the catalog sound, and once there is room the next run resumes.
    @Test func diskFullStopsTheRunAndTheNextRunResumes() async throws {
        let ids = CallGenerator.sampleOrderIDs(count: 12)
        let simulator = Simulator()
        guard let volume = try await SmallVolume.mount(kilobytes: 1536) else {
            // Without root or mount: a per-file size limit stands in for the full disk.
            let archive = try temporaryDirectory()
            let result = try await simulator.withRunning { url in
                try await CLI.run(["-c", "ulimit -f 100; exec \"$0\" \"$@\"", CLI.binary, "fetch", "--archive", archive, "--api-url", url] + ids, executable: "/bin/bash")
            }
            #expect(result.status == 3, "\(result.stderr)")
            #expect(result.stderr.contains("File too large") || result.stderr.contains("full"), "\(result.stderr)")
            try expectArchiveSound(archive, simulator)
            return
        }
        let archive = volume.path + "/archive"
        let (full, rerun) = try await simulator.withRunning { url in
            let full = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "2"] + ids)
            try expectArchiveSound(archive, simulator)
            _ = try await volume.remount("size=32m")
            return (full, try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--json"] + ids))
        }
        #expect(full.status == 3, "\(full.stderr)")
        #expect(full.stderr.contains("No space left on device") || full.stderr.contains("disk is full"), "\(full.stderr)")
        #expect(full.stderr.contains("run again"), "\(full.stderr)")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try expectArchiveSound(archive, simulator)
        let catalog = try Catalog.open(at: archive + "/catalog.sqlite")
        #expect(try catalog.records(CatalogQuery(words: ["-verdict:valid"])).isEmpty)
        try await volume.unmount()
        Reliability.report("disk full (1.5 MiB tmpfs)", ["exit code": Int(full.status), "Range resumes after": resumes(simulator), "valid after room": try catalog.count()])
    }

    /// A read-only archive: fetch is refused with exit 3 and changes nothing.
    @Test func readOnlyArchiveIsRefusedAndLeftAsItWas() async throws {
        let simulator = Simulator()
        let ids = CallGenerator.sampleOrderIDs(count: 3)
        let volume = try await SmallVolume.mount(kilobytes: 8192)
        let archive = (try volume?.path ?? temporaryDirectory()) + "/archive"
        let (first, refused) = try await simulator.withRunning { url in
            let first = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, ids[0]])
            if let volume {
                _ = try await volume.remount("ro")
            } else {
                chmod(archive, 0o555)
            }
            return (first, try await CLI.run(["fetch", "--archive", archive, "--api-url", url, ids[1], ids[2]]))
        }
        #expect(first.status == 0, "\(first.stderr)")
        if getuid() == 0 && volume == nil {
            // root ignores permission bits and nothing could be mounted: nothing to prove here.
            return
        }
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("Read-only file system") || refused.stderr.contains("ermission denied"), "\(refused.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: archive)
        #expect(!names.contains { $0.hasPrefix(ids[1]) || $0.hasPrefix(ids[2]) })
        // Reading still works on a read-only archive.
        let search = try await CLI.run(["search", "--archive", archive, "--format", "csv"])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.contains(ids[0]))
        if let volume {
            _ = try await volume.remount("rw")
            try await volume.unmount()
        } else {
            chmod(archive, 0o755)
        }
        Reliability.report("read-only archive", ["fetch exit code": Int(refused.status), "search exit code": Int(search.status)])
    }

    /// Two fetches and a verify on one archive at once: no lock errors, no duplicate rows.
    @Test func twoFetchesAndAVerifyAtOnce() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: Reliability.full ? 120 : 40)
        let half = ids.count / 2, quarter = ids.count / 4
        let first = Array(ids[0..<(half + quarter)]), second = Array(ids[quarter..<ids.count])
        let simulator = Simulator()
        let seed = try await simulator.withRunning { url in try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids.prefix(quarter)) }
        #expect(seed.status == 0)
        let (a, b, verify) = try await simulator.withRunning { url in
            async let a = CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4", "--input", "-"], stdin: first.joined(separator: "\n"))
            async let b = CLI.run(["fetch", "--archive", archive, "--api-url", url, "--jobs", "4", "--input", "-"], stdin: second.joined(separator: "\n"))
            async let verify = CLI.run(["verify", "--archive", archive, "--jobs", "2"])
            return try await (a, b, verify)
        }
        for result in [a, b, verify] {
            #expect(result.status == 0, "\(result.stderr)")
            #expect(!result.stderr.contains("locked"), "\(result.stderr)")
        }
        let catalog = try Catalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try catalog.count() == expected)
        var keys = Set<String>()
        try catalog.forEach { keys.insert("\($0.orderID)/\($0.callIndex)") }
        #expect(keys.count == expected)
        #expect(try catalog.records(CatalogQuery(words: ["-verdict:valid"])).isEmpty)
        let after = try await CLI.run(["verify", "--archive", archive])
        #expect(after.status == 0, "\(after.stderr)")
        try expectArchiveSound(archive, simulator)
        Reliability.report("3 processes (2 fetch + verify)", ["orders": ids.count, "rows": try catalog.count(), "duplicate rows": try catalog.count() - keys.count])
    }

    /// Catalogs that cannot be used: exit 3, a message that says what is wrong and what to do,
    /// and the file byte for byte as it was.
    @Test func badCatalogsAreRefusedAndNeverOverwritten() async throws {
        let simulator = Simulator()
        let good = try temporaryDirectory()
        let fetched = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", good, "--api-url", url] + CallGenerator.sampleOrderIDs(count: 20))
        }
        #expect(fetched.status == 0)
        let whole = try Data(contentsOf: URL(fileURLWithPath: good + "/catalog.sqlite"))
        let cases: [(name: String, bytes: Data, message: String)] = [
            ("not SQLite", Data("order_id,store\nX1,Jet's\n".utf8), "not a callarchive catalog"),
            ("truncated mid-page", whole.prefix(whole.count / 2 + 100), "damaged"),
            ("truncated at a page", whole.prefix(4096 * 3), "damaged"),
            ("header only", whole.prefix(60), "damaged"),
            ("zeroed pages", whole.prefix(8192) + Data(count: whole.count - 8192), "damaged"),
        ]
        var refused = 0
        for bad in cases {
            let archive = try temporaryDirectory()
            try bad.bytes.write(to: URL(fileURLWithPath: archive + "/catalog.sqlite"))
            for command in [["search", "jet"], ["stats"], ["export"], ["verify"], ["fetch", "X1", "--api-url", "http://127.0.0.1:9/calls"]] {
                let result = try await CLI.run(command + ["--archive", archive])
                #expect(result.status == 3, "\(bad.name) \(command): \(result.status) \(result.stderr)")
                #expect(result.stderr.contains(bad.message), "\(bad.name) \(command): \(result.stderr)")
                #expect(result.stderr.contains("left"), "\(bad.name) \(command): says it was left as it was")
                if result.status == 3 { refused += 1 }
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/catalog.sqlite")) == bad.bytes, "\(bad.name)")
        }
        Reliability.report("bad catalogs", ["kinds": cases.count, "commands refused with exit 3": refused, "files changed": 0])
    }
}
