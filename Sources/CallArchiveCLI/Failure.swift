import Archive
import ArgumentParser
import Catalog
import Model
import Reports

/// Maps an error that ends a command to its message and docs/contract.md §8 exit code.
enum Failure {
    static func exit(_ error: any Error) -> any Error {
        switch error {
        case let error as ExitCode: return error
        case is CancellationError: return Console.fail("interrupted", code: 130)
        case let error as ArchiveError:
            if case .catalog(let inner) = error { return exit(inner) }
            return Console.fail(error.description, code: 3)
        case let error as CatalogError:
            if error.isUsageError { return Console.fail(error.description, code: 64) }
            return Console.fail(error.description, code: 3)
        case let error as ReportError:
            return Console.fail(error.description, code: 64)
        case let error as ModelError:
            return Console.fail(error.description, code: 64)
        default:
            return Console.fail("\(String(describing: error))", code: 1)
        }
    }
}
