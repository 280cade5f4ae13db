import Catalog
import Foundation
import Model
import PostgresCatalog
import Simulator
import Testing
import TestSupport

/// Every command on a PostgreSQL catalog (`--catalog postgresql://…`, `CALLARCHIVE_CATALOG`),
/// against the test process's throw-away server, compared with the same archive on SQLite.
@Suite(.serialized) struct PostgresCLITests {
    /// The filled archive's calls copied into a new PostgreSQL database; its URL.
    static func copyOfFilledArchive() async throws -> String {
        let archive = try await FilledArchive.shared.path()
        let url = try PostgresServer.shared.get().newDatabase()
        let rows = try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").records(CatalogQuery())
        try await PostgresCatalog.open(url: url).save(rows)
        return url
    }

    /// Every example of docs/query.md, and every export and stats format, prints byte for byte
    /// the same on both backends.
    @Test func everyQueryExamplePrintsTheSameOnBothBackends() async throws {
        let archive = try await FilledArchive.shared.path()
        let url = try await Self.copyOfFilledArchive()
        let scratch = try temporaryDirectory()
        var commands = try DocExamples.examples(in: "docs/query.md").map(\.command)
        commands += ["csv", "jsonl"].map { "callarchive export --format \($0)" }
        commands += ["table", "csv", "json", "jsonl"].map { "callarchive search --format \($0) --fields order_id,call_index,store_name,verdict,audio_seconds" }
        for grouping in StatsGrouping.allCases {
            commands += ["table", "csv", "json"].map { "callarchive stats --by \(grouping.rawValue) --format \($0)" }
        }
        var answered = 0
        for command in commands {
            let sqlite = try await DocExamples.run(command, environment: ["CALLARCHIVE_ARCHIVE": archive], in: scratch)
            let postgres = try await DocExamples.run(command, environment: ["CALLARCHIVE_ARCHIVE": archive, "CALLARCHIVE_CATALOG": url], in: scratch)
            #expect(postgres.status == sqlite.status, "\(command): \(postgres.stderr)")
            let lines = (postgres.stdout.split(separator: "\n"), sqlite.stdout.split(separator: "\n"))
            let first = zip(lines.0, lines.1).first { $0 != $1 }
            if command.contains("stats"), command.contains("--format") {
                // Sums of reals are added in each database's own row order: the third decimal
                // of a sum that sits on a rounding edge may differ (docs/scale-out.md, "Limits").
                #expect(lines.0.count == lines.1.count && zip(lines.0, lines.1).allSatisfy(Self.sameFigures), "\(command): \(first.map { "\($0) vs \($1)" } ?? "")")
            } else {
                #expect(postgres.stdout == sqlite.stdout, "\(command): first difference \(first.map { "\($0) vs \($1)" } ?? "in length")")
            }
            if sqlite.status == 0, !sqlite.stdout.isEmpty { answered += 1 }
        }
        #expect(answered > commands.count * 3 / 4)
    }

    /// Two lines of stats output are the same but for the last decimal of a sum of reals.
    static func sameFigures(_ a: Substring, _ b: Substring) -> Bool {
        let separators: Set<Character> = [",", ":", "{", "}", "[", "]"]
        let (left, right) = (a.split(whereSeparator: separators.contains), b.split(whereSeparator: separators.contains))
        return left.count == right.count && zip(left, right).allSatisfy { x, y in
            x == y || (x.contains(".") && y.contains(".") && abs((Double(x) ?? .nan) - (Double(y) ?? .nan)) <= 0.0011)
        }
    }

