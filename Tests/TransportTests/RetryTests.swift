import Foundation
import Testing
import Transport

@Suite struct RetryAfterTests {
    @Test func deltaSeconds() {
        #expect(RetryAfter.seconds("120") == 120)
        #expect(RetryAfter.seconds(" 0 ") == 0)
        #expect(RetryAfter.seconds("-5") == nil)
        #expect(RetryAfter.seconds("soon") == nil)
    }

    @Test func httpDate() throws {
        let now = try #require(ISO8601DateFormatter().date(from: "2015-10-21T07:27:30Z"))
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:28:00 GMT", now: now) == 30)
        #expect(RetryAfter.seconds("Wed, 21 Oct 2015 07:20:00 GMT", now: now) == 0)
    }
}

@Suite struct RetryPolicyTests {
    /// Full jitter: attempt n waits a uniform draw from 0 to min(base × factor^n, ceiling).
    /// Over many draws the mean is near half that bound, the draws spread over all of it, and
    /// none passes it — a backoff that always waits 0, or never grows, fails.
    @Test func fullJitterGrowsExponentiallyUnderTheCeiling() {
        let policy = RetryPolicy(retries: 3, baseDelay: 1, factor: 2, maxRetryWait: 120)
        let draws = 4000
        var means: [Double] = []
        for attempt in 0..<9 {
            let bound = min(pow(2, Double(attempt)), 120)
            let waits = (0..<draws).map { _ in policy.backoff(afterAttempt: attempt) }
            #expect(waits.allSatisfy { $0 >= 0 && $0 <= bound }, "attempt \(attempt) outside 0...\(bound)")
            // The mean of 4,000 uniform draws lies within 5 % of bound/2 (over 5 standard errors).
            let mean = waits.reduce(0, +) / Double(draws)
            #expect(abs(mean - bound / 2) < 0.05 * bound / 2, "attempt \(attempt): mean \(mean), expected about \(bound / 2)")
            // Spread: every quarter of 0...bound gets about a quarter of the draws.
            for quarter in 0..<4 {
                let share = Double(waits.filter { Int($0 / bound * 4) == quarter }.count) / Double(draws)
                #expect((0.2...0.3).contains(share), "attempt \(attempt): quarter \(quarter) got \(share) of the draws")
            }
            means.append(mean)
        }
        // Growth: each mean about doubles until the 120 s ceiling caps it.
        for attempt in 1..<7 { #expect((1.8...2.2).contains(means[attempt] / means[attempt - 1]), "attempt \(attempt)") }
        #expect(abs(means[8] - 60) < 3, "capped at the ceiling: mean \(means[8])")
    }
}
