import AudioCheck
import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

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
func expectArchiveSound(_ archive: String, _ simulator: Simulator, sourceLocation: SourceLocation = #_sourceLocation) async throws {
    let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
    #expect(try await catalog.integrityCheck() == "ok", sourceLocation: sourceLocation)
    try await catalog.forEach { record in
        guard record.verdict == .valid else { return }
        let path = archive + "/" + (record.filePath ?? "?")
        let report = try AudioChecker().check(fileAt: path)
        #expect(report.sha256 == record.sha256, "\(path)", sourceLocation: sourceLocation)
    }
    try expectFinalFilesWhole(archive, simulator, sourceLocation: sourceLocation)
}

func expectFinalFilesWhole(_ archive: String, _ simulator: Simulator, sourceLocation: SourceLocation = #_sourceLocation) throws {
    for name in try FileManager.default.contentsOfDirectory(atPath: archive) where name.hasSuffix(".mp3") {
        let (order, index) = try callOf(fileName: name)
        let served = try #require(simulator.recording(order: order, callIndex: index), sourceLocation: sourceLocation)
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/" + name)) == Data(served.allBytes), "\(name)", sourceLocation: sourceLocation)
    }
}

/// The call a recording's file name stands for: `X1.mp3` is call 1 of X1, `X1-3.mp3` call 3
/// (also with `.part` or a query string after it).
func callOf(fileName: String) throws -> (order: OrderID, index: Int) {
    let stem = String(fileName.prefix { $0 != "." && $0 != "?" })
    if let dash = stem.lastIndex(of: "-"), let n = Int(stem[stem.index(after: dash)...]) {
        return (try OrderID(String(stem[..<dash])), n)
    }
    return (try OrderID(stem), 1)
}

/// Starts the binary without waiting for it (its output discarded, or stderr to `stderr`).
func launch(_ arguments: [String], environment: [String: String] = [:], stderr: FileHandle = .nullDevice) throws -> Process {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CLI.binary)
    process.arguments = arguments
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("CALLARCHIVE_") { env[key] = nil }
    process.environment = env.merging(environment) { $1 }
    process.standardOutput = FileHandle.nullDevice
    process.standardError = stderr
    try process.run()
    return process
}

/// Requests that resumed a partial file: `Range: bytes=N-` with 0 < N < the recording's size,
/// which the simulator answers 206 (a `.part` already whole gets 416 and does not count).
func resumes(_ simulator: Simulator) -> Int {
    simulator.requests.filter { request in
        guard request.path.hasPrefix("/recordings/"), let range = request.range, range.hasPrefix("bytes="),
              let start = Int(range.dropFirst("bytes=".count).prefix { $0 != "-" }),
              let call = try? callOf(fileName: String(request.path.dropFirst("/recordings/".count))),
              let recording = simulator.recording(order: call.order, callIndex: call.index)
        else { return false }
        return start > 0 && start < recording.byteCount
    }.count
}

/// The phases of one call that the crash trials aim their kills at.
enum CallPhase: String, CaseIterable, Sendable {
    /// Bytes still arriving in `NAME.mp3.part`.
    case download
    /// The `.part` whole and not yet renamed: it is being decoded.
    case decode
    /// Renamed to `NAME.mp3`, its catalog row not yet saved.
    case commit
}

/// What the archive directory holds at one moment: each `.part`'s size, each final file's inode.
struct ArchiveSnapshot {
    var parts: [String: Int64] = [:]
    var finals: [String: UInt64] = [:]