    /// fetch, search, export, stats, verify, refetch and import on a PostgreSQL catalog: no
    /// catalog.sqlite and no lock file in the archive, and the same calls and verdicts as a
    /// fetch into SQLite.
    @Test func everyCommandWorksAndNoCatalogFileIsWritten() async throws {
        let ids = CallGenerator.sampleOrderIDs(count: 12)
        let url = try PostgresServer.shared.get().newDatabase()
        let onPostgres = try temporaryDirectory(), onSQLite = try temporaryDirectory()
        let rules = [ids[2]: FaultRule(kind: .truncated), ids[5]: FaultRule(kind: .noRecording)]
        let simulator = Simulator(options: SimulatorOptions(rules: rules))
        try await simulator.withRunning { api in
            for (archive, catalog) in [(onPostgres, ["--catalog", url]), (onSQLite, [])] {
                let fetched = try await CLI.run(["fetch", "--archive", archive, "--api-url", api, "--retries", "0"] + catalog + ids)
                #expect(fetched.status == 1, "\(fetched.stderr)")
                let refetched = try await CLI.run(["refetch", "--archive", archive, "--api-url", api, "--retries", "0"] + catalog)
                #expect(refetched.status == 1, "\(refetched.stderr)")
            }
        }
        let files = try FileManager.default.contentsOfDirectory(atPath: onPostgres)
        #expect(!files.contains("catalog.sqlite") && !files.contains(".callarchive-locks") && files.contains { $0.hasSuffix(".mp3") })
        let columns = "order_id,call_index,store_name,agent_name,call_status,file_path,file_size,sha256,verdict,audio_seconds,frames"
        for arguments in [["export", "--columns", columns], ["stats", "--by", "verdict"], ["search", "-verdict:valid", "--fields", "order_id,verdict"]] {
            let postgres = try await CLI.run(arguments + ["--archive", onPostgres], environment: ["CALLARCHIVE_CATALOG": url])
            let sqlite = try await CLI.run(arguments + ["--archive", onSQLite])
            #expect(postgres.status == 0 && postgres.stdout == sqlite.stdout, "\(arguments): \(postgres.stderr)")
        }
        for command in [["verify"], ["import", "--offline"]] {
            let postgres = try await CLI.run(command + ["--archive", onPostgres, "--catalog", url] + (command.count > 1 ? [onPostgres] : []))
            let sqlite = try await CLI.run(command + ["--archive", onSQLite] + (command.count > 1 ? [onSQLite] : []))
            #expect(postgres.status == sqlite.status && postgres.status != 3, "\(command): \(postgres.stderr)")
        }
        let afterwards = try await CLI.run(["export", "--columns", columns, "--archive", onPostgres, "--catalog", url])
        #expect(afterwards.stdout == (try await CLI.run(["export", "--columns", columns, "--archive", onSQLite])).stdout)
        #expect(!FileManager.default.fileExists(atPath: onPostgres + "/catalog.sqlite"))
    }

    /// A server that is not there: exit 3 at once, naming host and port, never the password.
    @Test func refusedConnectionIsExit3NamingHostAndPort() async throws {
        let server = try PostgresServer.shared.get()
        let port = try PostgresServer.freePort()
        let url = "postgresql://ana:\(server.password)@127.0.0.1:\(port)/calls"
        for command in [["search"], ["stats"], ["fetch", "E8ZQCJ"], ["export"]] {
            let started = Date()
            let result = try await CLI.run(command + ["--archive", try temporaryDirectory(), "--catalog", url])
            #expect(result.status == 3, "\(command): \(result.stderr)")
            #expect(result.stderr.contains("127.0.0.1:\(port)"), "\(result.stderr)")
            #expect(!result.stderr.contains(server.password) && !result.stdout.contains(server.password))
            #expect(Date().timeIntervalSince(started) < 15)
        }
        let wrong = try await CLI.run(["search", "--catalog", url.replacingOccurrences(of: ":\(port)", with: ":\(server.port)").replacingOccurrences(of: "ana:", with: "postgres:x")])
        #expect(wrong.status == 3 && wrong.stderr.contains("password authentication failed") && !wrong.stderr.contains(server.password), "\(wrong.stderr)")
    }

    /// Two fetch processes over the same ids on one PostgreSQL catalog take turns through its
    /// claims: each recording is requested once, counted at the simulator.
    @Test func twoFetchesOnOnePostgresCatalogRequestEachRecordingOnce() async throws {
        let archive = try temporaryDirectory()
        let url = try PostgresServer.shared.get().newDatabase()
        let ids = CallGenerator.sampleOrderIDs(count: 30)
        let simulator = Simulator()
        let results = try await simulator.withRunning { api in
            let arguments = ["fetch", "--archive", archive, "--catalog", url, "--api-url", api, "--jobs", "4", "--input", "-"]
            async let a = CLI.run(arguments, stdin: ids.joined(separator: "\n"))
            async let b = CLI.run(arguments, stdin: ids.reversed().joined(separator: "\n"))
            return try await [a, b]
        }
        for result in results { #expect(result.status == 0, "\(result.stderr)") }
        var perRecording: [String: Int] = [:]
        for request in simulator.requests where request.path.hasPrefix("/recordings/") { perRecording[request.path, default: 0] += 1 }
        let expected = try ids.reduce(0) { $0 + CallGenerator.calls(for: try OrderID($1)).count }
        #expect(perRecording.count == expected)
        #expect(perRecording.filter { $0.value > 1 }.isEmpty, "downloaded more than once: \(perRecording.filter { $0.value > 1 })")
        #expect(!FileManager.default.fileExists(atPath: archive + "/.callarchive-locks"))
        #expect(!FileManager.default.fileExists(atPath: archive + "/catalog.sqlite"))
    }
}
