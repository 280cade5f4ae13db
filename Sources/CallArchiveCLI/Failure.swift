import Archive
import ArgumentParser
import Catalog
import Model
import Reports

/// Every subcommand's skeleton: `execute()` maps flags to options, calls a pipeline or the
/// catalog and prints; whatever it throws is turned, here and only here, into one message on
/// stderr and a docs/contract.md §8 exit code.
protocol Subcommand: AsyncParsableCommand {
    func execute() async throws
}

extension Subcommand {
    func run() async throws {
        do {
            try await execute()
        } catch {
            let failure = Failure(error)
            if let message = failure.message { Console.err("callarchive: \(message)\n") }
            throw ExitCode(failure.code)
        }
    }
}

/// An error that ends a command: what to tell the user (nil: it was said already) and the
/// docs/contract.md §8 exit code.
struct Failure: Error {
    let message: String?
    let code: Int32

    init(_ message: String, code: Int32) {
        self.init(message: message, code: code)
    }

    private init(message: String?, code: Int32) {
        self.message = message
        self.code = code
    }

    /// Classifies any error by its kind: usage errors 64, an unusable archive or catalog 3,
    /// an interruption 130, the rest 1.
    init(_ error: any Error) {
        switch error {
        case let error as Failure: self = error
        case let error as ExitCode: self.init(message: nil, code: error.rawValue)
        case is CancellationError: self.init("interrupted", code: 130)
        case let error as ArchiveError:
            if case .catalog(let inner) = error { self.init(inner) } else { self.init(error.description, code: 3) }
        case let error as CatalogError: self.init(error.description, code: error.isUsageError ? 64 : 3)
        case let error as ReportError: self.init(error.description, code: 64)
        case let error as ModelError: self.init(error.description, code: 64)
        case let error as IntakeError: self.init(error.description, code: 64)
        case let error as ConfigError: self.init(error.description, code: 64)
        default: self.init(String(describing: error), code: 1)
        }
    }
}

/// Ranges for numeric flags, so `inf`, `nan` and absurd values are usage errors (exit 64).
extension FlagRange {
    /// `--jobs`: calls fetched or files checked at once.
    static func checkJobs(_ jobs: Int?) throws {
        if let jobs { try check(jobs, 1...64, "--jobs") }
    }
}
