import Foundation
import Model
import Simulator
import Testing
import TestSupport

/// Where `export --output` writes: files atomically, links through to their target, FIFOs and
/// devices written through; and the BOM for Excel.
@Suite struct ExportOutputTests {
    /// A character device like the system's, made in a scratch folder so a broken build can only
    /// ever replace this copy, never the machine's own `/dev/null` or `/dev/full`.
    func device(_ name: String) throws -> String {
        let directory = try temporaryDirectory()
        let path = directory + "/" + name
        var system = stat()
        if stat("/dev/" + name, &system) == 0, mknod(path, S_IFCHR | 0o666, system.st_rdev) == 0 { return path }
        return "/dev/" + name  // not root: the system's device, which this user cannot replace anyway
    }

    func fileType(_ path: String) -> mode_t {
        var info = stat()
        return lstat(path, &info) == 0 ? info.st_mode & S_IFMT : 0
    }

    @Test func aFIFOIsWrittenThroughToItsReader() async throws {
        let archive = try await FilledArchive.shared.path()
        let fifo = try temporaryDirectory() + "/report.pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let reader = Process()
        reader.executableURL = URL(fileURLWithPath: "/bin/cat")
        reader.arguments = [fifo]
        let pipe = Pipe()
        reader.standardOutput = pipe
        try reader.run()
        async let received = readToEnd(pipe)
        let result = try await CLI.run(["export", "--archive", archive, "--output", fifo])
        // Bounded: a reader still waiting after 10 s never got a writer.
        for _ in 0..<200 where reader.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        let stillWaiting = reader.isRunning
        if stillWaiting { kill(reader.processIdentifier, SIGKILL) }  // a child may inherit a blocked SIGTERM
        #expect(!stillWaiting, "the reader of the FIFO got no writer")
        #expect(result.status == 0, "\(result.stderr)")
        let expected = try await CLI.run(["export", "--archive", archive])
        let got = await received
        #expect(got == expected.stdout)
        #expect(fileType(fifo) == S_IFIFO)
        Reliability.report("export --output FIFO", [
            "bytes the reader got": got.utf8.count, "bytes expected": expected.stdout.utf8.count, "still a FIFO": fileType(fifo) == S_IFIFO ? 1 : 0,
        ])
    }

    @Test func aCharacterDeviceStaysADevice() async throws {
        let archive = try await FilledArchive.shared.path()
        let null = try device("null")
        let result = try await CLI.run(["export", "--archive", archive, "--output", null])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(fileType(null) == S_IFCHR)
        let folder = (null as NSString).deletingLastPathComponent
        if folder != "/dev" { #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["null"]) }
    }

    @Test func aFullDeviceFailsNamingThePathAndLeavesNoTemporaryFile() async throws {
        let archive = try await FilledArchive.shared.path()
        let full = try device("full")
        let result = try await CLI.run(["export", "--archive", archive, "--output", full])
        #expect(result.status == 1)
        #expect(result.stderr.contains("cannot write \(full)") && result.stderr.contains("No space left"), "\(result.stderr)")
        #expect(fileType(full) == S_IFCHR)
        Reliability.report("export --output to a full device", ["exit code": Int(result.status), "still a device": fileType(full) == S_IFCHR ? 1 : 0])
        let folder = (full as NSString).deletingLastPathComponent
        if folder != "/dev" { #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["full"]) }
    }

    @Test func aSymbolicLinkStaysALinkAndItsTargetGetsTheReport() async throws {
        let archive = try await FilledArchive.shared.path()
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/reports", withIntermediateDirectories: false)
        try FileManager.default.createDirectory(atPath: root + "/links", withIntermediateDirectories: false)
        try "old report".write(toFile: root + "/reports/latest.csv", atomically: false, encoding: .utf8)
        #expect(symlink("../reports/latest.csv", root + "/links/latest.csv") == 0)
        #expect(symlink("../reports/new.csv", root + "/links/dangling.csv") == 0)
        let expected = try await CLI.run(["export", "--archive", archive])

        for link in ["latest.csv", "dangling.csv"] {
            let result = try await CLI.run(["export", "--archive", archive, "--output", root + "/links/" + link])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(fileType(root + "/links/" + link) == S_IFLNK)
        }
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: root + "/links/latest.csv") == "../reports/latest.csv")
        #expect(try String(contentsOfFile: root + "/reports/latest.csv", encoding: .utf8) == expected.stdout)
        #expect(try String(contentsOfFile: root + "/reports/new.csv", encoding: .utf8) == expected.stdout)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/reports").sorted() == ["latest.csv", "new.csv"])
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/links").sorted() == ["dangling.csv", "latest.csv"])
        let links = ["latest.csv", "dangling.csv"].filter { fileType(root + "/links/" + $0) == S_IFLNK }.count
        Reliability.report("export --output through symbolic links", ["links kept": links, "targets written": try FileManager.default.contentsOfDirectory(atPath: root + "/reports").count])
    }

