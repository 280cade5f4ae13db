import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// `import` against hostile entries, its own archive, a lost catalog, and `--json`.
@Suite struct ImportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AudioCheckTests/Fixtures")

    static func fixture(_ name: String) -> String { fixtures.appendingPathComponent(name).path }

    /// Runs the binary under `timeout`, so a run that blocks (a FIFO read) fails the test
    /// with status 137 instead of hanging the suite.
    static func run(_ arguments: [String], seconds: Int = 120) async throws -> CLI.Result {
        try await CLI.run(["-s", "KILL", String(seconds), CLI.binary] + arguments, executable: "/usr/bin/timeout")
    }

    /// Every path under `directory` (relative), without following links.
    static func tree(_ directory: String) -> [String] {
        (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? []).sorted()
    }

    static func isLink(_ path: String) -> Bool {
        var info = stat()
        return lstat(path, &info) == 0 && (info.st_mode & S_IFMT) == S_IFLNK
    }

    /// Ids of the simulator that have several calls, and some with one.
    static func mixedIDs(several: Int, single: Int) -> [String] {
        let ids = CallGenerator.sampleOrderIDs(count: 200)
        let counts = ids.map { CallGenerator.callCount(for: try! OrderID($0)) }
        let multi = zip(ids, counts).filter { $0.1 > 1 }.map(\.0).prefix(several)
        let one = zip(ids, counts).filter { $0.1 == 1 }.map(\.0).prefix(single)
        return Array(multi) + Array(one)
    }

    static func rows(_ archive: String) async throws -> [String: CallRecord] {
        var rows: [String: CallRecord] = [:]
        try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").forEach { rows["\($0.orderID)#\($0.callIndex)"] = $0 }
        return rows
    }

    @Test func oddEntriesAreSkippedOneLineEachAndTheGoodFilesImported() async throws {
        let source = try temporaryDirectory()
        let manager = FileManager.default
        try manager.createDirectory(atPath: source + "/sub", withIntermediateDirectories: true)
        try manager.createDirectory(atPath: source + "/FOLDER.mp3", withIntermediateDirectories: true)
        try manager.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/GOOD01.mp3")
        try manager.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/sub/GOOD02.mp3")
        #expect(mkfifo(source + "/PIPE01.mp3", 0o644) == 0)
        try manager.createSymbolicLink(atPath: source + "/EVIL01.mp3", withDestinationPath: "/etc/passwd")
        try manager.createSymbolicLink(atPath: source + "/DANGLE.mp3", withDestinationPath: source + "/nowhere.mp3")
        try manager.createSymbolicLink(atPath: source + "/LINKED.mp3", withDestinationPath: "sub/GOOD02.mp3")
        let archive = try temporaryDirectory() + "/archive"

        let result = try await Self.run(["import", "--offline", "--archive", archive, source])

        #expect(result.status == 1, "\(result.stderr)")
        let lines = result.stderr.split(separator: "\n").map(String.init)
        for name in ["PIPE01.mp3", "EVIL01.mp3", "DANGLE.mp3", "LINKED.mp3", "FOLDER.mp3"] {
            #expect(lines.filter { $0.contains(name) && $0.contains("skipped") }.count == 1, "\(name): \(result.stderr)")
        }
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        #expect(try await catalog.record(order: "GOOD01", callIndex: 1)?.verdict == .valid)
        #expect(try await catalog.record(order: "GOOD02", callIndex: 1)?.verdict == .valid)
        #expect(try await catalog.count() == 2)
        let tree = Self.tree(archive)
        #expect(tree.filter { $0.hasSuffix(".part") }.isEmpty, "\(tree)")
        #expect(tree.filter { Self.isLink(archive + "/" + $0) }.isEmpty, "\(tree)")
        #expect(Set(tree.filter { $0.hasSuffix(".mp3") }) == ["GOOD01.mp3", "GOOD02.mp3"])
        let skipped = lines.filter { $0.contains(": skipped") }.count
        Reliability.report("import of odd entries (FIFO, links, folder named .mp3)", [
            "entries skipped": skipped, "imported": try await catalog.count(),
            ".part left": tree.filter { $0.hasSuffix(".part") }.count, "links in archive": tree.filter { Self.isLink(archive + "/" + $0) }.count,
        ])
    }

    @Test func aFIFOOrDeviceNamedOnTheCommandLineIsSkippedWithoutBlocking() async throws {
        let source = try temporaryDirectory()
        #expect(mkfifo(source + "/PIPE02.mp3", 0o644) == 0)
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/GOOD03.mp3")
        let archive = try temporaryDirectory() + "/archive"

        let result = try await Self.run(
            ["import", "--offline", "--archive", archive, source + "/PIPE02.mp3", "/dev/zero", source + "/GOOD03.mp3"], seconds: 60
        )

        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("PIPE02.mp3: skipped: a FIFO"), "\(result.stderr)")
        #expect(result.stderr.contains("/dev/zero: skipped: a device"), "\(result.stderr)")
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: "GOOD03", callIndex: 1)?.verdict == .valid)
        #expect(Self.tree(archive).filter { $0.hasSuffix(".part") }.isEmpty)
    }

    @Test func aLinkNamedOnTheCommandLineIsSkippedNotFollowed() async throws {
        let source = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/real.bin")
        try FileManager.default.createSymbolicLink(atPath: source + "/LINK01.mp3", withDestinationPath: "real.bin")
        try FileManager.default.createSymbolicLink(atPath: source + "/EVIL02.mp3", withDestinationPath: "/etc/passwd")
        let archive = try temporaryDirectory() + "/archive"

        let result = try await Self.run(["import", "--offline", "--archive", archive, source + "/LINK01.mp3", source + "/EVIL02.mp3"])

        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("LINK01.mp3: skipped: a symbolic link"), "\(result.stderr)")
        #expect(result.stderr.contains("EVIL02.mp3: skipped: a symbolic link"), "\(result.stderr)")
        // Nothing of /etc/passwd lands in the archive, not even in quarantine.
        #expect(Self.tree(archive) == ["catalog.sqlite"])
    }

    @Test func reimportingTheArchiveKeepsEveryMetadataColumn() async throws {
        let ids = Self.mixedIDs(several: 2, single: 2)
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        // One simulator throughout: its recording URLs name its port.
        let (before, offline, online) = try await simulator.withRunning { url in
            let fetched = try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids)
            #expect(fetched.status == 0, "\(fetched.stderr)")
            let before = try await Self.rows(archive)
            let offline = try await Self.run(["import", "--offline", "--archive", archive, archive])
            let afterOffline = try await Self.rows(archive)
            simulator.resetLog()
            let online = try await Self.run(["import", "--archive", archive, "--api-url", url, archive])
            #expect(offline.status == 0, "\(offline.stderr)")
            #expect(online.status == 0, "\(online.stderr)")
            return (before, afterOffline, try await Self.rows(archive))
        }

        #expect(before.count > ids.count)
        for after in [offline, online] {
            #expect(Set(after.keys) == Set(before.keys))
            for (key, old) in before {
                var new = try #require(after[key])
                #expect(new.verifiedAt != nil && new.attempts > 0)
                new.verifiedAt = old.verifiedAt
                #expect(new == old, "\(key)")
            }
        }
        let asked = Set(simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") })
        #expect(asked == Set(ids.map { "/calls/\($0)" }))
    }

    @Test func offlineImportOfFilesFromElsewhereFillsTheirRowsWithoutBlankingThem() async throws {
        let ids = Self.mixedIDs(several: 1, single: 0)
        let archive = try await fetchedArchive(ids)
        let before = try await Self.rows(archive)
        // The order's files leave the archive and come back from elsewhere.
        let elsewhere = try temporaryDirectory()
        let names = [ids[0] + ".mp3", ids[0] + "-2.mp3"]
        for name in names { try FileManager.default.moveItem(atPath: archive + "/" + name, toPath: elsewhere + "/" + name) }

        let result = try await Self.run(["import", "--offline", "--archive", archive] + names.map { elsewhere + "/" + $0 })

        #expect(result.status == 0, "\(result.stderr)")
        let after = try await Self.rows(archive)
        #expect(Set(after.keys) == Set(before.keys))
        for (index, name) in zip(1..., names) {
            let old = try #require(before["\(ids[0])#\(index)"])
            var new = try #require(after["\(ids[0])#\(index)"])
            #expect(new.filePath == name && new.sha256 == old.sha256 && new.attempts > 0)
            new.verifiedAt = old.verifiedAt
            new.downloadedAt = old.downloadedAt
            #expect(new == old, "\(name)")
        }
    }

    @Test func aRebuiltCatalogHasTheSameKeys() async throws {
        let ids = Self.mixedIDs(several: 3, single: 2) + ["BROKEN1"]
        let archive = try await fetchedArchive(ids, rules: ["BROKEN1": FaultRule(kind: .truncated)])
        let before = try await Self.rows(archive)
        #expect(before["BROKEN1#1"]?.filePath == "quarantine/BROKEN1.mp3")
        for suffix in ["", "-wal", "-shm"] {
            try? FileManager.default.moveItem(atPath: archive + "/catalog.sqlite" + suffix, toPath: archive + "/old.sqlite" + suffix)
        }

        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await Self.run(["import", "--archive", archive, "--api-url", url, archive])
        }

        #expect(result.status == 1, "\(result.stderr)")  // the quarantined file is not valid
        let after = try await Self.rows(archive)
        #expect(Set(after.keys) == Set(before.keys))
        for (key, old) in before {
            let new = try #require(after[key])
            #expect(new.filePath == old.filePath && new.verdict == old.verdict, "\(key)")
            #expect(new.agentName == old.agentName && new.callInTime == old.callInTime, "\(key)")
        }
        let asked = Set(simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") })
        #expect(asked == Set(ids.map { "/calls/\($0)" }))
    }

    @Test func filesInTheArchiveMoveToWhereTheirVerdictPutsThem() async throws {
        let ids = Self.mixedIDs(several: 0, single: 2)
        let archive = try await fetchedArchive(ids)
        // One recording is damaged in place; a good one was left in quarantine by hand.
        let damaged = archive + "/\(ids[0]).mp3"
        let bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        try bytes.prefix(bytes.count / 2).write(to: URL(fileURLWithPath: damaged))
        try FileManager.default.createDirectory(atPath: archive + "/quarantine", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: archive + "/quarantine/HANDQ1.mp3")

        let result = try await Self.run(["import", "--offline", "--archive", archive, archive])

        #expect(result.status == 1, "\(result.stderr)")  // the damaged one is not valid
        let rows = try await Self.rows(archive)
        #expect(rows["\(ids[0])#1"]?.filePath == "quarantine/\(ids[0]).mp3" && rows["\(ids[0])#1"]?.verdict == .truncated)
        #expect(rows["\(ids[0])#1"]?.agentName == CallGenerator.calls(for: try OrderID(ids[0]))[0].agentName)
        #expect(rows["HANDQ1#1"]?.filePath == "HANDQ1.mp3" && rows["HANDQ1#1"]?.verdict == .valid)
        let tree = Set(Self.tree(archive).filter { $0.hasSuffix(".mp3") })
        #expect(tree == ["quarantine/\(ids[0]).mp3", "\(ids[1]).mp3", "HANDQ1.mp3"])
    }

    @Test func anOrderWhoseIDLooksLikeAFurtherCallKeepsItsKeyWhenReimported() async throws {
        // Order `AMB-2`'s only call is named AMB-2.mp3, like call 2 of `AMB` would be.
        let archive = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: archive + "/AMB-2.mp3")
        var row = CallRecord(order: try OrderID("AMB-2"), callIndex: 1, info: CallInfo(agentName: "Ann Example"), verdict: .valid)
        row.filePath = "AMB-2.mp3"
        row.attempts = 1
        try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").save(row)

        let result = try await Self.run(["import", "--offline", "--archive", archive, archive])

        #expect(result.status == 0, "\(result.stderr)")
        let after = try await Self.rows(archive)
        #expect(Set(after.keys) == ["AMB-2#1"])
        #expect(after["AMB-2#1"]?.agentName == "Ann Example" && after["AMB-2#1"]?.attempts == 1)
        #expect(after["AMB-2#1"]?.filePath == "AMB-2.mp3" && after["AMB-2#1"]?.sha256 != nil)
    }

    @Test func aCallTheAPIDoesNotListIsCataloguedWithoutMetadataAndSaysSo() async throws {
        let id = Self.mixedIDs(several: 0, single: 1)[0]
        let source = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/\(id)-5.mp3")
        let archive = try temporaryDirectory() + "/archive"
        let simulator = Simulator()

        let result = try await simulator.withRunning { url in
            try await Self.run(["import", "--json", "--archive", archive, "--api-url", url, source])
        }

        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("\(id) call 5: no metadata from the API: the API lists 1 call for this order"), "\(result.stderr)")
        let row = try await #require(try Self.rows(archive)["\(id)#5"])
        #expect(row.verdict == .valid && row.agentName.isEmpty && row.filePath == "\(id)-5.mp3")
        #expect(simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") } == ["/calls/\(id)"])
    }

    @Test func jsonGivesOneObjectPerFileAndASummary() async throws {
        let source = try temporaryDirectory()
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/JSON01-2.mp3")
        try FileManager.default.copyItem(atPath: Self.fixture("trunc-midframe.mp3"), toPath: source + "/JSON02.mp3")
        try FileManager.default.copyItem(atPath: Self.fixture("tel-8k-cbr32.mp3"), toPath: source + "/not an id.mp3")
        let archive = try temporaryDirectory() + "/archive"

        let result = try await Self.run(["import", "--offline", "--json", "--archive", archive, source])

        #expect(result.status == 1, "\(result.stderr)")
        let objects = try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        #expect(objects.count == 4, "\(result.stdout)")
        let good = try #require(objects.first { $0["order_id"] as? String == "JSON01" })
        #expect(good["call_index"] as? Int == 2 && good["verdict"] as? String == "valid")
        #expect(good["path"] as? String == source + "/JSON01-2.mp3" && good["file_path"] as? String == "JSON01-2.mp3")
        let seconds = try #require(good["audio_seconds"] as? Double)
        #expect(seconds > 0 && (seconds * 1000).rounded() == seconds * 1000)
        let bad = try #require(objects.first { $0["order_id"] as? String == "JSON02" })
        #expect(bad["verdict"] as? String == "truncated" && !(bad["verdict_detail"] as? String ?? "").isEmpty)
        let skipped = try #require(objects.first { $0["skipped"] != nil })
        #expect(skipped["path"] as? String == source + "/not an id.mp3")
        let summary = try #require(objects.last)
        #expect(summary["imported"] as? Int == 2 && summary["skipped"] as? Int == 1)
        #expect(summary["not_valid"] as? Int == 1 && summary["catalog_rows"] as? Int == 2)
    }
}
