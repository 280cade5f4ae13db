import Catalog
import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// One archive filled through the simulator (with faults and odd names), shared by the query tests.
actor FilledArchive {
    static let shared = FilledArchive()
    private var directory: String?

    static let ids = CallGenerator.sampleOrderIDs(count: 40)
    static let rules: [String: FaultRule] = [
        ids[3]: FaultRule(kind: .notFound), ids[7]: FaultRule(kind: .html), ids[11]: FaultRule(kind: .truncated),
        ids[15]: FaultRule(kind: .noRecording), ids[19]: FaultRule(kind: .oddNames), ids[23]: FaultRule(kind: .reset),
    ]

    func path() async throws -> String {
        if let directory { return directory }
        let archive = try temporaryDirectory()
        let simulator = Simulator(options: SimulatorOptions(rules: Self.rules))
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--retries", "1", "--retry-base-delay", "0.01"] + Self.ids)
        }
        #expect(result.status == 1, "\(result.stderr)")
        directory = archive
        return archive
    }
}

@Suite(.serialized) struct QueryDocTests {
    /// Every example of docs/query.md, run through `/bin/sh` as a user would type it.
    @Test func everyDocumentedExampleRuns() async throws {
        let archive = try await FilledArchive.shared.path()
        let examples = try DocExamples.examples(in: "docs/query.md")
        #expect(examples.count >= 40)
        let scratch = try temporaryDirectory()
        for example in examples {
            let result = try await DocExamples.run(example.command, environment: ["CALLARCHIVE_ARCHIVE": archive], in: scratch)
            #expect(result.status == example.status ?? 0, "\(example): \(result.stderr)")
            if example.status != nil { #expect(!result.stderr.isEmpty, "\(example)") }
        }
    }

    func search(_ words: [String], archive: String) async throws -> [[String: Any]] {
        let result = try await CLI.run(["search", "--archive", archive, "--format", "jsonl"] + words)
        #expect(result.status == 0, "\(words): \(result.stderr)")
        return try result.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
    }

    @Test func formsSelectWhatTheySay() async throws {
        let archive = try await FilledArchive.shared.path()
        let all = try await search([], archive: archive)
        #expect(all.count >= 40)
        func column(_ rows: [[String: Any]], _ name: String) -> [String] { rows.map { ($0[name] as? String) ?? "" } }

        let jets = try await search(["store:JET"], archive: archive)
        #expect(!jets.isEmpty && column(jets, "store_name").allSatisfy { $0.lowercased().contains("jet") })
        #expect(jets.count == column(all, "store_name").filter { $0.lowercased().contains("jet") }.count)

        let notValid = try await search(["-verdict:valid"], archive: archive)
        #expect(Set(column(notValid, "verdict")).isDisjoint(with: ["valid"]))
        #expect(notValid.count + (try await search(["verdict:=valid"], archive: archive)).count == all.count)
        #expect(Set(column(notValid, "verdict")).isSuperset(of: ["failed", "not_audio", "truncated", "no_recording"]))

        let either = try await search(["verdict:=truncated,not_audio"], archive: archive)
        #expect(Set(column(either, "verdict")) == ["truncated", "not_audio"])

        let long = try await search(["duration:>300"], archive: archive)
        #expect(!long.isEmpty && long.allSatisfy { ($0["audio_seconds"] as? Double ?? 0) > 300 })
        let ranged = try await search(["length:120..240"], archive: archive)
        #expect(!ranged.isEmpty && ranged.allSatisfy { (120...240).contains($0["call_seconds"] as? Double ?? -1) })
        let big = try await search(["size:>1M"], archive: archive)
        #expect(!big.isEmpty && big.allSatisfy { ($0["file_size"] as? Int ?? 0) > 1_048_576 })

        let months = column(all, "call_in_time").filter { $0.hasPrefix("2025-02") }.count
        #expect(try await search(["date:2025-02"], archive: archive).count == months)
        let firstHalf = column(all, "call_in_time").filter { !$0.isEmpty && $0 < "2025-07" }.count
        #expect(try await search(["date:..2025-06"], archive: archive).count == firstHalf)

        let someAgent = try #require(column(all, "agent_name").first { !$0.isEmpty && !$0.hasPrefix("=") })
        let firstName = String(someAgent.split(separator: " ")[0])
        let bare = try await search([firstName.lowercased()], archive: archive)
        #expect(!bare.isEmpty && bare.allSatisfy { row in
            ["store_name", "agent_name", "order_id", "call_status"].contains { (row[$0] as? String ?? "").lowercased().contains(firstName.lowercased()) }
        })

