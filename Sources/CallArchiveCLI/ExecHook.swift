import Archive
import ArgumentParser
import Dispatch
import Foundation
import Model
import Reports
import Synchronization

/// `--exec CMD` and `--exec-shell CMD`: a command run after each call is catalogued valid.
struct ExecOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Run this command after each call is catalogued valid, without a shell (env CALLARCHIVE_ORDER_ID, CALLARCHIVE_FILE…).",
        valueName: "command"))
    var exec: String?

    @Option(name: .customLong("exec-shell"), help: ArgumentHelp("As --exec, but the text is run by /bin/sh -c.", valueName: "command"))
    var execShell: String?

    func validate() throws {
        if exec != nil && execShell != nil { throw ValidationError("give --exec or --exec-shell, not both") }
        if let exec { _ = try CommandWords.split(exec) }
        if let execShell, execShell.trimmingCharacters(in: .whitespaces).isEmpty { throw ValidationError("--exec-shell: the command is empty") }
    }

    /// The hook for a run into `archive`, or nil when no command was given.
    func hook(archive: String) throws -> ExecHook? {
        if let exec { return ExecHook(argv: try CommandWords.split(exec), archive: archive) }
        if let execShell { return ExecHook(argv: ["/bin/sh", "-c", execShell], archive: archive) }
        return nil
    }
}

/// Runs the `--exec` command for each call a fetch catalogues valid, one at a time in the order
/// calls finish, off the Swift threads. The command's output goes to stderr (stdout keeps
/// callarchive's own results); a command that fails is reported and the run goes on.
final class ExecHook: Sendable {
    let argv: [String]
    let archive: String
    private let queue = DispatchQueue(label: "callarchive.exec")
    private let group = DispatchGroup()
    private let counts = Mutex((run: 0, failed: 0))

    init(argv: [String], archive: String) {
        self.argv = argv
        self.archive = archive
    }

    /// Whether any command failed (exit status other than 0, or it could not start).
    var failed: Bool { counts.withLock { $0.failed > 0 } }

    func observe(_ event: FetchEvent) {
        guard case let .callFinished(outcome) = event, !outcome.skipped, outcome.record.verdict == .valid else { return }
        let record = outcome.record
        let environment = environment(for: record, file: outcome.displayPath ?? "")
        group.enter()
        queue.async { [self] in
            defer { group.leave() }
            let problem = run(environment: environment)
            counts.withLock {
                $0.run += 1
                if problem != nil { $0.failed += 1 }
            }
            if let problem {
                Console.err(TerminalText.safe("callarchive: --exec for \(record.orderID) call \(record.callIndex): \(problem)") + "\n")
            }
        }
    }

    /// Waits for every command started; says how many failed, if any did.
    func finish() async {
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }
        let (run, failed) = counts.withLock { $0 }
        if failed > 0 { Console.err("callarchive: --exec failed for \(failed) of \(run) call\(run == 1 ? "" : "s")\n") }
    }

    /// The variables a command sees besides callarchive's own environment (less the API token).
    func environment(for record: CallRecord, file: String) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["CALLARCHIVE_API_TOKEN"] = nil
        let absolute = file.hasPrefix("/") ? file : FileManager.default.currentDirectoryPath + "/" + file
        environment["CALLARCHIVE_ORDER_ID"] = record.orderID
        environment["CALLARCHIVE_CALL_INDEX"] = String(record.callIndex)
        environment["CALLARCHIVE_FILE"] = (absolute as NSString).standardizingPath
        environment["CALLARCHIVE_VERDICT"] = record.verdict.rawValue
        environment["CALLARCHIVE_AUDIO_SECONDS"] = record.audioSeconds.map { String(format: "%.3f", $0) } ?? ""
        environment["CALLARCHIVE_SHA256"] = record.sha256 ?? ""
        environment["CALLARCHIVE_STORE"] = record.storeName
        environment["CALLARCHIVE_AGENT"] = record.agentName
        environment["CALLARCHIVE_ARCHIVE_DIR"] = archive
        return environment
    }

    /// Runs the command to its end; nil when it exited 0, else why not.
    private func run(environment: [String: String]) -> String? {
        guard let executable = Self.resolve(argv[0], path: environment["PATH"] ?? "/usr/bin:/bin") else {
            return "\(argv[0]): command not found"
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = Array(argv.dropFirst())
        process.environment = environment
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.standardError
        process.standardError = FileHandle.standardError
        do {
            try process.run()
        } catch {
            return "\(argv[0]) could not be started: \(error.localizedDescription)"
        }
        process.waitUntilExit()
        switch (process.terminationReason, process.terminationStatus) {
        case (.exit, 0): return nil
        case let (.exit, status): return "\(argv[0]) exited with status \(status)"
        case let (_, signal): return "\(argv[0]) was killed by signal \(signal)"
        }
    }

    /// A command name with a `/` as it is; otherwise the first executable of that name on PATH.
    static func resolve(_ name: String, path: String) -> String? {
        if name.contains("/") { return FileManager.default.isExecutableFile(atPath: name) ? name : nil }
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = "\(directory)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        return nil
    }
}
