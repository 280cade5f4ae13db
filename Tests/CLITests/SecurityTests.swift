import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// The claims of docs/security.md that the other suites do not already prove.
@Suite struct SecurityTests {
    /// The token reaches the API (so the test can fail) but no output, no catalog file and no
    /// report: not in a success, not in a failure.
    @Test func tokenNeverPrintedOrStored() async throws {
        let token = "tok-SECRET-4f9a1c"
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 3)
        let simulator = Simulator(options: SimulatorOptions(rules: [ids[1]: FaultRule(kind: .notFound), ids[2]: FaultRule(kind: .html)]))
        let environment = ["CALLARCHIVE_API_TOKEN": token]
        let results = try await simulator.withRunning { url in
            [
                try await CLI.run(["fetch", ids[0], "--archive", archive, "--api-url", url], environment: environment),
                try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--json", "--force"] + ids, environment: environment),
                try await CLI.run(["fetch", "--archive", archive, "--api-url", url + "/nope/{order_id}", ids[0], "--force"], environment: environment),
                try await CLI.run(["search", "--archive", archive, "--format", "json"], environment: environment),
                try await CLI.run(["export", "--archive", archive, "--columns", "order_id,verdict_detail,api_json"], environment: environment),
            ]
        }
        #expect(simulator.requests.contains { $0.authorization == "Bearer \(token)" })
        #expect(results[1].status == 1 && results[2].status == 1)
        for result in results {
            #expect(!result.stdout.contains(token) && !result.stderr.contains(token))
        }
        for name in try FileManager.default.subpathsOfDirectory(atPath: archive) {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: archive + "/" + name, isDirectory: &isDirectory), !isDirectory.boolValue else { continue }
            let bytes = try Data(contentsOf: URL(fileURLWithPath: archive + "/" + name))
            #expect(bytes.range(of: Data(token.utf8)) == nil, "\(name) holds the token")
        }
    }

    /// A redirect from the API's own origin to another one: the token goes with the first
    /// request and is dropped on the hop.
    @Test func tokenIsDroppedOnARedirectToAnotherOrigin() async throws {
        let token = "tok-SECRET-77e1"
        let archive = try temporaryDirectory()
        let id = CallGenerator.sampleOrderIDs(count: 1)[0]
        let simulator = Simulator(options: SimulatorOptions(rules: [id: FaultRule(kind: .redirectOtherHost)]))
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", id, "--archive", archive, "--api-url", url], environment: ["CALLARCHIVE_API_TOKEN": token])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let recordings = simulator.requests.filter { $0.path.hasPrefix("/recordings/") }
        #expect(recordings.count == 2)
        #expect(recordings.first?.host.hasPrefix("127.0.0.1") == true && recordings.first?.authorization == "Bearer \(token)")
        #expect(recordings.last?.host.hasPrefix("localhost") == true && recordings.last?.authorization == nil)
    }

    /// A `.part` planted as a symbolic link is not written through: the run stops (exit 3)
    /// and the file it points to is unchanged.
    @Test func plantedPartLinkIsNotFollowed() async throws {
        let archive = try temporaryDirectory()
        let outside = try temporaryDirectory() + "/precious.txt"
        try Data("keep me".utf8).write(to: URL(fileURLWithPath: outside))
        let id = CallGenerator.sampleOrderIDs(count: 1)[0]
        try FileManager.default.createSymbolicLink(atPath: archive + "/\(id).mp3.part", withDestinationPath: outside)
        let result = try await Simulator().withRunning { url in
            try await CLI.run(["fetch", id, "--archive", archive, "--api-url", url])
        }
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("symbolic links"), "\(result.stderr)")
        #expect(try String(contentsOfFile: outside, encoding: .utf8) == "keep me")
        #expect(!FileManager.default.fileExists(atPath: archive + "/\(id).mp3"))
    }

    /// Query words reach SQLite only as bound values: SQL in them matches nothing and changes nothing.
    @Test func sqlInQueryWordsIsJustText() async throws {
        let archive = try temporaryDirectory()
        let ids = CallGenerator.sampleOrderIDs(count: 4)
        _ = try await Simulator().withRunning { url in try await CLI.run(["fetch", "--archive", archive, "--api-url", url] + ids) }
        for word in ["store:'; DROP TABLE calls; --", #"agent:") OR 1=1 --"#, "x' OR '1'='1", #"code:=a','b"#, "verdict:valid' --"] {
            let result = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", word])
            #expect(result.status == 0, "\(word): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(word) matched rows")
        }
        let catalog = try SQLiteCatalog.open(at: archive + "/catalog.sqlite")
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(try await catalog.count() == expected)
    }

    /// `make test`'s short form of the fuzzing (`make reliability` runs a million inputs per
    /// target on the release build): every property holds on 10,000 inputs per target.
    @Test func fuzzQueryParserJSONDecoderAndHeaders() async throws {
        let fuzz = (CLI.binary as NSString).deletingLastPathComponent + "/Fuzz"
        let result = try await CLI.run(["--count", "10000", "--json", "--hang", "30"], executable: fuzz)
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 4)
        for line in lines {
            let figures = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            // The header target also goes through all 2,097,152 headers with a sync word.
            #expect(figures["inputs"] as? Int == (figures["target"] as? String == "header" ? 2_097_152 + 10000 : 10000))
            #expect(figures["failures"] as? Int == 0, "\(line)")
        }
    }
}
