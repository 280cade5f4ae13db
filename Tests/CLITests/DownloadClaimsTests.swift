import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// The download claims of README.md and docs/security.md, each proved through the real binary
/// against the in-process simulator, counting the requests it answered. Serialized: several
/// tests need a timeout to fire on the recording, not on a simulator slowed by its neighbours.
@Suite(.serialized) struct DownloadClaimsTests {
    /// Runs `callarchive ARGS --archive ARCHIVE --api-url URL --retry-base-delay 0` against `simulator`.
    static func run(_ arguments: [String], archive: String, at simulator: Simulator) async throws -> CLI.Result {
        try await simulator.withRunning { url in
            try await CLI.run(arguments + ["--archive", archive, "--api-url", url, "--retry-base-delay", "0"])
        }
    }

    /// Pauses long enough that the short timeouts below fire even on a loaded machine, where
    /// the simulator itself may take a second to answer.
    static func simulator(_ rules: [String: FaultRule]) -> Simulator {
        Simulator(options: SimulatorOptions(rules: rules, slowChunkDelay: .milliseconds(200), lorisDelay: .seconds(8)))
    }

    /// The `Range` header of every request for `order`'s first recording, in order.
    static func recordingRanges(_ simulator: Simulator, _ order: String) -> [String?] {
        simulator.requests.filter { $0.path == "/recordings/\(order).mp3" }.map(\.range)
    }

    static func served(_ order: String) throws -> [UInt8] {
        try #require(Simulator().recording(order: try OrderID(order), callIndex: 1)).allBytes
    }

    static func record(_ archive: String, _ order: String) async throws -> CallRecord {
        try #require(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: order, callIndex: 1))
    }

    /// Files in the archive whose names contain `.mp3` (final names, parts, quarantine), not
    /// the per-call lock files.
    static func audioFiles(_ archive: String) throws -> [String] {
        try FileManager.default.subpathsOfDirectory(atPath: archive).filter { $0.contains(".mp3") && !$0.hasPrefix(".") }.sorted()
    }

    static func plantPart(_ bytes: [UInt8], archive: String, order: String) throws {
        try Data(bytes).write(to: URL(fileURLWithPath: "\(archive)/\(order).mp3.part"))
    }

    // MARK: What CDNs do with ranges and bodies

