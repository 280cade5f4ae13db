import Dispatch

/// Runs CPU-heavy file checks on Dispatch threads, at most `width` at once, so decoding never
/// occupies the cooperative threads that downloads need: while one call decodes, others download.
final class CheckRunner: Sendable {
    private let queue = DispatchQueue(label: "callarchive.check", attributes: .concurrent)
    private let slots: DispatchSemaphore

    init(width: Int) {
        slots = DispatchSemaphore(value: max(1, width))
    }

    func run<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            queue.async {
                self.slots.wait()
                defer { self.slots.signal() }
                continuation.resume(with: Result { try work() })
            }
        }
    }
}
