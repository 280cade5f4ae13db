import Foundation
import Testing
import TestSupport

/// The audio metrics through the command line: imported files get them, the query fields
/// select by them, stats and export show them, and rows catalogued before them get them on the
/// next `verify` (docs/query.md, "Audio metrics").
@Suite struct AudioMetricsCLITests {
    static func jsonLines(_ text: String) throws -> [[String: Any]] {
        try text.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    /// An archive of three files made by sox and lame: 15 s of dead air between two tones, a
    /// clipped tone, a quiet tone.
    static func madeArchive() async throws -> String {
        let source = try temporaryDirectory()
        let made = [
            "DEADAIR1": try AudioTools.mp3(["sine 440 2 0.5", "silence 15", "sine 440 2 0.5"], rate: 8000, channels: 1, kbps: 32),
            "CLIPPED1": try AudioTools.mp3(["clipped 1000 3 20"], rate: 44100, channels: 2, kbps: 128),
            "QUIET1": try AudioTools.mp3(["sine 440 3 0.05"], rate: 8000, channels: 1, kbps: 32),
        ]
        for (name, path) in made { try FileManager.default.copyItem(atPath: path, toPath: source + "/\(name).mp3") }
        let archive = try temporaryDirectory()
        let result = try await CLI.run(["import", "--offline", "--archive", archive, source])
        #expect(result.status == 0, "\(result.stderr)")
        return archive
    }

    func orders(_ words: [String], archive: String) async throws -> [String] {
        let result = try await CLI.run(["search", "--archive", archive, "--format", "jsonl"] + words)
        #expect(result.status == 0, "\(words): \(result.stderr)")
        #expect(!result.stderr.contains("no metrics yet"), "\(result.stderr)")
        return try Self.jsonLines(result.stdout).compactMap { $0["order_id"] as? String }.sorted()
    }

    @Test func fieldsSelectByTheMetricsAndReportsShowThem() async throws {
        let archive = try await Self.madeArchive()
        #expect(try await orders(["dead_air:>=10"], archive: archive) == ["DEADAIR1"])
        #expect(try await orders(["longest_silence:14..16"], archive: archive) == ["DEADAIR1"])
        #expect(try await orders(["silence:>0"], archive: archive) == ["DEADAIR1"])
        #expect(try await orders(["leading_silence:0"], archive: archive) == ["CLIPPED1", "DEADAIR1", "QUIET1"])
        #expect(try await orders(["clipped:>0"], archive: archive) == ["CLIPPED1"])
        #expect(try await orders(["peak:>0"], archive: archive) == ["CLIPPED1"])
        #expect(try await orders(["peak:<-20"], archive: archive) == ["QUIET1"])
        #expect(try await orders(["loudness:..-20"], archive: archive) == ["QUIET1"])
        #expect(try await orders(["-dead_air:>=10", "--sort", "-loudness"], archive: archive).count == 2)

        let stats = try await CLI.run(["stats", "--archive", archive, "--format", "json"])
        #expect(stats.status == 0, "\(stats.stderr)")
        let totals = try #require((try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [[String: Any]])?.last)
        #expect(totals["dead_air_calls"] as? Int == 1 && totals["clipped_calls"] as? Int == 1, "\(totals)")
        #expect(abs((totals["mean_dead_air_seconds"] as? Double ?? 0) - 5) < 0.1, "\(totals)")
        let table = try await CLI.run(["stats", "--archive", archive, "--wide"])
        #expect(table.stdout.contains("DEAD AIR S") && table.stdout.contains("CLIPPED"), "\(table.stdout)")

        let export = try await CLI.run(["export", "--archive", archive, "order:=DEADAIR1"])
        let lines = export.stdout.split(separator: "\r\n")
        #expect(lines[0].contains(
            "verified_at,silence_seconds,longest_silence_seconds,leading_silence_seconds,peak_dbfs,clipped_samples,loudness_lufs"
        ))
        let header = lines[0].split(separator: ",").map(String.init)
        let cells = lines[1].split(separator: ",", omittingEmptySubsequences: false).map(String.init)
        #expect(cells.count == header.count)
        let row = Dictionary(uniqueKeysWithValues: zip(header, cells))
        #expect(abs((Double(row["longest_silence_seconds"] ?? "") ?? 0) - 15) <= 0.1, "\(lines[1])")
        #expect(row["clipped_samples"] == "0", "\(lines[1])")
    }

    /// A catalog from before the metrics (its columns dropped, its migration forgotten) is
    /// migrated on open; its rows lack metrics, the query says so, and `verify` fills them.
    @Test func rowsCataloguedBeforeTheMetricsGetThemOnTheNextVerify() async throws {
        let archive = try await fetchedArchive(["OLDROW1", "OLDROW2"])
        let columns = ["silence_seconds", "longest_silence_seconds", "leading_silence_seconds", "peak_dbfs", "clipped_samples", "loudness_lufs"]
        let sql = columns.map { "ALTER TABLE calls DROP COLUMN \($0);" }.joined()
            + "DELETE FROM grdb_migrations WHERE identifier = '0005_audio_metrics';"
        let downgrade = try await CLI.run([archive + "/catalog.sqlite", sql], executable: "/usr/bin/sqlite3")
        #expect(downgrade.status == 0, "\(downgrade.stderr)")

        let before = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", "dead_air:>=0"])
        #expect(before.status == 0 && before.stdout.isEmpty, "\(before.stdout)")
        #expect(before.stderr.contains("2 calls have no metrics yet; run verify"), "\(before.stderr)")
        let plain = try await CLI.run(["search", "--archive", archive, "--format", "jsonl"])
        #expect(!plain.stderr.contains("no metrics"), "a query without a metric says nothing")

        let verify = try await CLI.run(["verify", "--archive", archive])
        #expect(verify.status == 0, "\(verify.stderr)")
        let after = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", "dead_air:>=0"])
        #expect(!after.stderr.contains("no metrics"), "\(after.stderr)")
        let rows = try Self.jsonLines(after.stdout)
        #expect(rows.count == 2)
        for row in rows {
            #expect(row["silence_seconds"] is Double && row["loudness_lufs"] is Double && row["clipped_samples"] is Int, "\(row)")
        }
    }

    /// `verify` measures only calls without metrics: an unchanged file keeps the figures it has
    /// (here made up, to tell them apart), a call never measured gets them, and `--remeasure`
    /// measures every file again (docs/verification.md, "Audio metrics").
    @Test func verifyMeasuresOnlyCallsWithoutMetricsUnlessAskedToRemeasure() async throws {
        let archive = try await Self.madeArchive()
        let sql = "UPDATE calls SET loudness_lufs = 99, longest_silence_seconds = 0 WHERE order_id = 'DEADAIR1';"
            + "UPDATE calls SET silence_seconds = NULL, longest_silence_seconds = NULL, leading_silence_seconds = NULL,"
            + " peak_dbfs = NULL, clipped_samples = NULL, loudness_lufs = NULL WHERE order_id = 'QUIET1';"
        let edit = try await CLI.run([archive + "/catalog.sqlite", sql], executable: "/usr/bin/sqlite3")
        #expect(edit.status == 0, "\(edit.stderr)")
        func row(_ order: String) async throws -> [String: Any] {
            let result = try await CLI.run(["search", "--archive", archive, "--format", "jsonl", "order:=\(order)"])
            return try #require(try Self.jsonLines(result.stdout).first)
        }

        let verify = try await CLI.run(["verify", "--archive", archive])
        #expect(verify.status == 0, "\(verify.stderr)")
        let kept = try await row("DEADAIR1")
        #expect(kept["loudness_lufs"] as? Double == 99 && kept["longest_silence_seconds"] as? Double == 0, "\(kept)")
        let clipped = try await row("CLIPPED1")
        #expect((clipped["clipped_samples"] as? Int ?? 0) > 0, "an unchanged file keeps its metrics: \(clipped)")
        let measured = try await row("QUIET1")
        #expect(measured["silence_seconds"] is Double && (measured["loudness_lufs"] as? Double ?? 0) < -20, "\(measured)")

        let again = try await CLI.run(["verify", "--archive", archive, "--remeasure"])
        #expect(again.status == 0, "\(again.stderr)")
        let remeasured = try await row("DEADAIR1")
        #expect((remeasured["loudness_lufs"] as? Double ?? 99) < 0, "\(remeasured)")
        #expect(abs((remeasured["longest_silence_seconds"] as? Double ?? 0) - 15) <= 0.1, "\(remeasured)")
    }
}