    /// A server that ignores `Range` and answers 200: the `.part` is rewritten from byte 0.
    @Test func rangeIgnoredRestartsThePartFromZero() async throws {
        let archive = try temporaryDirectory()
        let served = try Self.served("CDNIGN")
        try Self.plantPart(Array(served[0..<100_000]), archive: archive, order: "CDNIGN")
        let simulator = Self.simulator(["CDNIGN": FaultRule(kind: .ignoreRange)])
        let result = try await Self.run(["fetch", "CDNIGN"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.recordingRanges(simulator, "CDNIGN") == ["bytes=100000-"])
        try expectFinalFilesWhole(archive, simulator)
        #expect(try await Self.record(archive, "CDNIGN").verdict == .valid)
    }

    /// A 206 from another byte than asked: never appended; the download restarts from 0.
    @Test func rangeFromAnotherStartRestartsFromZero() async throws {
        let archive = try temporaryDirectory()
        try Self.plantPart(Array(try Self.served("CDNWRG")[0..<100_000]), archive: archive, order: "CDNWRG")
        let simulator = Self.simulator(["CDNWRG": FaultRule(kind: .wrongRange)])
        let result = try await Self.run(["fetch", "CDNWRG"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.recordingRanges(simulator, "CDNWRG") == ["bytes=100000-", nil])
        try expectFinalFilesWhole(archive, simulator)
    }

    /// A chunked body without Content-Length is accepted, and proved whole by decoding.
    @Test func chunkedBodyIsAcceptedAndDecoded() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CDNCHK": FaultRule(kind: .chunked)])
        let result = try await Self.run(["fetch", "CDNCHK"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        let record = try await Self.record(archive, "CDNCHK")
        #expect(record.verdict == .valid && record.frames == record.expectedFrames)
        try expectFinalFilesWhole(archive, simulator)
    }

    /// A `.part` that is already the whole recording is answered 416; the run starts over and
    /// ends with the whole file.
    @Test func completePartAnswered416EndsWhole() async throws {
        let archive = try temporaryDirectory()
        let served = try Self.served("CDNFUL")
        try Self.plantPart(served, archive: archive, order: "CDNFUL")
        let simulator = Self.simulator([:])
        let result = try await Self.run(["fetch", "CDNFUL"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.recordingRanges(simulator, "CDNFUL") == ["bytes=\(served.count)-", nil])
        try expectFinalFilesWhole(archive, simulator)
    }

    /// The server's copy changed between two requests: the resumed `.part` is a splice of two
    /// versions, the decoder finds the damage, and the call is downloaded again from byte 0.
    @Test func changedContentIsNeverSplicedIntoTheArchive() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CDNCHG": FaultRule(kind: .changed)])
        let result = try await Self.run(["fetch", "CDNCHG"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        let ranges = Self.recordingRanges(simulator, "CDNCHG")
        #expect(ranges.count == 3, "\(ranges)")
        #expect(ranges.first == .some(nil) && ranges.last == .some(nil))
        #expect(ranges.count == 3 && ranges[1]?.hasPrefix("bytes=") == true)
        #expect(result.stderr.contains("truncated:"), "\(result.stderr)")
        try expectFinalFilesWhole(archive, simulator)
        #expect(try await Self.record(archive, "CDNCHG").verdict == .valid)
    }

    /// Content-Length larger than the body, then the connection closes: a short body, retried,
    /// and never a final name; when it never ends well, a failure with no `.part` left.
    @Test func lengthLargerThanTheBodyIsRetriedAndNeverKept() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CDNSH1": FaultRule(kind: .shortBody), "CDNSH2": FaultRule(kind: .shortBody, times: 99)])
        let result = try await Self.run(["fetch", "CDNSH1", "CDNSH2", "--retries", "1"], archive: archive, at: simulator)
        #expect(result.status == 1)
        #expect(try await Self.record(archive, "CDNSH1").verdict == .valid)
        let failed = try await Self.record(archive, "CDNSH2")
        #expect(failed.verdict == .failed)
        let size = try Self.served("CDNSH2").count
        #expect(failed.verdictDetail.hasPrefix("connection ended after "), "\(failed.verdictDetail)")
        #expect(failed.verdictDetail.hasSuffix(" of \(size + 4096) bytes"), "\(failed.verdictDetail)")
        let files = try Self.audioFiles(archive)
        #expect(files.contains("CDNSH1.mp3") && !files.contains { $0.hasPrefix("CDNSH2") }, "\(files)")
        try expectFinalFilesWhole(archive, simulator)
    }

    /// Bytes that trickle slower than `--read-timeout`: the read timeout fires, its message is
    /// shown, and the retry resumes the `.part`.
    @Test func stalledBodyHitsTheReadTimeoutAndIsRetried() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CDNLOR": FaultRule(kind: .slowLoris)])
        let result = try await Self.run(["fetch", "CDNLOR", "--read-timeout", "3"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("Attempt 1 failed: download failed: no data within the read timeout"), "\(result.stderr)")
        let ranges = Self.recordingRanges(simulator, "CDNLOR")
        #expect(ranges.count == 2 && ranges[0] == nil && ranges[1]?.hasPrefix("bytes=") == true, "\(ranges)")
        try expectFinalFilesWhole(archive, simulator)
    }

    /// gzip on audio: refused with a clear message, not retried, nothing kept under any name.
    @Test func compressedRecordingIsRefused() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CDNGZP": FaultRule(kind: .gzip)])
        let result = try await Self.run(["fetch", "CDNGZP"], archive: archive, at: simulator)
        #expect(result.status == 1)
        #expect(result.stderr.contains("compressed (Content-Encoding: gzip)"), "\(result.stderr)")
        #expect(Self.recordingRanges(simulator, "CDNGZP").count == 1)
        #expect(try Self.audioFiles(archive).isEmpty)
        #expect(try await Self.record(archive, "CDNGZP").verdict == .failed)
    }

    // MARK: README's download claims

    /// "A file whose audio is damaged is downloaded again": a server copy cut short is asked
    /// for once plus once per retry, then quarantined.
    @Test func damagedRecordingIsDownloadedAgain() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLMDMG": FaultRule(kind: .truncated)])
        let result = try await Self.run(["fetch", "CLMDMG", "--retries", "2"], archive: archive, at: simulator)
        #expect(result.status == 1)
        #expect(Self.recordingRanges(simulator, "CLMDMG") == [nil, nil, nil])
        let files = try Self.audioFiles(archive)
        #expect(files.contains("quarantine/CLMDMG.mp3") && !files.contains("CLMDMG.mp3"), "\(files)")
        #expect(try await Self.record(archive, "CLMDMG").verdict == .truncated)
    }

    /// A rerun fetches a valid call again when its file's size differs from the catalog's; a
    /// valid call with the right size costs no request; `--force` fetches it all the same.
    @Test func sizeMismatchAndForceFetchAgain() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator([:])
        let recording = "/recordings/CLMSIZ.mp3"
        let count = { simulator.requests.filter { $0.path == recording }.count }
        #expect(try await Self.run(["fetch", "CLMSIZ"], archive: archive, at: simulator).status == 0)
        #expect(try await Self.run(["fetch", "CLMSIZ"], archive: archive, at: simulator).status == 0)
        #expect(count() == 1)
        let handle = try #require(FileHandle(forWritingAtPath: archive + "/CLMSIZ.mp3"))
        handle.seekToEndOfFile()
        handle.write(Data("tail".utf8))
        try handle.close()
        #expect(try await Self.run(["fetch", "CLMSIZ"], archive: archive, at: simulator).status == 0)
        #expect(count() == 2)
        try expectFinalFilesWhole(archive, simulator)
        #expect(try await Self.run(["fetch", "CLMSIZ", "--force"], archive: archive, at: simulator).status == 0)
        #expect(count() == 3)
        #expect(simulator.requests.filter { $0.path == "/calls/CLMSIZ" }.count == 3)
    }

    /// `refetch` fetches a call `verify` found changed (its size no longer the catalog's).
    @Test func refetchFetchesAChangedFileAgain() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator([:])
        #expect(try await Self.run(["fetch", "CLMREF"], archive: archive, at: simulator).status == 0)
        try Data("not the recording".utf8).write(to: URL(fileURLWithPath: archive + "/CLMREF.mp3"))
        #expect(try await CLI.run(["verify", "--archive", archive]).status == 1)
        let result = try await Self.run(["refetch"], archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.recordingRanges(simulator, "CLMREF").count == 2)
        try expectFinalFilesWhole(archive, simulator)
        #expect(try await Self.record(archive, "CLMREF").verdict == .valid)
    }