    init(_ directory: String) throws {
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            var info = stat()
            guard stat(directory + "/" + name, &info) == 0 else { continue }
            if name.hasSuffix(".mp3.part") {
                parts[String(name.dropLast(".part".count))] = Int64(info.st_size)
            } else if name.hasSuffix(".mp3") {
                finals[name] = UInt64(info.st_ino)
            }
        }
    }

    /// The phases a run started after `before` has shown from the files alone: a `.part` that
    /// changed but is short of its recording's size (download), one that became whole (decode),
    /// a final file that is new or replaced (commit).
    func reached(since before: ArchiveSnapshot, sizes: [String: Int64]) -> Set<CallPhase> {
        var phases = Set<CallPhase>()
        for (name, size) in parts where size != before.parts[name] {
            guard let whole = sizes[name] else { continue }
            if size == whole { phases.insert(.decode) } else if size > 0 { phases.insert(.download) }
        }
        if !newFinals(since: before).isEmpty { phases.insert(.commit) }
        return phases
    }

    /// Where a kill after `before` landed: the download and decode evidence of `reached`, and
    /// commit only when a new final file's catalog row is not `valid` (renamed, never saved).
    func landed(in archive: String, since before: ArchiveSnapshot, sizes: [String: Int64]) async throws -> Set<CallPhase> {
        var phases = reached(since: before, sizes: sizes).subtracting([.commit])
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        for name in newFinals(since: before) {
            let call = try callOf(fileName: name)
            if try await catalog.record(order: call.order.rawValue, callIndex: call.index)?.verdict != .valid { phases.insert(.commit) }
        }
        return phases
    }

    private func newFinals(since before: ArchiveSnapshot) -> [String] {
        finals.filter { before.finals[$0.key] != $0.value }.map(\.key)
    }
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

    /// As root (who ignores permission bits), a mounted tmpfs, failing the test when none can
    /// be mounted; nil otherwise, where permission bits or limits do the job.
    static func mountAsRoot(kilobytes: Int, for purpose: String) async throws -> SmallVolume? {
        guard getuid() == 0 else { return nil }
        let volume: SmallVolume = try #require(
            await mount(kilobytes: kilobytes), "running as root, but a \(kilobytes) KiB tmpfs for \(purpose) could not be mounted"
        )
        return volume
    }

    func remount(_ options: String) async throws -> Bool {
        try await CLI.run(["-o", "remount,\(options)", path], executable: "/bin/mount").status == 0
    }

    /// Lazily: a catalog the test still has open would make a plain unmount fail (and leave
    /// the volume mounted); the kernel detaches it now and frees it once it is closed.
    func unmount() async throws {
        _ = try await CLI.run(["-l", path], executable: "/bin/umount")
    }
}

@Suite(.serialized) struct ReliabilityTests {
    /// SIGKILLs aimed in turn at each phase of a call — mid-download, between the download and
    /// the rename (decoding), between the rename and the catalog save — each trial waiting for
    /// its own run to reach that phase. The archive is sound after each kill, every kill is seen
    /// to have landed in the phase it aimed at, and a final run completes everything, resuming
    /// `.part` files with Range.
    @Test func crashTrials() async throws {
        let trials = Reliability.full ? 12 : 3
        let archive = try temporaryDirectory()
        // Orders of 250–600 kB: at 4 KiB every 20 ms each takes 1.3–3 s, so `.part` files
        // reach the disk (they are flushed every second) while the call is still downloading.
        let ids = try CallGenerator.sampleOrderIDs(count: 1000).filter { id in
            let calls = CallGenerator.calls(for: try OrderID(id)).count
            let size = Simulator().recording(order: try OrderID(id), callIndex: 1)?.byteCount ?? 0
            return calls == 1 && (250_000...600_000).contains(size)
        }.prefix(Reliability.full ? 60 : 8).map { $0 }
        var rules: [String: FaultRule] = [:]
        for id in ids { rules[id] = FaultRule(kind: .slow) }
        let simulator = Simulator(options: SimulatorOptions(rules: rules, slowChunkDelay: .milliseconds(20)))
        let sizes = try Dictionary(uniqueKeysWithValues: ids.map { id in
            (id + ".mp3", Int64(try #require(simulator.recording(order: try OrderID(id), callIndex: 1)).byteCount))
        })
        let arguments = ["fetch", "--archive", archive, "--jobs", "4", "-q"] + ids
        let (killed, landed, rerun) = try await simulator.withRunning { url in
            var killed = 0, landed: [CallPhase: Int] = [:]
            for trial in 0..<trials {
                let aim = CallPhase.allCases[trial % CallPhase.allCases.count]
                let before = try ArchiveSnapshot(archive)
                // `CALLARCHIVE_TEST_PAUSE` (Sources/Archive/TestPause.swift, test-only) holds each
                // call two seconds at the phase boundary, so the kill lands inside that window.
                let process = try launch(arguments + ["--api-url", url], environment: aim == .download ? [:] : ["CALLARCHIVE_TEST_PAUSE": aim.rawValue])
                let deadline = ContinuousClock.now + .seconds(30)
                while process.isRunning, ContinuousClock.now < deadline, try !ArchiveSnapshot(archive).reached(since: before, sizes: sizes).contains(aim) {
                    try await Task.sleep(for: .milliseconds(10))
                }
                if aim == .download { try await Task.sleep(for: .milliseconds(Int.random(in: 0...400))) }
                let running = process.isRunning
                if running {
                    kill(process.processIdentifier, SIGKILL)
                    killed += 1
                }
                await CLI.waitForExit(process)
                let phases = try await ArchiveSnapshot(archive).landed(in: archive, since: before, sizes: sizes)
                #expect(running && phases.contains(aim), "trial \(trial) aimed at \(aim): running \(running), landed in \(phases)")
                for phase in phases { landed[phase, default: 0] += 1 }
                try await expectArchiveSound(archive, simulator)
            }
            return (killed, landed, try await CLI.run(arguments + ["--api-url", url, "--json"]))
        }
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try await expectArchiveSound(archive, simulator)
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try await catalog.count() == expected)
        let valid = try await catalog.records(CatalogQuery(words: ["verdict:=valid"])).count
        #expect(valid == expected)
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive).filter { $0.hasSuffix(".part") }.isEmpty)
        let resumed = resumes(simulator)
        #expect(resumed > 0)
        #expect(killed == trials)
        for phase in CallPhase.allCases { #expect(landed[phase, default: 0] >= trials / CallPhase.allCases.count, "kills in \(phase)") }
        Reliability.report("crash trials (SIGKILL)", [
            "trials": trials, "killed mid-run": killed, "mid-download": landed[.download, default: 0],
            "after download, before rename": landed[.decode, default: 0], "after rename, before catalog save": landed[.commit, default: 0],
            "calls": expected, "Range resumes": resumed, "valid at the end": valid,
        ])
    }

