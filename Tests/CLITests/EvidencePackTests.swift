import Foundation
import Simulator
import Testing
import TestSupport

/// `export QUERY --zip FILE`: the recordings, `calls.csv` as `export` writes it and a manifest
/// with every file's sha256; missing recordings listed, the same bytes on every run.
@Suite struct EvidencePackTests {
    /// The zip's entries, unpacked by `unzip` into a fresh folder.
    static func unpack(_ zip: String) async throws -> String {
        let folder = try temporaryDirectory()
        let result = try await CLI.run(["-q", zip, "-d", folder], executable: "/usr/bin/unzip")
        #expect(result.status == 0, "\(result.stderr)")
        return folder
    }

    @Test func packHoldsTheCSVTheRecordingsAndTheManifestAndIsReproducible() async throws {
        let ids = Array(CallGenerator.sampleOrderIDs(count: 4))
        let archive = try await fetchedArchive(ids)
        try FileManager.default.removeItem(atPath: archive + "/\(ids[2]).mp3")
        let words = ["order:" + ids.joined(separator: ",")]
        let zip = try temporaryDirectory() + "/pack.zip"
        let result = try await CLI.run(["export", "--archive", archive, "--zip", zip] + words)
        #expect(result.status == 1, "a recording is missing: \(result.stderr)")
        #expect(result.stderr.contains("listed with a problem"), "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: zip + ".part"))

        let folder = try await Self.unpack(zip)
        let csv = try await CLI.run(["export", "--archive", archive] + words)
        #expect(try Data(contentsOf: URL(fileURLWithPath: folder + "/calls.csv")) == Data(csv.stdout.utf8), "the same bytes as export")
        let manifestData = try Data(contentsOf: URL(fileURLWithPath: folder + "/manifest.json"))
        let manifest = try #require(try JSONSerialization.jsonObject(with: manifestData) as? [String: Any])
        #expect(manifest["query"] as? String == words[0])
        #expect(manifest["catalog"] as? String == archive + "/catalog.sqlite")
        #expect(manifest["time"] is String)
        let files = try #require(manifest["files"] as? [[String: Any]])
        for file in files {
            let path = try #require(file["path"] as? String)
            let sha = try await CLI.run([folder + "/" + path], executable: "/usr/bin/sha256sum")
            #expect(sha.stdout.hasPrefix(try #require(file["sha256"] as? String) + " "), "\(path)")
        }
        let recordings = files.compactMap { $0["path"] as? String }.filter { $0.hasPrefix("recordings/") }
        #expect(!recordings.isEmpty && !recordings.contains { $0.contains(ids[2]) })
        let problems = try #require(manifest["problems"] as? [[String: Any]])
        #expect(problems.contains { ($0["order_id"] as? String) == ids[2] && ($0["reason"] as? String ?? "").hasPrefix("missing") }, "\(problems)")

        // Again, on a machine in another time zone: the same bytes. (calls.csv's call_in_local
        // follows --tz, so the run names the zone the first one used: the machine's, UTC.)
        let again = zip + ".again.zip"
        let second = try await CLI.run(["export", "--archive", archive, "--zip", again, "--tz", "UTC"] + words, environment: ["TZ": "America/Chicago"])
        #expect(second.status == 1)
        #expect(try Data(contentsOf: URL(fileURLWithPath: zip)) == Data(contentsOf: URL(fileURLWithPath: again)))
    }

    @Test func aSpecialFileIsNeverOverwritten() async throws {
        let archive = try await fetchedArchive(Array(CallGenerator.sampleOrderIDs(count: 1)))
        let folder = try temporaryDirectory()
        let result = try await CLI.run(["export", "--archive", archive, "--zip", folder])
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains("not a regular file"))
        let device = try await CLI.run(["export", "--archive", archive, "--zip", "/dev/null"])
        #expect(device.status == 64, "\(device.stderr)")
        let both = try await CLI.run(["export", "--archive", archive, "--zip", folder + "/x.zip", "--format", "jsonl"])
        #expect(both.status == 64)
    }
}
