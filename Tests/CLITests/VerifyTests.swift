import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

@Suite struct VerifyTests {

    @Test func cleanArchiveExitsZero() async throws {
        let archive = try await fetchedArchive(["CLEAN1", "CLEAN2"])
        let result = try await CLI.run(["verify", "--archive", archive, "--orphans"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stderr.contains("valid"))
    }

    @Test func damagedArchiveReportsChangedMissingAndOrphans() async throws {
        let archive = try await fetchedArchive(["DAMAGE1", "DAMAGE2", "DAMAGE3"])
        // One byte changed, one file deleted, one stray file.
        let changed = archive + "/DAMAGE1.mp3"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: changed))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: changed))
        try FileManager.default.removeItem(atPath: archive + "/DAMAGE2.mp3")
        try FileManager.default.copyItem(atPath: archive + "/DAMAGE3.mp3", toPath: archive + "/STRAY1.mp3")

        let result = try await CLI.run(["verify", "--archive", archive, "--orphans"])
        #expect(result.status == 1)
        #expect(result.stderr.contains("DAMAGE1.mp3: changed"))
        #expect(result.stderr.contains("DAMAGE2.mp3: missing"))
        #expect(result.stdout.contains("orphan: STRAY1.mp3"))
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        #expect(try await catalog.record(order: "DAMAGE1", callIndex: 1)?.verdict == .changed)
        #expect(try await catalog.record(order: "DAMAGE2", callIndex: 1)?.verdict == .missing)
        #expect(try await catalog.record(order: "DAMAGE3", callIndex: 1)?.verdict == .valid)
        // The query selects what is verified.
        let one = try await CLI.run(["verify", "--archive", archive, "order:=DAMAGE3"])
        #expect(one.status == 0)
    }

    @Test func missingArchiveDirectoryIsRefusedWithoutMarkingAnything() async throws {
        let archive = try await fetchedArchive(["MOUNT1"])
        let moved = archive + "-unmounted"
        try FileManager.default.moveItem(atPath: archive, toPath: moved)
        let result = try await CLI.run(["verify", "--archive", archive, "--catalog", moved + "/catalog.sqlite"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("does not exist"))
        #expect(try await SQLiteCatalog.open(at: moved + "/catalog.sqlite").record(order: "MOUNT1", callIndex: 1)?.verdict == .valid)
    }

    @Test func refetchRepairsWhatVerifyFound() async throws {
        let archive = try await fetchedArchive(["REPAIR1", "REPAIR2"])
        try FileManager.default.removeItem(atPath: archive + "/REPAIR1.mp3")
        _ = try await CLI.run(["verify", "--archive", archive])
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["refetch", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Set(simulator.requests.map(\.path).filter { $0.hasPrefix("/calls/") }) == ["/calls/REPAIR1"])
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").record(order: "REPAIR1", callIndex: 1)?.verdict == .valid)
    }

    @Test func importAdoptsFilesAndQuarantinesDamagedOnes() async throws {
        let source = try temporaryDirectory()
        let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("AudioCheckTests/Fixtures")
        try FileManager.default.createDirectory(atPath: source + "/nested", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("tel-8k-cbr32.mp3").path, toPath: source + "/nested/OLD001.mp3")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("trunc-midframe.mp3").path, toPath: source + "/OLD002.mp3")
        try FileManager.default.copyItem(atPath: fixtures.appendingPathComponent("tel-8k-cbr32.mp3").path, toPath: source + "/not an id.mp3")
        let archive = try temporaryDirectory() + "/archive"
        let result = try await CLI.run(["import", "--offline", "--archive", archive, source])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stderr.contains("not an id.mp3: skipped: the file name is not an order id"))
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let good = try #require(try await catalog.record(order: "OLD001", callIndex: 1))
        #expect(good.verdict == .valid && good.filePath == "OLD001.mp3")
        let bad = try #require(try await catalog.record(order: "OLD002", callIndex: 1))
        #expect(bad.verdict == .truncated && bad.filePath == "quarantine/OLD002.mp3")
        #expect(FileManager.default.fileExists(atPath: source + "/OLD002.mp3"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/OLD002.mp3"))
    }
}