        let sorted = try await search(["verdict:=valid", "--sort", "-audio_seconds", "--limit", "5"], archive: archive)
        let durations = sorted.map { $0["audio_seconds"] as? Double ?? 0 }
        #expect(durations.count == 5 && durations == durations.sorted(by: >))
    }

    @Test func everyStatsGroupingAddsUpToTheTotals() async throws {
        let archive = try await FilledArchive.shared.path()
        let total = try await search([], archive: archive).count
        for grouping in ["store", "agent", "status", "verdict", "day", "month"] {
            let result = try await CLI.run(["stats", "--archive", archive, "--by", grouping, "--format", "json"])
            #expect(result.status == 0)
            let rows = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
            let totals = try #require(rows.last)
            #expect(totals["group"] as? String == "TOTAL")
            #expect(totals["calls"] as? Int == total)
            #expect(rows.dropLast().reduce(0) { $0 + ($1["calls"] as? Int ?? 0) } == total, "\(grouping)")
        }
        for format in ["table", "csv"] {
            let result = try await CLI.run(["stats", "--archive", archive, "--by", "verdict", "--format", format])
            #expect(result.status == 0 && result.stdout.contains("TOTAL"))
        }
    }

    @Test func csvQuotesOddNamesAndGuardsFormulas() async throws {
        let archive = try await FilledArchive.shared.path()
        let odd = FilledArchive.ids[19]
        let guarded = try await CLI.run(["export", "--archive", archive, "order:=\(odd)", "--columns", "order_id,store_name,agent_name"])
        #expect(guarded.status == 0)
        let rows = CSV.parse(guarded.stdout)
        #expect(rows.first == ["order_id", "store_name", "agent_name"])
        #expect(rows.count >= 2)
        #expect(rows[1][1] == "MI-099 \"Big\" Tony's, Pizza & Subs\n2nd floor")
        #expect(rows[1][2] == "'=HYPERLINK(\"http://evil.example\",\"Zoë\")")
        #expect(guarded.stdout.hasSuffix("\r\n"))
        let raw = try await CLI.run(["export", "--archive", archive, "order:=\(odd)", "--columns", "agent_name", "--raw"])
        #expect(CSV.parse(raw.stdout)[1][0] == "=HYPERLINK(\"http://evil.example\",\"Zoë\")")
        // Non-ASCII names pass through as UTF-8.
        let all = try await CLI.run(["export", "--archive", archive, "--columns", "agent_name"])
        #expect(all.stdout.unicodeScalars.contains { $0.value > 127 })
    }

    @Test func exportToAFileIsAtomicAndMatchesStdout() async throws {
        let archive = try await FilledArchive.shared.path()
        let file = try temporaryDirectory() + "/report.csv"
        let written = try await CLI.run(["export", "--archive", archive, "--output", file])
        #expect(written.status == 0 && written.stdout.isEmpty)
        let stdout = try await CLI.run(["export", "--archive", archive])
        #expect(try String(contentsOfFile: file, encoding: .utf8) == stdout.stdout)
        let leftovers = try FileManager.default.contentsOfDirectory(atPath: (file as NSString).deletingLastPathComponent)
        #expect(leftovers == ["report.csv"])
    }
}

/// An RFC 4180 reader, to check what a spreadsheet would see.
enum CSV {
    static func parse(_ text: String) -> [[String]] {
        var rows: [[String]] = [], row: [String] = [], field = "", quoted = false
        var characters = Array(text)[...]
        while let character = characters.popFirst() {
            if quoted {
                if character == "\"" {
                    if characters.first == "\"" { field.append("\""); characters.removeFirst() } else { quoted = false }
                } else {
                    field.append(character)
                }
            } else if character == "\"" {
                quoted = true
            } else if character == "," {
                row.append(field); field = ""
            } else if character == "\r\n" || character == "\n" {
                row.append(field); rows.append(row); row = []; field = ""
            } else {
                field.append(character)
            }
        }
        if !field.isEmpty || !row.isEmpty { row.append(field); rows.append(row) }
        return rows
    }
}