    /// Thousands of calls against random faults: transient ones end valid, permanent ones with
    /// the right verdict, no damaged file is ever valid, and the summary matches the catalog.
    @Test func faultSoak() async throws {
        let count = Reliability.full ? 2000 : 200
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: count)
        let rate = 0.3
        let simulator = Simulator(options: SimulatorOptions(faultRate: rate, slowChunkDelay: .milliseconds(1)))
        let result = try await simulator.withRunning { url in
            try await CLI.run(
                ["fetch", "--archive", archive, "--api-url", url, "--jobs", "8", "--retry-base-delay", "0.05", "--json", "--input", "-"],
                stdin: ids.joined(separator: "\n")
            )
        }
        #expect(result.status == 1, "permanent faults make the run exit 1: \(result.stderr)")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        var faulty = 0, transient = 0, slow = 0, permanent = 0, damagedValid = 0
        var catalogVerdicts: [String: Int] = [:]
        for id in ids {
            let records = try await catalog.records(order: id)
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
        #expect(summary["calls"] as? Int == (try await catalog.count()))
        #expect(summary["valid"] as? Int == catalogVerdicts["valid"])
        #expect(try await catalog.integrityCheck() == "ok")
        Reliability.report("fault soak (--faults \(rate))", [
            "orders": count, "calls": try await catalog.count(), "with a fault": faulty, "transient → valid": transient, "slow → valid": slow,
            "permanent, right verdict": permanent, "damaged marked valid": damagedValid,
        ])
    }

