import Foundation
import Simulator
import Testing
import TestSupport

/// Every path under `directory` with its size and modification time: what a dry run must leave
/// as it was. SQLite's `-wal` and `-shm` companions are left out: any reader of a WAL catalog
/// (`search` too) may create them, and they hold no rows.
func snapshot(_ directory: String) -> [String] {
    let names = (FileManager.default.enumerator(atPath: directory)?.allObjects as? [String] ?? [])
        .filter { !$0.hasSuffix("-wal") && !$0.hasSuffix("-shm") }.sorted()
    return names.map { name in
        var info = stat()
        _ = lstat((directory as NSString).appendingPathComponent(name), &info)
        return "\(name) \(info.st_size) \(info.st_mtim.tv_sec).\(info.st_mtim.tv_nsec)"
    }
}

/// `--dry-run` (fetch, refetch, import): the plan on stdout, no recording request, nothing written.
@Suite(.serialized) struct DryRunTests {
    @Test func fetchDryRunOfANewArchiveCreatesNothingAndRequestsNothing() async throws {
        let archive = (try temporaryDirectory() as NSString).appendingPathComponent("new-archive")
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--dry-run", "--archive", archive, "--api-url", url, "DRY001", "DRY002"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "would fetch DRY001: not catalogued\nwould fetch DRY002: not catalogued\n")
        #expect(result.stderr.contains("dry run: 2 orders would be fetched, 0 skipped"))
        #expect(simulator.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: archive))
    }

    @Test func fetchDryRunSkipsWhatIsValidAndLeavesTheArchiveAsItWas() async throws {
        let archive = try await fetchedArchive(["DRY010", "DRY011"])
        let before = snapshot(archive)
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--dry-run", "--archive", archive, "--api-url", url, "DRY010", "DRY012", "DRY011"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.count == 3)
        #expect(lines[0].hasPrefix("would skip DRY010: ") && lines[0].hasSuffix("already valid"))
        #expect(lines[1] == "would fetch DRY012: not catalogued")
        #expect(lines[2].hasPrefix("would skip DRY011: "))
        #expect(simulator.requests.isEmpty)
        #expect(snapshot(archive) == before)

        // With --force every order would be fetched again; a missing file is seen too.
        let first = try #require(before.first { $0.hasPrefix("DRY010") }).split(separator: " ")[0]
        try FileManager.default.removeItem(atPath: (archive as NSString).appendingPathComponent(String(first)))
        let again = try await CLI.run(["fetch", "--dry-run", "--archive", archive, "--api-url", "http://127.0.0.1:9/calls", "DRY010"])
        #expect(again.stdout.hasPrefix("would fetch DRY010: call 1 valid but its file is missing"), "\(again.stdout)")
    }

    @Test func refetchDryRunListsTheCallsThatAreNotValid() async throws {
        let archive = try await fetchedArchive(["DRY020", "DRY021"], rules: ["DRY021": FaultRule(kind: .notFound)])
        let before = snapshot(archive)
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["refetch", "--dry-run", "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "would fetch DRY021: call 1 failed\n")
        #expect(simulator.requests.isEmpty)
        #expect(snapshot(archive) == before)
    }

    @Test func importDryRunCopiesNothing() async throws {
        let source = try temporaryDirectory()
        let file = (source as NSString).appendingPathComponent("IMPDRY.mp3")
        try FileManager.default.copyItem(atPath: ImportTests.fixture("cd-44k-stereo-128.mp3"), toPath: file)
        try Data("x".utf8).write(to: URL(fileURLWithPath: (source as NSString).appendingPathComponent("not an id!.mp3")))
        let archive = (try temporaryDirectory() as NSString).appendingPathComponent("archive")
        let result = try await CLI.run(["import", "--dry-run", "--offline", "--archive", archive, source])
        #expect(result.status == 1, "a skipped file is exit 1, as in a real import")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("would copy into \(archive)/IMPDRY.mp3, check and catalogue: \(file)"), "\(result.stdout)")
        #expect(lines.contains { $0.hasPrefix("would skip: the file name is not an order id") })
        #expect(!FileManager.default.fileExists(atPath: archive))
    }
}
