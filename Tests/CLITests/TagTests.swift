import Catalog
import Foundation
import Simulator
import Testing
import TestSupport

/// `tag`: tags and notes in their own table, found by `tag:` and `note:`, exported as `tags`
/// and `notes`, and left alone by refetch, import and verify.
@Suite struct TagTests {
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    func search(_ words: [String], _ archive: String) async throws -> [String] {
        let result = try await CLI.run(["search", "--archive", archive, "--format", "jsonl"] + words)
        #expect(result.status == 0, "\(words): \(result.stderr)")
        return try Self.jsonLines(result.stdout).map { "\($0["order_id"] ?? "")-\($0["call_index"] ?? "")" }.sorted()
    }

    @Test func tagsAndNotesAreFoundExportedAndSurviveVerifyAndFetch() async throws {
        let ids = Array(CallGenerator.sampleOrderIDs(count: 3))
        let archive = try await fetchedArchive(ids)
        let first = try await CLI.run(["tag", "--archive", archive, ids[0], ids[1], "+Refund", "+followup", "--note", "customer says nobody answered"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.contains("\(ids[0])-1\tfollowup refund\t1 note"), "\(first.stdout)")
        let second = try await CLI.run(["tag", "--archive", archive, "\(ids[1])-1", "-followup", "+done", "--note", "called back, 50% refund"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdout == "\(ids[1])-1\tdone refund\t2 notes\n", "\(second.stdout)")

        let one = try await search(["tag:done"], archive)
        #expect(one == ["\(ids[1])-1"])
        #expect(try await search(["tag:refund"], archive).count >= 2)
        let notDone = try await search(["tag:refund", "-tag:done"], archive)
        #expect(notDone.contains("\(ids[0])-1") && !notDone.contains("\(ids[1])-1"), "\(notDone)")
        #expect(try await search(["note:NOBODY"], archive).contains("\(ids[1])-1"))
        #expect(try await search(["note:50%"], archive) == ["\(ids[1])-1"], "% is a plain character")
        #expect(try await search(["-tag:refund"], archive).allSatisfy { $0.hasPrefix(ids[2] + "-") })

        // Verify, a forced fetch and an import rewrite the calls; the tags and notes stay.
        #expect(try await CLI.run(["verify", "--archive", archive]).status == 0)
        try await Simulator().withRunning { url in
            let fetch = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--force", ids[1]])
            #expect(fetch.status == 0, "\(fetch.stderr)")
        }
        let imported = try await CLI.run(["import", "--offline", "--archive", archive, archive + "/\(ids[1]).mp3"])
        #expect(imported.status == 0, "\(imported.stderr)")
        let export = try await CLI.run(["export", "--archive", archive, "order:=\(ids[1])", "--format", "jsonl", "--columns", "order_id,tags,notes"])
        let row = try #require(try Self.jsonLines(export.stdout).first)
        #expect(row["tags"] as? String == "done refund")
        #expect(row["notes"] as? String == "customer says nobody answered\ncalled back, 50% refund")
        let csv = try await CLI.run(["export", "--archive", archive, "order:=\(ids[2])"])
        #expect(csv.stdout.split(separator: "\r\n")[0].hasSuffix(",loudness_lufs,tags,notes,call_in_local"), "call_in_local stays last")
    }

    @Test func badTagsAndUnknownCallsAreRefused() async throws {
        let ids = Array(CallGenerator.sampleOrderIDs(count: 1))
        let archive = try await fetchedArchive(ids)
        for bad in [["+a b"], ["+-x"], ["+" + String(repeating: "a", count: 33)], ["+ok", "--note", "two\nlines"], []] {
            let result = try await CLI.run(["tag", "--archive", archive, ids[0]] + bad)
            #expect(result.status == 64, "\(bad): \(result.stderr)")
            #expect(!result.stderr.isEmpty)
        }
        let rule = try await CLI.run(["tag", "--archive", archive, ids[0], "+no/slash"])
        #expect(rule.stderr.contains("a tag is 1-32 characters of a-z, 0-9, '-' and '_'"), "\(rule.stderr)")
        let missing = try await CLI.run(["tag", "--archive", archive, "NOSUCH1", ids[0], "+seen"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("NOSUCH1: no such call in the catalog"), "\(missing.stderr)")
        #expect(missing.stdout.contains("\(ids[0])-1\tseen"), "the known call is still tagged")
        let query = try await CLI.run(["search", "--archive", archive, "tag:bad/name"])
        #expect(query.status == 64, "\(query.stderr)")
    }
}
