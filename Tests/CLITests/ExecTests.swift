import Foundation
import Simulator
import Testing
import TestSupport

/// `--exec` and `--exec-shell`: a command after each call catalogued valid.
@Suite(.serialized) struct ExecTests {
    /// A script that appends its environment's call fields and its two arguments to `log`.
    static func recorder(log: String) throws -> String {
        let script = try temporaryDirectory() + "/record.sh"
        try Data("""
            #!/bin/sh
            printf '%s|%s|%s|%s|%s|%s|%s\\n' "$CALLARCHIVE_ORDER_ID" "$CALLARCHIVE_CALL_INDEX" "$CALLARCHIVE_FILE" \
              "$CALLARCHIVE_VERDICT" "${CALLARCHIVE_API_TOKEN:-no-token}" "$1" "$2" >> '\(log)'

            """.utf8).write(to: URL(fileURLWithPath: script))
        chmod(script, 0o755)
        return script
    }

    static func lines(_ path: String) -> [String] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init).sorted()
    }

    @Test func theCommandGetsTheCallAndItsArgumentsWithoutAShell() async throws {
        let archive = try temporaryDirectory()
        let log = try temporaryDirectory() + "/log.txt"
        let script = try Self.recorder(log: log)
        let simulator = Simulator()
        let command = "\(script) 'two words' $HOME"
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--exec", command, "EXE001", "EXE002"],
                              environment: ["CALLARCHIVE_API_TOKEN": "secret-token"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        let expected = ["EXE001", "EXE002"].map { "\($0)|1|\(archive)/\($0).mp3|valid|no-token|two words|$HOME" }
        #expect(Self.lines(log) == expected)
        for line in Self.lines(log) {
            let file = line.split(separator: "|")[2]
            #expect(FileManager.default.fileExists(atPath: String(file)))
        }
        // A call already valid is skipped: no command for it.
        let again = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--exec", command, "EXE001"])
        }
        #expect(again.status == 0)
        #expect(Self.lines(log) == expected)
    }

    @Test func aFailingCommandIsReportedAndTheRunGoesOnToExit1() async throws {
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--exec", "false", "EXE010", "EXE011"])
        }
        #expect(result.status == 1)
        #expect(result.stderr.contains("--exec for EXE010 call 1: false exited with status 1"), "\(result.stderr)")
        // EXE011 has two calls: three commands in all, each failed.
        #expect(result.stderr.contains("--exec failed for 3 of 3 calls"))
        #expect(FileManager.default.fileExists(atPath: archive + "/EXE010.mp3"))
        #expect(FileManager.default.fileExists(atPath: archive + "/EXE011.mp3"))
        let missing = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--exec", "no-such-command-here", "--force", "EXE010"])
        }
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("no-such-command-here: command not found"), "\(missing.stderr)")
    }

    @Test func execShellRunsTheTextWithBinSh() async throws {
        let archive = try temporaryDirectory()
        let log = try temporaryDirectory() + "/log.txt"
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--exec-shell",
                               "echo \"$CALLARCHIVE_ORDER_ID $CALLARCHIVE_VERDICT\" | tr a-z A-Z >> '\(log)'", "EXE020"])
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Self.lines(log) == ["EXE020 VALID"])
    }

    @Test func anUnclosedQuoteIsAUsageError() async throws {
        let result = try await CLI.run(["fetch", "--archive", try temporaryDirectory(), "--exec", "echo 'oops", "EXE030"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--exec: a ' is not closed"), "\(result.stderr)")
    }
}