    /// The archive on a volume that fills up: exit 3 with a clear message, nothing incomplete
    /// under a final name, the catalog sound, and once there is room the next run resumes.
    /// As root, a 1.5 MiB tmpfs (a failed mount fails the test); otherwise a per-file size limit
    /// (`ulimit -f`, 400 KiB: room for the catalog, not for most recordings) stands in for the
    /// full disk, and lifting it makes the room.
    @Test func diskFullStopsTheRunAndTheNextRunResumes() async throws {
        let ids = CallGenerator.sampleOrderIDs(count: 12)
        let simulator = Simulator()
        let kilobytes = getuid() == 0 ? 1536 : 400
        let volume = try await SmallVolume.mountAsRoot(kilobytes: kilobytes, for: "a full disk")
        let archive = (try volume?.path ?? temporaryDirectory()) + "/archive"
        let fetch = ["fetch", "--archive", archive, "--jobs", "2"] + ids
        let (full, rerun) = try await simulator.withRunning { url in
            let full = volume == nil
                ? try await CLI.run(["-c", "ulimit -f \(kilobytes); exec \"$0\" \"$@\"", CLI.binary] + fetch + ["--api-url", url], executable: "/bin/bash")
                : try await CLI.run(fetch + ["--api-url", url])
            try await expectArchiveSound(archive, simulator)
            if let volume { #expect(try await volume.remount("size=32m"), "remount with room") }
            return (full, try await CLI.run(fetch + ["--api-url", url, "--json"]))
        }
        #expect(full.status == 3, "\(full.stderr)")
        #expect(["No space left on device", "disk is full", "File too large"].contains { full.stderr.contains($0) }, "\(full.stderr)")
        #expect(full.stderr.contains("run again"), "\(full.stderr)")
        #expect(rerun.status == 0, "\(rerun.stderr)")
        try await expectArchiveSound(archive, simulator)
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        #expect(try await catalog.records(CatalogQuery(words: ["-verdict:valid"])).isEmpty)
        let resumed = resumes(simulator)
        #expect(resumed > 0, "the run after the full disk resumed no .part with Range")
        let valid = try await catalog.records(CatalogQuery(words: ["verdict:=valid"])).count
        try await volume?.unmount()
        Reliability.report(volume == nil ? "disk full (ulimit -f \(kilobytes))" : "disk full (\(kilobytes) KiB tmpfs)", [
            "exit code": Int(full.status), "Range resumes after": resumed, "valid after room": valid,
        ])
    }

    /// A read-only archive: fetch is refused with exit 3 and changes nothing. As root (who
    /// ignores permission bits) on a tmpfs remounted read-only — a failed mount fails the test;
    /// otherwise with the archive directory's write bits taken away.
    @Test func readOnlyArchiveIsRefusedAndLeftAsItWas() async throws {
        let simulator = Simulator()
        let ids = CallGenerator.sampleOrderIDs(count: 3)
        let volume = try await SmallVolume.mountAsRoot(kilobytes: 8192, for: "a read-only archive")
        let archive = (try volume?.path ?? temporaryDirectory()) + "/archive"
        let (first, refused) = try await simulator.withRunning { url in
            let first = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, ids[0]])
            if let volume {
                #expect(try await volume.remount("ro"), "remount read-only")
            } else {
                #expect(chmod(archive, 0o555) == 0)
            }
            return (first, try await CLI.run(["fetch", "--archive", archive, "--api-url", url, ids[1], ids[2]]))
        }
        #expect(first.status == 0, "\(first.stderr)")
        let names = try FileManager.default.contentsOfDirectory(atPath: archive)
        let catalogBytes = try Data(contentsOf: URL(fileURLWithPath: archive + "/catalog.sqlite"))
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("Read-only file system") || refused.stderr.contains("ermission denied"), "\(refused.stderr)")
        #expect(!names.contains { $0.hasPrefix(ids[1]) || $0.hasPrefix(ids[2]) })
        // Reading still works on a read-only archive.
        let search = try await CLI.run(["search", "--archive", archive, "--format", "csv"])
        #expect(search.status == 0, "\(search.stderr)")
        #expect(search.stdout.contains(ids[0]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: archive) == names)
        #expect(try Data(contentsOf: URL(fileURLWithPath: archive + "/catalog.sqlite")) == catalogBytes)
        if let volume {
            #expect(try await volume.remount("rw"))
            try await volume.unmount()
        } else {
            chmod(archive, 0o755)
        }
        Reliability.report(volume == nil ? "read-only archive (chmod)" : "read-only archive (tmpfs remounted ro)", [
            "fetch exit code": Int(refused.status), "search exit code": Int(search.status),
        ])
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
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try await catalog.count() == expected)
        #expect(try await catalog.records(CatalogQuery(words: ["-verdict:valid"])).isEmpty)
        // Every recording was downloaded once over the three runs: the second fetch waited for
        // the first's claim on a shared call and then found it done, instead of fetching it again.
        var perRecording: [String: Int] = [:]
        for request in simulator.requests where request.path.hasPrefix("/recordings/") { perRecording[request.path, default: 0] += 1 }
        #expect(perRecording.count == expected)
        let twice = perRecording.filter { $0.value > 1 }
        #expect(twice.isEmpty, "downloaded more than once: \(twice)")
        let after = try await CLI.run(["verify", "--archive", archive])
        #expect(after.status == 0, "\(after.stderr)")
        try await expectArchiveSound(archive, simulator)
        Reliability.report("3 processes (2 fetch + verify)", [
            "orders": ids.count, "rows": try await catalog.count(), "recordings": perRecording.count, "downloaded more than once": twice.count,
        ])
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
        var refused = 0, changed = 0
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
            let after = try Data(contentsOf: URL(fileURLWithPath: archive + "/catalog.sqlite"))
            #expect(after == bad.bytes, "\(bad.name)")
            if after != bad.bytes { changed += 1 }
        }
        Reliability.report("bad catalogs", ["kinds": cases.count, "commands refused with exit 3": refused, "files changed": changed])
    }
}
