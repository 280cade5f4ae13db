import Foundation

/// Test-only, off unless the environment sets it: `CALLARCHIVE_TEST_PAUSE=decode` holds each
/// call for two seconds after its download is complete and before it is decoded, `=commit`
/// after the rename to the final name and before the catalog row is saved, `=copy` after each
/// batch a `catalog copy` commits, `=release` before a PostgreSQL claim is given back. The
/// crash trials (Tests/CLITests/ReliabilityTests.swift) use it to SIGKILL a run inside those
/// windows, which last milliseconds otherwise; the claim test, to prove a fetch waits for its
/// releases before it exits. It changes no file, no row and no output.
package enum TestPause: String {
    case decode, commit, copy, release

    private static let chosen = ProcessInfo.processInfo.environment["CALLARCHIVE_TEST_PAUSE"].flatMap(TestPause.init)

    /// Sleeps when this phase is the chosen one; a cancelled run goes on at once.
    package func hold() async {
        guard Self.chosen == self else { return }
        try? await Task.sleep(for: .seconds(2))
    }
}
