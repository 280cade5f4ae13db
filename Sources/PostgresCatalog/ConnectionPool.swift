import Logging
import PostgresNIO

/// At most `capacity` connections to one server, opened when needed and reused. A connection
/// the server closed (a restart, a stopped server) is dropped, never handed out again: the
/// caller's query fails at once with the server's reason instead of waiting for a reconnect,
/// so a run stops within seconds when its catalog goes away (issue 13's fault rule).
actor ConnectionPool {
    private let configuration: PostgresConnection.Configuration
    private let capacity: Int
    private var idle: [PostgresConnection] = []
    private var open = 0
    private var nextID = 0
    /// Callers waiting for a connection: handed one, or nil to open their own.
    private var waiting: [CheckedContinuation<PostgresConnection?, Never>] = []

    static let logger = Logger(label: "callarchive.postgres") { _ in SwiftLogNoOpLogHandler() }

    init(configuration: PostgresConnection.Configuration, capacity: Int) {
        self.configuration = configuration
        self.capacity = max(1, capacity)
    }

    /// Closes the idle connections; each stays alive until it is closed (postgres-nio
    /// requires that of a connection it frees).
    deinit {
        for connection in idle {
            let closed: EventLoopFuture<Void> = connection.close()
            closed.whenComplete { _ in withExtendedLifetime(connection) {} }
        }
    }

    /// A connection of this pool's own, to give back with `giveBack`.
    func lease() async throws -> PostgresConnection {
        while let connection = idle.popLast() {
            if !connection.isClosed { return connection }
            open -= 1
        }
        if open >= capacity, let handed = await withCheckedContinuation({ waiting.append($0) }) {
            return handed
        }
        open += 1
        nextID += 1
        do {
            return try await PostgresConnection.connect(configuration: configuration, id: nextID, logger: Self.logger)
        } catch {
            open -= 1
            waiting.popLast()?.resume(returning: nil)
            throw error
        }
    }

    func giveBack(_ connection: PostgresConnection) {
        guard !connection.isClosed else {
            open -= 1
            if !waiting.isEmpty { waiting.removeFirst().resume(returning: nil) }
            return
        }
        if waiting.isEmpty { idle.append(connection) } else { waiting.removeFirst().resume(returning: connection) }
    }
}
