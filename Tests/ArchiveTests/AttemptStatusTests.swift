import Archive
import Catalog
import Model
import Simulator
import Testing

/// Each attempt is catalogued with the HTTP status the server answered, failures included (nil
/// when no status came), for metadata requests and recordings alike.
@Suite struct AttemptStatusTests {
    @Test func attemptsRecordTheStatusTheServerAnswered() async throws {
        let rules: [String: FaultRule] = [
            "ST404": FaultRule(kind: .notFound), "ST500": FaultRule(kind: .serverError), "ST429": FaultRule(kind: .rateLimited),
            "STREC500": FaultRule(kind: .recordingError), "STREC404": FaultRule(kind: .recordingNotFound),
            "STRESET": FaultRule(kind: .reset),
        ]
        let simulator = Simulator(options: SimulatorOptions(rules: rules, retryAfter: 0))
        let (_, catalog, _) = try await fetch(rules.keys.sorted(), from: simulator)
        /// The statuses of the order's attempts at one stage, for its first call, in order.
        func statuses(_ order: String, _ stage: DownloadAttempt.Stage) async throws -> [Int?] {
            try await catalog.attempts(order: order).filter { $0.stage == stage && ($0.callIndex ?? 1) == 1 }.map(\.httpStatus)
        }
        await #expect(try statuses("ST404", .metadata) == [404])
        await #expect(try statuses("ST500", .metadata) == [500, 200])
        await #expect(try statuses("ST429", .metadata) == [429, 200])
        await #expect(try statuses("STREC500", .recording) == [500, 200])
        await #expect(try statuses("STREC404", .recording) == [404])
        // The connection drops after the head: the failed attempt has no status of its own.
        let reset = try await statuses("STRESET", .recording)
        #expect(reset.count == 2 && reset.first == .some(nil), "\(reset)")
    }
}
