import Foundation
import Simulator
import Testing
import TestSupport

/// Runs the real `callarchive` binary built beside the tests.
enum CLI {
    struct Result: Sendable {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    static let binary: String = {
        var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("callarchive").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory = directory.deletingLastPathComponent()
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/callarchive").path
    }()

    /// Runs the binary to completion. Waiting happens on a Dispatch thread, never on the
    /// cooperative pool, which the in-process simulator needs to answer the binary.
    static func run(
        _ arguments: [String], environment: [String: String] = [:], stdin: String? = nil, executable: String = binary,
        in directory: String? = nil
    ) async throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.arguments = arguments
        var env = ProcessInfo.processInfo.environment
        for key in env.keys where key.hasPrefix("CALLARCHIVE_") { env[key] = nil }
        // Times show in the machine's zone by default: the expected outputs are written in UTC,
        // whatever zone the machine running the tests is in. A test may set another.
        env["TZ"] = "UTC"
        env.merge(environment) { $1 }
        process.environment = env
        let out = Pipe(), err = Pipe(), input = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = input
        try process.run()
        if let stdin { input.fileHandleForWriting.write(Data(stdin.utf8)) }
        try input.fileHandleForWriting.close()
        return await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                let group = DispatchGroup()
                nonisolated(unsafe) var errData = Data()
                group.enter()
                DispatchQueue.global().async {
                    errData = err.fileHandleForReading.readDataToEndOfFile()
                    group.leave()
                }
                let outData = out.fileHandleForReading.readDataToEndOfFile()
                group.wait()
                process.waitUntilExit()
                continuation.resume(returning: Result(
                    status: process.terminationStatus,
                    stdout: String(decoding: outData, as: UTF8.self), stderr: String(decoding: errData, as: UTF8.self)
                ))
            }
        }
    }

    /// Waits for a process started elsewhere, off the cooperative pool.
    static func waitForExit(_ process: Process) async {
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                process.waitUntilExit()
                continuation.resume()
            }
        }
    }
}

/// An archive of `ids` fetched through the simulator (exit 0, or 1 when `rules` inject faults).
func fetchedArchive(_ ids: [String], rules: [String: FaultRule] = [:]) async throws -> String {
    let archive = try temporaryDirectory()
    let simulator = Simulator(options: SimulatorOptions(rules: rules))
    let result = try await simulator.withRunning { url in
        try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--retries", "0"] + ids)
    }
    #expect(result.status == (rules.isEmpty ? 0 : 1), "\(result.stderr)")
    return archive
}
