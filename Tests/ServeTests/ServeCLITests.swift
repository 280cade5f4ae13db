import Foundation
import Synchronization
import Testing
import TestSupport

/// `callarchive serve` as a user starts it: the flags, the printed URL, the refusals.
@Suite(.serialized) struct ServeCLITests {
    @Test(arguments: [["--listen", "0.0.0.0"], ["--listen", "192.168.7.7", "--port", "0"], ["--listen", "0.0.0.0", "--token", "short"], ["--port", "70000"]])
    func refusesToExposeTheArchiveWithoutAToken(flags: [String]) async throws {
        let location = try await Fixture.shared.location()
        let result = try await run([binary, "serve", "--archive", location.directory] + flags)
        #expect(result.status == 64)
        #expect(result.stderr.contains(flags.contains("--token") ? "16 characters" : flags.contains("70000") ? "--port" : "--token"))
    }

    @Test func anUnreadableArchiveIsExitThree() async throws {
        let result = try await run([binary, "serve", "--archive", try temporaryDirectory() + "/nothing-here", "--port", "0"])
        #expect(result.status == 3)
        #expect(result.stderr.contains("nothing-here"))
    }

    @Test func aTakenPortIsAClearError() async throws {
        let location = try await Fixture.shared.location()
        let taken = try await withServer(location) { base in
            let port = try #require(URL(string: base)?.port)
            return try await run([binary, "serve", "--archive", location.directory, "--port", String(port)]).stderr + "|\(port)"
        }
        let port = try #require(taken.split(separator: "|").last)
        #expect(taken.contains("cannot listen on 127.0.0.1:\(port): Address already in use"))
    }

    @Test(.timeLimit(.minutes(1))) func printsTheURLServesAndStopsOnSIGTERM() async throws {
        let location = try await Fixture.shared.location()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: binary)
        process.arguments = ["serve", "--archive", location.directory, "--port", "0"]
        process.environment = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CALLARCHIVE_") }
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        let line = try await firstLine(out.fileHandleForReading, seconds: 30)
        let url = try #require(line.split(separator: " ").first { $0.hasPrefix("http://127.0.0.1:") }.map(String.init))
        #expect(try await get(url + "healthz").status == 200)
        #expect(try await get(url).text.contains("<h1>Search calls</h1>"))
        process.terminate()
        let status = await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume(returning: process.terminationStatus)
            }
        }
        #expect(status == 0)
    }

    /// The first line a process prints, read off the cooperative pool, within `seconds`.
    private func firstLine(_ handle: FileHandle, seconds: Int) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var data = Data()
                let deadline = Date().addingTimeInterval(TimeInterval(seconds))
                while !data.contains(UInt8(ascii: "\n")) && Date() < deadline {
                    let chunk = handle.availableData
                    if chunk.isEmpty { break }
                    data += chunk
                }
                let text = String(decoding: data, as: UTF8.self)
                if text.contains("\n") { continuation.resume(returning: text) } else {
                    continuation.resume(throwing: WebDriver.Failure(description: "serve printed no URL: \(text)"))
                }
            }
        }
    }
}
