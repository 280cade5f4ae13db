import Dispatch
import Foundation

/// Ctrl-C and SIGTERM: the first cancels the running work, which stops promptly, records
/// what was in flight and keeps `.part` files; a second one exits at once.
enum Interrupts {
    /// Before and after the cancellable work (opening the catalog, printing a summary) there is
    /// nothing to clean up: Ctrl-C and SIGTERM exit at once with 130, as during the work.
    static func exitPromptly() {
        signal(SIGINT) { _ in _exit(130) }
        signal(SIGTERM) { _ in _exit(130) }
    }

    static func cancellable<T: Sendable>(
        notice: String = "partial downloads are kept for the next run", _ body: @escaping @Sendable () async throws -> T
    ) async throws -> T {
        let task = Task { try await body() }
        let sources = [SIGINT, SIGTERM].map { number -> any DispatchSourceSignal in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if task.isCancelled { exit(130) }
                Console.err("\ninterrupted: stopping; \(notice) (press Ctrl-C again to quit at once)\n")
                task.cancel()
            }
            source.resume()
            return source
        }
        defer {
            for source in sources { source.cancel() }
            exitPromptly()
        }
        return try await task.value
    }
}
