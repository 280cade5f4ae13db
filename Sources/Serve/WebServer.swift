import Archive
import Catalog
import Foundation
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle

/// `callarchive serve`: the pages and JSON API over one archive's catalog, opened read-only
/// (docs/contract.md §10). Hummingbird answers; the catalog seam does every read, so SQLite and
/// PostgreSQL catalogs serve the same pages.
public struct WebServer: Sendable {
    public let configuration: ServeConfiguration
    let catalog: any Catalog

    /// Validates the configuration and opens the catalog read-only.
    public static func open(_ configuration: ServeConfiguration) async throws -> WebServer {
        try configuration.validate()
        return WebServer(configuration: configuration, catalog: try await configuration.location.openReadOnly())
    }

    /// Serves until SIGINT or SIGTERM; `onReady` gets the URL to open once it listens.
    public func run(onReady: @escaping @Sendable (String) async -> Void = { _ in }) async throws {
        let group = ServiceGroup(configuration: .init(
            services: [makeApplication { port in await onReady(url(port: port)) }],
            gracefulShutdownSignals: [.sigterm, .sigint], logger: Self.logger
        ))
        do {
            try await group.run()
        } catch let error as IOError {
            throw ServeError.cannotListen(host: configuration.host, port: configuration.port, reason: String(cString: strerror(error.errnoCode)))
        }
    }

    /// Serves on the configured address (port 0: a free one) while `body` runs with the base URL.
    public func withRunning<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let group = ServiceGroup(configuration: .init(
            services: [makeApplication { port in continuation.yield(port) }], gracefulShutdownSignals: [], logger: Self.logger
        ))
        return try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask {
                defer { continuation.finish() }
                try await group.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await tasks.next()
                throw CancellationError()
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body(url(port: port)))
            } catch {
                result = .failure(error)
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
            return try result.get()
        }
    }

    func url(port: Int) -> String {
        let host = configuration.host.contains(":") && !configuration.host.hasPrefix("[") ? "[\(configuration.host)]" : configuration.host
        return "http://\(host == "0.0.0.0" ? "127.0.0.1" : host):\(port)/"
    }

    static let logger = Logger(label: "callarchive.serve", factory: { _ in SwiftLogNoOpLogHandler() })

    private func makeApplication(onReady: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: Self.logger
        )
    }

    func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.add(middleware: SecurityHeaders(onRequest: configuration.onRequest))
        if let token = configuration.token {
            let gate = TokenGate(token: token)
            router.add(middleware: gate)
            router.post("login") { request, _ in try await gate.login(request) }
        }
        router.get("login") { _, _ in Responses.redirect("/") }
        Assets.add(to: router)
        APIRoutes(
            catalog: catalog, pageSize: configuration.pageSize, exportPageSize: max(1, configuration.exportPageSize), zones: configuration.zones
        ).add(to: router)
        Pages(catalog: catalog, pageSize: configuration.pageSize, zones: configuration.zones)
            .add(to: router, audio: AudioRoute(catalog: catalog, archiveDirectory: configuration.location.directory))
        return router
    }
}