    @Test func aDirectoryIsRefusedAndAFailedWriteLeavesTheOldFile() async throws {
        let archive = try await FilledArchive.shared.path()
        let root = try temporaryDirectory()
        try FileManager.default.createDirectory(atPath: root + "/out", withIntermediateDirectories: false)
        let directory = try await CLI.run(["export", "--archive", archive, "--output", root + "/out"])
        #expect(directory.status == 1)
        #expect(directory.stderr.contains("cannot write \(root)/out: it is a directory"), "\(directory.stderr)")
        #expect(fileType(root + "/out") == S_IFDIR)
        #expect(try FileManager.default.contentsOfDirectory(atPath: root) == ["out"])

        // A full volume: the write fails part way, the old report stays, no temporary file is left.
        guard let volume = try await SmallVolume.mount(kilobytes: 16) else { return }  // needs root and mount
        let report = volume.path + "/report.csv"
        try "old report".write(toFile: report, atomically: false, encoding: .utf8)
        let full = try await CLI.run(["export", "--archive", archive, "--output", report])
        let left = try FileManager.default.contentsOfDirectory(atPath: volume.path)
        let kept = try String(contentsOfFile: report, encoding: .utf8)
        try await volume.unmount()
        #expect(full.status == 1)
        #expect(full.stderr.contains("cannot write \(report): No space left on device"), "\(full.stderr)")
        #expect(kept == "old report")
        #expect(left == ["report.csv"])
    }

    @Test func ctrlCDuringAnExportLeavesNoTemporaryFile() async throws {
        // A catalog big enough that the export takes a while: the project's benchmark filler.
        let archive = try temporaryDirectory()
        let filler = Process()
        filler.executableURL = URL(fileURLWithPath: CLI.binary).deletingLastPathComponent().appendingPathComponent("BenchCatalog")
        filler.arguments = [archive + "/catalog.sqlite", "40000"]
        filler.standardError = FileHandle.nullDevice
        try filler.run()
        await CLI.waitForExit(filler)
        #expect(filler.terminationStatus == 0)
        let folder = try temporaryDirectory()
        try "old report".write(toFile: folder + "/report.csv", atomically: false, encoding: .utf8)

        let process = try launch(["export", "--archive", archive, "--output", folder + "/report.csv"])
        var names: [String] = []
        for _ in 0..<1000 where names.count < 2 && process.isRunning {
            names = try FileManager.default.contentsOfDirectory(atPath: folder)
            try await Task.sleep(for: .milliseconds(5))
        }
        #expect(names.count == 2, "the export made its temporary file")
        // Stopped first, so the Ctrl-C surely lands while the report is being written.
        kill(process.processIdentifier, SIGSTOP)
        process.interrupt()
        kill(process.processIdentifier, SIGCONT)
        await CLI.waitForExit(process)
        #expect(process.terminationStatus == 130)
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["report.csv"])
        #expect(try String(contentsOfFile: folder + "/report.csv", encoding: .utf8) == "old report")
    }

    @Test func stdoutByNameIsTheStandardOutput() async throws {
        let archive = try await FilledArchive.shared.path()
        let expected = try await CLI.run(["export", "--archive", archive])
        for name in ["-", "/dev/stdout"] {
            let result = try await CLI.run(["export", "--archive", archive, "--output", name])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout == expected.stdout, "\(name)")
        }
        var info = stat()
        #expect(lstat("/dev/stdout", &info) == 0 && info.st_mode & S_IFMT == S_IFLNK)
    }

    @Test func bomOnlyWhenAsked() async throws {
        let archive = try await FilledArchive.shared.path()
        let plain = try await CLI.run(["export", "--archive", archive, "--columns", "order_id,agent_name"])
        #expect(Array(plain.stdout.utf8.prefix(8)) == Array("order_id".utf8))
        let file = try temporaryDirectory() + "/excel.csv"
        let bom = try await CLI.run(["export", "--archive", archive, "--columns", "order_id,agent_name", "--bom", "--output", file])
        #expect(bom.status == 0, "\(bom.stderr)")
        let bytes = try Data(contentsOf: URL(fileURLWithPath: file))
        #expect(Array(bytes.prefix(3)) == [0xEF, 0xBB, 0xBF])
        #expect(bytes.dropFirst(3) == Data(plain.stdout.utf8))
        let jsonl = try await CLI.run(["export", "--archive", archive, "--format", "jsonl", "--bom"])
        #expect(jsonl.status == 64 && jsonl.stderr.contains("--bom"), "\(jsonl.stderr)")
    }
}