    /// 403 and 410 are permanent: asked for once, whatever `--retries` says.
    @Test func otherClientErrorsAreNotRetried() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLM403": FaultRule(kind: .recordingForbidden), "CLM410": FaultRule(kind: .recordingGone)])
        let result = try await Self.run(["fetch", "CLM403", "CLM410", "--retries", "3"], archive: archive, at: simulator)
        #expect(result.status == 1)
        for (order, status) in [("CLM403", 403), ("CLM410", 410)] {
            #expect(Self.recordingRanges(simulator, order).count == 1)
            #expect(try await Self.record(archive, order).verdictDetail == "the recording server answered HTTP \(status)")
        }
        #expect(try Self.audioFiles(archive).isEmpty)
    }

    @Test func everyRedirectStatusIsFollowed() async throws {
        let archive = try temporaryDirectory()
        let kinds: [(String, FaultKind)] = [("CLM301", .redirect301), ("CLM303", .redirect303), ("CLM307", .redirect307), ("CLM308", .redirect308)]
        let simulator = Self.simulator(Dictionary(uniqueKeysWithValues: kinds.map { ($0.0, FaultRule(kind: $0.1)) }))
        let result = try await Self.run(["fetch"] + kinds.map(\.0), archive: archive, at: simulator)
        #expect(result.status == 0, "\(result.stderr)")
        for (order, _) in kinds {
            #expect(simulator.requests.filter { $0.path == "/recordings/\(order).mp3" }.map(\.query) == ["", "hop=1"])
        }
        try expectFinalFilesWhole(archive, simulator)
    }

    /// A metadata redirect is not followed (the token must not travel with it): an HTTP error.
    @Test func metadataRedirectIsNotFollowed() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLMMRD": FaultRule(kind: .metadataRedirect)])
        let result = try await Self.run(["fetch", "CLMMRD", "--retries", "3"], archive: archive, at: simulator)
        #expect(result.status == 1)
        #expect(result.stderr.contains("the API answered HTTP 302 for order CLMMRD"), "\(result.stderr)")
        #expect(simulator.requests.map(\.path) == ["/calls/CLMMRD"])
    }

    @Test func metadataOver8MiBIsRefused() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLMBIG": FaultRule(kind: .hugeJSON)])
        let result = try await Self.run(["fetch", "CLMBIG", "--retries", "3"], archive: archive, at: simulator)
        #expect(result.status == 1)
        #expect(result.stderr.contains("invalid API response for order CLMBIG: the body is larger than 8 MiB"), "\(result.stderr)")
        #expect(simulator.requests.count == 1)
    }

    /// `--max-size` also holds without Content-Length: the body is cut off mid-stream.
    @Test func maxSizeStopsAStreamWithoutLength() async throws {
        let archive = try temporaryDirectory()
        #expect(try Self.served("CLMMAX").count > 150_000)
        let simulator = Self.simulator(["CLMMAX": FaultRule(kind: .chunked)])
        let result = try await Self.run(["fetch", "CLMMAX", "--max-size", "100K"], archive: archive, at: simulator)
        #expect(result.status == 1)
        let record = try await Self.record(archive, "CLMMAX")
        #expect(record.verdict == .failed && record.verdictDetail == "recording larger than --max-size (102400 bytes)")
        #expect(Self.recordingRanges(simulator, "CLMMAX").count == 1)
        #expect(try Self.audioFiles(archive).isEmpty)
    }

    /// `--timeout`, `--connect-timeout` and `--read-timeout` each say which one ran out.
    @Test func eachTimeoutHasItsOwnMessage() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLMSLW": FaultRule(kind: .slow), "CLMLOR": FaultRule(kind: .slowLoris, times: 9)])
        let whole = try await Self.run(["fetch", "CLMSLW", "--timeout", "3", "--retries", "0"], archive: archive, at: simulator)
        #expect(whole.stderr.contains("Download failed: download failed: the request took longer than --timeout"), "\(whole.stderr)")
        let read = try await Self.run(["fetch", "CLMLOR", "--read-timeout", "3", "--retries", "0"], archive: archive, at: simulator)
        #expect(read.stderr.contains("Download failed: download failed: no data within the read timeout"), "\(read.stderr)")
        let hole = try BlackHole()
        let connect = try await CLI.run([
            "fetch", "CLMCON", "--archive", archive, "--api-url", "http://127.0.0.1:\(hole.port)/calls", "--connect-timeout", "0.5", "--retries", "0",
        ])
        withExtendedLifetime(hole) {}
        #expect(connect.stderr.contains("could not reach the API for order CLMCON: connection timed out"), "\(connect.stderr)")
        for result in [whole, read, connect] {
            #expect(result.status == 1)
        }
        #expect(try Self.audioFiles(archive).isEmpty)
    }

    @Test func queryLimitsAreUsageErrors() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator([:])
        #expect(try await Self.run(["fetch", "CLMQRY"], archive: archive, at: simulator).status == 0)
        let alternatives = "order:" + (0...500).map { "A\($0)" }.joined(separator: ",")
        let tooMany = try await CLI.run(["search", "--archive", archive, alternatives])
        #expect(tooMany.status == 64, "\(tooMany.stderr)")
        #expect(tooMany.stderr.contains("500"), "\(tooMany.stderr)")
        let fine = try await CLI.run(["search", "--archive", archive, "order:" + (0..<500).map { "A\($0)" }.joined(separator: ",")])
        #expect(fine.status == 0, "\(fine.stderr)")
        let words = (0...64).map { "order:A\($0)" }
        let tooLong = try await CLI.run(["search", "--archive", archive] + words)
        #expect(tooLong.status == 64, "\(tooLong.stderr)")
        #expect(tooLong.stderr.contains("64"), "\(tooLong.stderr)")
        #expect(try await CLI.run(["search", "--archive", archive] + words.dropLast()).status == 0)
    }

    // MARK: What the API says never reaches the terminal raw

    /// A recording URL carrying an escape sequence is refused, and shown without its control
    /// characters, in the one-id display and in the many-id lines alike.
    @Test func refusedURLNeverReachesTheTerminalRaw() async throws {
        let archive = try temporaryDirectory()
        let simulator = Self.simulator(["CLMESC": FaultRule(kind: .escapeURL), "CLMES2": FaultRule(kind: .escapeURL)])
        let one = try await Self.run(["fetch", "CLMESC"], archive: archive, at: simulator)
        let many = try await Self.run(["fetch", "CLMESC", "CLMES2", "--force"], archive: archive, at: simulator)
        for result in [one, many] {
            #expect(result.status == 1)
            #expect(result.stderr.contains("refused recording URL"), "\(result.stderr)")
            #expect(!result.stderr.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" }, "\(result.stderr.debugDescription)")
            #expect(!result.stdout.unicodeScalars.contains { $0 == "\u{1B}" || $0 == "\u{07}" })
        }
        #expect(simulator.requests.allSatisfy { !$0.path.hasPrefix("/recordings/") })
    }
}
