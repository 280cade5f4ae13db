import Catalog
import Foundation
import Model
import PostgresCatalog
import Testing
import TestSupport

/// `callarchive catalog copy` and `catalog info` between SQLite files and PostgreSQL databases
/// of the test server, with the real binary.
@Suite(.serialized) struct CatalogCopyTests {
    /// A private copy of the filled archive's catalog (made by `catalog copy` itself, SQLite to SQLite).
    static func privateSQLiteCopy() async throws -> String {
        let source = try await FilledArchive.shared.path() + "/catalog.sqlite"
        let copy = try temporaryDirectory() + "/source.sqlite"
        let result = try await CLI.run(["catalog", "copy", source, copy])
        #expect(result.status == 0, "\(result.stderr)")
        return copy
    }

    /// Every row, and every attempt of every order, of an SQLite file or a PostgreSQL URL.
    static func contents(_ catalog: String) async throws -> (calls: [[FieldValue]], attempts: [DownloadAttempt]) {
        let opened: any Catalog = PostgresAddress.isURL(catalog)
            ? try await PostgresCatalog.open(url: catalog) : try SQLiteCatalog.openForReading(at: catalog)
        let calls = try await opened.records(CatalogQuery()).sorted { ($0.orderID, $0.callIndex) < ($1.orderID, $1.callIndex) }
        var attempts: [DownloadAttempt] = []
        for order in Set(calls.map(\.orderID)).sorted() { attempts += try await opened.attempts(order: order) }
        return (calls.map(\.columnValues), attempts)
    }

    static func count(_ url: String) async throws -> Int {
        try await PostgresCatalog.open(url: url).count()
    }

    /// SQLite → PostgreSQL → SQLite: every column of every call and every attempt arrives, both
    /// copies verify, and `export` prints the same bytes from all three. A second run copies nothing.
    @Test func copiesBothWaysAndVerifies() async throws {
        let archive = try await FilledArchive.shared.path()
        let source = archive + "/catalog.sqlite"
        let url = try PostgresServer.shared.get().newDatabase()
        let back = try temporaryDirectory() + "/back.sqlite"
        let original = try await Self.contents(source)
        #expect(original.calls.count > 30 && original.attempts.count > 30)
        for (from, to) in [(source, url), (url, back)] {
            let copied = try await CLI.run(["catalog", "copy", from, to, "--batch-size", "12"])
            #expect(copied.status == 0, "\(copied.stderr)")
            #expect(copied.stdout.contains("copied \(original.calls.count) calls and \(original.attempts.count) attempts"), "\(copied.stdout)")
            #expect(copied.stdout.contains("verified: both hold \(original.calls.count) calls and \(original.attempts.count) attempts, SHA-256 "))
            let password = try PostgresServer.shared.get().password
            #expect(!copied.stdout.contains(password) && !copied.stderr.contains(password))
        }
        for copy in [url, back] {
            let found = try await Self.contents(copy)
            #expect(found.calls == original.calls)
            #expect(found.attempts == original.attempts)
            let export = try await CLI.run(["export", "--archive", archive, "--catalog", copy])
            let fromSource = try await CLI.run(["export", "--archive", archive])
            #expect(export.status == 0 && export.stdout == fromSource.stdout)
        }
        let again = try await CLI.run(["catalog", "copy", source, url])
        #expect(again.status == 0 && again.stdout.contains("copied 0 calls and 0 attempts"), "\(again.stdout)\(again.stderr)")
        #expect(again.stderr.contains("resuming"))
    }

