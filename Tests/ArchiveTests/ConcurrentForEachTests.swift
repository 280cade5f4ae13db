@testable import Archive
import Synchronization
import Testing

/// The bounded loop fetch and verify share (Sources/Archive/Concurrently.swift).
@Suite struct ConcurrentForEachTests {
    /// Every item runs once, never more than `width` at a time, and every result reaches `collect`.
    @Test(arguments: [1, 3]) func runsEachItemOnceWithinTheWidth(width: Int) async throws {
        let running = Mutex((now: 0, peak: 0))
        var collected: [Int] = []
        try await concurrentForEach(Array(1...20), width: width, { item in
            running.withLock { $0.now += 1; $0.peak = max($0.peak, $0.now) }
            try await Task.sleep(for: .milliseconds(5))
            running.withLock { $0.now -= 1 }
            return item * 2
        }) { collected.append($0) }
        #expect(collected.sorted() == (1...20).map { $0 * 2 })
        #expect((1...width).contains(running.withLock { $0.peak }))
    }

    /// When `collect` throws (verify's Ctrl-C check), no item starts after the first result.
    @Test func aThrowingCollectStartsNothingMore() async throws {
        struct Stop: Error {}
        let started = Mutex(0)
        await #expect(throws: Stop.self) {
            try await concurrentForEach(Array(1...50), width: 2, { item in
                started.withLock { $0 += 1 }
                return item
            }) { _ in throw Stop() }
        }
        #expect(started.withLock { $0 } <= 2)
    }
}