/// Reads a pipe to its end off the cooperative pool.
func readToEnd(_ pipe: Pipe) async -> String {
    await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(returning: String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
        }
    }
}

/// `stats` fits 80 columns; its CSV is numbers a spreadsheet can add up.
@Suite struct StatsLayoutTests {
    @Test func everyTableFitsEightyColumns() async throws {
        let archive = try await FilledArchive.shared.path()
        for grouping in [nil, "store", "agent", "status", "verdict", "day", "month"] {
            let arguments = ["stats", "--archive", archive] + (grouping.map { ["--by", $0] } ?? [])
            let result = try await CLI.run(arguments, environment: ["COLUMNS": "80"])
            #expect(result.status == 0, "\(result.stderr)")
            let lines = result.stdout.split(separator: "\n")
            #expect(lines.count >= 2 && lines.last?.hasPrefix("TOTAL") == true)
            for line in lines { #expect(line.count <= 80, "\(grouping ?? "-"): \(line.count): \(line)") }
        }
        let stores = try await CLI.run(["stats", "--archive", archive, "--by", "store"], environment: ["COLUMNS": "80"])
        #expect(stores.stdout.contains("…"), "long store names are cut")
        let wide = try await CLI.run(["stats", "--archive", archive, "--by", "store", "--wide"], environment: ["COLUMNS": "80"])
        #expect(wide.stdout.contains("NOT AUDIO") && wide.stdout.contains("TRUNCATED") && !wide.stdout.contains("…"))
    }

    @Test func csvHasANumericColumnPerVerdict() async throws {
        let archive = try await FilledArchive.shared.path()
        let result = try await CLI.run(["stats", "--archive", archive, "--by", "store", "--format", "csv"])
        #expect(result.status == 0)
        let rows = CSV.parse(result.stdout)
        let header = try #require(rows.first)
        let notValid = Verdict.allCases.filter { $0 != .valid }.map(\.rawValue)
        #expect(header.first == "store")
        for name in ["calls", "valid", "not_valid", "audio_seconds", "call_seconds", "short_recordings"] + notValid {
            #expect(header.contains(name), "\(name)")
        }
        for row in rows.dropFirst() {
            #expect(row.count == header.count)
            for cell in row.dropFirst() { #expect(Double(cell) != nil, "\(cell) is not a number") }
            let value = { (name: String) in header.firstIndex(of: name).flatMap { Double(row[$0]) } ?? .nan }
            #expect(notValid.map(value).reduce(0, +) == value("not_valid"))
            #expect(value("valid") + value("not_valid") == value("calls"))
        }
        let totals = try #require(rows.last)
        #expect(totals.first == "TOTAL" && (header.firstIndex(of: "not_valid").flatMap { Double(totals[$0]) } ?? 0) > 0)
        // The group cell is guarded like export's: the simulator's `=HYPERLINK(…)` agent.
        let agents = CSV.parse(try await CLI.run(["stats", "--archive", archive, "--by", "agent", "--format", "csv"]).stdout)
        #expect(agents.contains { $0.first?.hasPrefix("'=HYPERLINK(") == true })
        #expect(!agents.contains { $0.first?.hasPrefix("=") == true })
    }
}

/// Every command's JSON: snake_case keys, seconds to the millisecond.
@Suite struct JSONStyleTests {
    /// Object keys anywhere in `value` that are not snake_case (`api_json` is the API's own object).
    static func badKeys(_ value: Any) -> [String] {
        switch value {
        case let object as [String: Any]:
            object.keys.filter { $0.range(of: "^[a-z][a-z0-9]*(_[a-z0-9]+)*$", options: .regularExpression) == nil }
                + object.filter { $0.key != "api_json" }.values.flatMap(badKeys)
        case let array as [Any]: array.flatMap(badKeys)
        default: []
        }
    }

    /// Numbers in JSON text (outside strings) with more than three decimals.
    static func longNumbers(_ text: String) -> [String] {
        var found: [String] = [], inString = false, escaped = false, number = ""
        for character in text {
            if inString {
                if escaped { escaped = false } else if character == "\\" { escaped = true } else if character == "\"" { inString = false }
                continue
            }
            if character.isNumber || ".-+eE".contains(character) {
                number.append(character)
                continue
            }
            if let dot = number.firstIndex(of: "."), number[number.index(after: dot)...].prefix(while: \.isNumber).count > 3 {
                found.append(number)
            }
            number = ""
            if character == "\"" { inString = true }
        }
        return found
    }

    /// Checks every JSON document (`lines`: one per line) of a command's stdout.
    func check(_ output: String, lines: Bool, _ what: String) throws {
        let documents = lines ? output.split(separator: "\n").map(String.init) : [output]
        #expect(!documents.isEmpty && !output.isEmpty, "\(what) printed nothing")
        for document in documents {
            let value = try JSONSerialization.jsonObject(with: Data(document.utf8))
            #expect(Self.badKeys(value).isEmpty, "\(what): \(Self.badKeys(value))")
            #expect(Self.longNumbers(document).isEmpty, "\(what): \(Self.longNumbers(document))")
        }
    }

    @Test func readingCommandsAgree() async throws {
        let archive = try await FilledArchive.shared.path()
        let stats = try await CLI.run(["stats", "--archive", archive, "--by", "store", "--format", "json"])
        try check(stats.stdout, lines: false, "stats")
        let rows = try #require(try JSONSerialization.jsonObject(with: Data(stats.stdout.utf8)) as? [[String: Any]])
        let totals = try #require(rows.last)
        for verdict in Verdict.allCases where verdict != .valid { #expect(totals[verdict.rawValue] is Int, "\(verdict)") }
        #expect(totals["not_valid"] as? Int == Verdict.allCases.filter { $0 != .valid }.reduce(0) { $0 + (totals[$1.rawValue] as? Int ?? 0) })
        for format in ["json", "jsonl"] {
            let search = try await CLI.run(["search", "--archive", archive, "--format", format, "--fields", "order_id,audio_seconds,call_seconds,bitrate_kbps"])
            try check(search.stdout, lines: format == "jsonl", "search --format \(format)")
        }
        let export = try await CLI.run(["export", "--archive", archive, "--format", "jsonl"])
        try check(export.stdout, lines: true, "export")
    }

    @Test func fetchAndVerifySummaries() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator(options: SimulatorOptions(rules: ["JSONMISS": FaultRule(kind: .notFound), "JSONHTML": FaultRule(kind: .html)]))
        let fetch = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--retries", "0", "--json", "JSONA1", "JSONA2", "JSONMISS", "JSONHTML"])
        }
        #expect(fetch.status == 1)
        try check(fetch.stdout, lines: false, "fetch --json")
        let summary = try #require(try JSONSerialization.jsonObject(with: Data(fetch.stdout.utf8)) as? [String: Any])
        let failures = try #require(summary["failures"] as? [[String: Any]])
        #expect(failures.contains { ($0["reason"] as? String)?.contains("not found") == true && $0["count"] as? Int == 1 })

        // One byte changed in a valid file: the per-file object says what changed.
        let damaged = archive + "/JSONA1.mp3"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: damaged))
        bytes[bytes.count / 2] ^= 0x01
        try bytes.write(to: URL(fileURLWithPath: damaged))
        let verify = try await CLI.run(["verify", "--archive", archive, "--json"])
        #expect(verify.status == 1)
        try check(verify.stdout, lines: true, "verify --json")
        let objects = try verify.stdout.split(separator: "\n").map {
            try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
        }
        let files = objects.filter { $0["type"] as? String == "file" }
        let last = try #require(objects.last)
        #expect(files.count >= 2 && files.count == last["checked"] as? Int)
        let changed = try #require(files.first { $0["order_id"] as? String == "JSONA1" })
        #expect(changed["call_index"] as? Int == 1 && changed["file_path"] as? String == "JSONA1.mp3")
        #expect(changed["previous_verdict"] as? String == "valid" && changed["verdict"] as? String == "changed")
        #expect((changed["verdict_detail"] as? String)?.contains("sha256") == true)
        #expect(changed["sha256"] as? String != changed["file_sha256"] as? String)
        #expect(last["type"] as? String == "summary" && last["changed_verdicts"] as? Int == 1)
    }
}
