import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// `prune --older-than`: only with --yes, at most --max-delete, rows kept as `pruned`.
@Suite(.serialized) struct PruneTests {
    /// An archive of four one-call orders: PRU001–PRU003 from 2023 (oldest first), PRU004 from last week.
    static func archive() async throws -> String {
        let archive = try await fetchedArchive(["PRU001", "PRU002", "PRU003", "PRU004"])
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let recent = String(Timestamp(millisecondsSince1970: Int64((Date().timeIntervalSince1970 - 7 * 86_400) * 1000)).iso8601)
        for (id, time) in [("PRU001", "2023-01-02T10:00:00.000Z"), ("PRU002", "2023-02-03T10:00:00.000Z"),
                           ("PRU003", "2023-03-04T10:00:00.000Z"), ("PRU004", recent)] {
            var record = try #require(try await catalog.record(order: id, callIndex: 1))
            record.callInTime = time
            try await catalog.save(record)
        }
        return archive
    }

    @Test func withoutYesNothingIsDeletedAndDryRunOnlyLists() async throws {
        let archive = try await Self.archive()
        let refused = try await CLI.run(["prune", "--older-than", "18mo", "--archive", archive])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("prune would delete 3 recordings"), "\(refused.stderr)")
        #expect(refused.stderr.contains("give --yes"))
        let dry = try await CLI.run(["prune", "--older-than", "18mo", "--dry-run", "--archive", archive])
        #expect(dry.status == 0, "\(dry.stderr)")
        let lines = dry.stdout.split(separator: "\n")
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasPrefix("would delete \(archive)/PRU00") }, "\(dry.stdout)")
        for id in ["PRU001", "PRU002", "PRU003", "PRU004"] { #expect(FileManager.default.fileExists(atPath: "\(archive)/\(id).mp3")) }
        let bad = try await CLI.run(["prune", "--older-than", "18 months", "--yes", "--archive", archive])
        #expect(bad.status == 64)
    }

    @Test func pruneDeletesTheOldestUpToTheLimitAndKeepsTheRows() async throws {
        let archive = try await Self.archive()
        let first = try await CLI.run(["prune", "--older-than", "18mo", "--yes", "--max-delete", "2", "--archive", archive])
        #expect(first.status == 1, "more matched than --max-delete: exit 1\n\(first.stderr)")
        #expect(first.stderr.contains("1 more match: --max-delete reached"), "\(first.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU001.mp3"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU002.mp3"))
        #expect(FileManager.default.fileExists(atPath: archive + "/PRU003.mp3"))
        let second = try await CLI.run(["prune", "--older-than", "18mo", "--yes", "--archive", archive])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU003.mp3"))
        #expect(FileManager.default.fileExists(atPath: archive + "/PRU004.mp3"), "a call from last week is kept")
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let pruned = try #require(try await catalog.record(order: "PRU001", callIndex: 1))
        #expect(pruned.verdict == .pruned)
        #expect(pruned.verdictDetail.hasPrefix("pruned 20") && pruned.verdictDetail.hasSuffix(": older than 18mo (prune)"), "\(pruned.verdictDetail)")
        #expect(try await catalog.record(order: "PRU004", callIndex: 1)?.verdict == .valid)
        // verify does not call a pruned recording missing; stats and exports still count the calls.
        let verify = try await CLI.run(["verify", "--archive", archive])
        #expect(verify.status == 0, "\(verify.stdout)\(verify.stderr)")
        let stats = try await CLI.run(["stats", "--by", "verdict", "--format", "csv", "--archive", archive])
        #expect(stats.stdout.contains("\npruned,3,"), "\(stats.stdout)")
        let export = try await CLI.run(["export", "--columns", "order_id,verdict", "--archive", archive])
        #expect(export.stdout.contains("PRU001,pruned") && export.stdout.contains("PRU004,valid"), "\(export.stdout)")
        // refetch leaves pruned calls alone unless asked for them.
        let refetch = try await CLI.run(["refetch", "--dry-run", "--archive", archive])
        #expect(refetch.stdout.isEmpty, "\(refetch.stdout)")
        let asked = try await CLI.run(["refetch", "--dry-run", "--archive", archive, "verdict:pruned"])
        #expect(asked.stdout.split(separator: "\n").count == 3, "\(asked.stdout)")
        let again = try await CLI.run(["prune", "--older-than", "18mo", "--yes", "--archive", archive])
        #expect(again.status == 0)
        #expect(again.stderr.contains("nothing to prune"))
    }

    @Test func aQueryNarrowsWhatIsPruned() async throws {
        let archive = try await Self.archive()
        let result = try await CLI.run(["prune", "--older-than", "2y", "--yes", "--archive", archive, "order:PRU002"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU002.mp3"))
        #expect(FileManager.default.fileExists(atPath: archive + "/PRU001.mp3"))
    }

    /// Legal hold: a call tagged `hold` is never pruned, however old; untagging releases it.
    @Test func aCallTaggedHoldIsNeverPruned() async throws {
        let archive = try await Self.archive()
        #expect(try await CLI.run(["tag", "PRU002", "+hold", "--archive", archive]).status == 0)
        let result = try await CLI.run(["prune", "--older-than", "18mo", "--yes", "--archive", archive])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(FileManager.default.fileExists(atPath: archive + "/PRU002.mp3"), "on hold")
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU001.mp3"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU003.mp3"))
        #expect(try await CLI.run(["tag", "PRU002", "-hold", "--archive", archive]).status == 0)
        #expect(try await CLI.run(["prune", "--older-than", "18mo", "--yes", "--archive", archive]).status == 0)
        #expect(!FileManager.default.fileExists(atPath: archive + "/PRU002.mp3"))
    }
}