    /// A copy killed (SIGKILL) after its first batch leaves whole batches; the rerun copies the
    /// rest, not one row twice, and verifies.
    @Test func interruptedCopyResumesWhereItStopped() async throws {
        let source = try await FilledArchive.shared.path() + "/catalog.sqlite"
        let url = try PostgresServer.shared.get().newDatabase()
        let original = try await Self.contents(source)
        let process = try launch(["catalog", "copy", source, url, "--batch-size", "10"], environment: ["CALLARCHIVE_TEST_PAUSE": "copy"])
        try await waitUntil { (try? await Self.count(url)) ?? 0 > 0 }
        kill(process.processIdentifier, SIGKILL)
        await CLI.waitForExit(process)
        let there = try await Self.count(url)
        #expect(there >= 10 && there < original.calls.count, "\(there) of \(original.calls.count) before the kill")
        let resumed = try await CLI.run(["catalog", "copy", source, url, "--batch-size", "10"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("resuming: "), "\(resumed.stderr)")
        #expect(resumed.stdout.contains("copied \(original.calls.count - there) calls"), "\(resumed.stdout)")
        let found = try await Self.contents(url)
        #expect(found.calls == original.calls && found.attempts == original.attempts)
    }

    /// A source changed under a running copy: the final verification finds the difference
    /// (exit 3, both sides' figures); a rerun refuses the target, which no longer matches the
    /// source's first orders, and writes nothing.
    @Test func checksumMismatchIsDetected() async throws {
        let source = try await Self.privateSQLiteCopy()
        let url = try PostgresServer.shared.get().newDatabase()
        let total = try await Self.contents(source).calls.count
        let arguments = ["catalog", "copy", source, url, "--batch-size", String(total / 2 + 1)]
        let (process, stderrPath) = try launchRecordingStderr(arguments, environment: ["CALLARCHIVE_TEST_PAUSE": "copy"])
        try await waitUntil { (try? await Self.count(url)) ?? 0 > 0 }
        // Change a call the first batch copied.
        let catalog = try SQLiteCatalog.open(at: source)
        var first = try #require(try await catalog.records(CatalogQuery()).min { ($0.orderID, $0.callIndex) < ($1.orderID, $1.callIndex) })
        first.agentName = "Changed Meanwhile"
        try await catalog.save(first)
        await CLI.waitForExit(process)
        let stderr = try String(contentsOfFile: stderrPath, encoding: .utf8)
        #expect(process.terminationStatus == 3, "\(stderr)")
        #expect(stderr.contains("verification failed: \(source) has \(total) calls"), "\(stderr)")
        let before = try await Self.count(url)
        let rerun = try await CLI.run(["catalog", "copy", source, url])
        #expect(rerun.status == 3 && rerun.stderr.contains("are not an earlier copy"), "\(rerun.stderr)")
        #expect(try await Self.count(url) == before)
    }

    /// A target holding other rows is refused before anything is written; so is a missing
    /// source, and a copy onto itself is a usage error.
    @Test func foreignTargetAndMissingSourceAreRefused() async throws {
        let source = try await FilledArchive.shared.path() + "/catalog.sqlite"
        let url = try PostgresServer.shared.get().newDatabase()
        let other = try await PostgresCatalog.open(url: url)
        var record = try #require(try await SQLiteCatalog.openForReading(at: source).records(CatalogQuery(words: [], limit: 1)).first)
        record.orderID = "ZZZOTHER"
        try await other.save(record)
        let refused = try await CLI.run(["catalog", "copy", source, url])
        #expect(refused.status == 3 && refused.stderr.contains("holds 1 calls and 0 attempts"), "\(refused.stderr)")
        #expect(try await other.count() == 1)
        let missing = try await CLI.run(["catalog", "copy", try temporaryDirectory() + "/none.sqlite", url])
        #expect(missing.status == 3 && missing.stderr.contains("there is no catalog at"), "\(missing.stderr)")
        let itself = try await CLI.run(["catalog", "copy", source, source])
        #expect(itself.status == 64, "\(itself.stderr)")
    }

    /// `catalog info` on both backends: backend, latest migration, counts that agree with
    /// `stats`, a size, and never the password.
    @Test func infoDescribesBothBackends() async throws {
        let archive = try await FilledArchive.shared.path()
        let url = try PostgresServer.shared.get().newDatabase()
        #expect(try await CLI.run(["catalog", "copy", archive, url]).status == 0)
        let stats = try await SQLiteCatalog.openForReading(at: archive + "/catalog.sqlite").stats(CatalogQuery(), by: .verdict)
        let verdicts = stats.filter { $0.group != "TOTAL" }.sorted {
            Verdict.allCases.firstIndex(of: Verdict(rawValue: $0.group)!)! < Verdict.allCases.firstIndex(of: Verdict(rawValue: $1.group)!)!
        }
        for (catalog, backend, migrations) in [(archive + "/catalog.sqlite", "sqlite", "sqlite"), (url, "postgresql", "postgres")] {
            let info = try await CLI.run(["catalog", "info", "--archive", archive, "--catalog", catalog])
            #expect(info.status == 0, "\(info.stderr)")
            let lines = Dictionary(info.stdout.split(separator: "\n").map { line in
                let parts = line.split(separator: ":", maxSplits: 1)
                return (String(parts[0]), parts[1].trimmingCharacters(in: .whitespaces))
            }, uniquingKeysWith: { $1 })
            #expect(lines["backend"] == backend)
            #expect(lines["schema version"] == (try shippedMigrations(migrations)).last)
            #expect(lines["calls"] == String(stats.last!.calls))
            #expect(lines["verdicts"] == verdicts.map { "\($0.group) \($0.calls)" }.joined(separator: ", "))
            #expect(Int(lines["attempts"] ?? "") ?? 0 > 0)
            #expect(lines["size"]?.hasSuffix(" bytes)") == true && lines["size"]?.hasPrefix("0.00 MB (0 ") == false)
            #expect(!info.stdout.contains(try PostgresServer.shared.get().password))
        }
    }
}
