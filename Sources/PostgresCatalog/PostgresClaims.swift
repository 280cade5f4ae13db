import Catalog
import Foundation
import Model
import Synchronization

/// Claims in the PostgreSQL catalog: a row of `claims` per call being fetched, with a lease.
/// Workers on every machine that shares the catalog take turns through it, so each recording
/// is fetched once; no lock file is used. While a claim is held its lease is renewed; a worker
/// that dies stops renewing, and its claims pass to others once the lease runs out.
final class PostgresClaims: CallClaims {
    /// How long a claim outlives its last renewal.
    static let lease = 20
    /// How often held claims are renewed.
    static let renewal: Duration = .seconds(5)

    private let catalog: PostgresCatalog
    /// This process's claims, and no other's.
    private let owner = "\(PostgresClaims.machine):\(getpid()):\(UUID().uuidString)"
    private let renewing: Task<Void, Never>
    /// Releases sent and not yet answered, and who waits for them to be none.
    private let releases = ReleaseState()

    init(catalog: PostgresCatalog) {
        self.catalog = catalog
        let owner = owner
        renewing = Task { [weak catalog] in
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.renewal)
                guard let catalog else { return }
                _ = try? await catalog.execute(
                    "UPDATE claims SET expires_at = now() + make_interval(secs => \(Self.lease)) WHERE owner = $1", [.text(owner)]
                )
            }
        }
    }

    deinit { renewing.cancel() }

    /// Takes `name` when nobody holds it, its holder's lease ran out, or its holder was a
    /// process of this machine that is gone (a run killed moments ago); else waits and retries.
    func claim(_ name: String) async throws {
        let sql = """
            INSERT INTO claims (name, owner, expires_at) VALUES ($1, $2, now() + make_interval(secs => \(Self.lease)))
            ON CONFLICT (name) DO UPDATE SET owner = excluded.owner, expires_at = excluded.expires_at
            WHERE claims.expires_at < now() RETURNING name
            """
        while try await catalog.execute(sql, [.text(name), .text(owner)]) == 0 {
            var holder: String?
            try await catalog.run("SELECT owner FROM claims WHERE name = $1", [.text(name)]) { holder = String(fieldValue: $0[0]) }
            if let holder, Self.isGoneFromThisMachine(holder) {
                try await catalog.execute("DELETE FROM claims WHERE name = $1 AND owner = $2", [.text(name), .text(holder)])
                continue
            }
            try await Task.sleep(for: .milliseconds(100))
        }
    }

    /// This machine: its host name and boot id (machines that share a host name still differ).
    static let machine: String = {
        let boot = (try? String(contentsOfFile: "/proc/sys/kernel/random/boot_id", encoding: .utf8)) ?? ""
        return ProcessInfo.processInfo.hostName + "/" + boot.trimmingCharacters(in: .whitespacesAndNewlines)
    }()

    /// True when `owner` (`machine:pid:uuid`) names a process of this machine that no longer runs.
    static func isGoneFromThisMachine(_ owner: String) -> Bool {
        let parts = owner.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count >= 3, let pid = Int32(parts[parts.count - 2]), pid > 0, pid != getpid(),
              parts.dropLast(2).joined(separator: ":") == machine
        else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    /// Deletes the claim without waiting for the server; should that fail, the lease expires.
    func release(_ name: String) {
        let catalog = catalog, owner = owner, releases = releases
        releases.withLock { $0.pending += 1 }
        Task {
            await TestPause.release.hold()
            _ = try? await catalog.execute("DELETE FROM claims WHERE name = $1 AND owner = $2", [.text(name), .text(owner)])
            let waiters = releases.withLock { state in
                state.pending -= 1
                defer { if state.pending == 0 { state.waiters = [] } }
                return state.pending == 0 ? state.waiters : []
            }
            for waiter in waiters { waiter.resume() }
        }
    }

    /// Waits for the releases under way, 5 seconds at most (a failed or unanswered one counts
    /// as done: its lease expires).
    func settle() async {
        let releases = releases
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let done = releases.withLock { state in
                if state.pending == 0 { return true }
                state.waiters.append(continuation)
                return false
            }
            if done { return continuation.resume() }
            Task {
                try? await Task.sleep(for: .seconds(5))
                let late = releases.withLock { state in
                    defer { state.waiters = [] }
                    return state.waiters
                }
                for waiter in late { waiter.resume() }
            }
        }
    }
}

extension PostgresCatalog {
    /// Runs one statement, calling `body` with each row's cells.
    func run(_ sql: String, _ values: [FieldValue], _ body: @escaping ([FieldValue]) throws -> Void) async throws(CatalogError) {
        try await withConnection { connection in try await Self.run(sql, values, on: connection, body) }
    }

    /// Runs one statement; returns the rows it returned.
    @discardableResult
    func execute(_ sql: String, _ values: [FieldValue]) async throws(CatalogError) -> Int {
        try await withConnection { connection in
            var rows = 0
            try await Self.run(sql, values, on: connection) { _ in rows += 1 }
            return rows
        }
    }
}

/// The releases a `PostgresClaims` has under way; shared with the tasks that send them.
final class ReleaseState: Sendable {
    struct State {
        var pending = 0
        var waiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state = Mutex(State())

    func withLock<T: Sendable>(_ body: (inout State) -> T) -> T {
        state.withLock { body(&$0) }
    }
}
