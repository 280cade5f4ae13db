import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Model
import NIOCore
import ServiceLifecycle
import Synchronization

/// How the simulator behaves.
public struct SimulatorOptions: Sendable {
    public var host: String
    /// 0 picks a free port.
    public var port: Int
    /// Number of sample order ids listed at `GET /orders`.
    public var orders: Int
    /// Share of orders (0–1) that get a random fault.
    public var faultRate: Double
    /// Faults for given order ids; they win over random ones.
    public var rules: [String: FaultRule]
    /// `Retry-After` seconds sent with 429.
    public var retryAfter: Int
    /// Pause between the small chunks of a slow body.
    public var slowChunkDelay: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 0, orders: Int = 100, faultRate: Double = 0,
        rules: [String: FaultRule] = [:], retryAfter: Int = 1, slowChunkDelay: Duration = .milliseconds(20)
    ) {
        self.host = host
        self.port = port
        self.orders = orders
        self.faultRate = faultRate
        self.rules = rules
        self.retryAfter = retryAfter
        self.slowChunkDelay = slowChunkDelay
    }
}

/// A request the simulator answered, for tests that check what was (not) asked.
public struct LoggedRequest: Sendable, Equatable {
    public let path: String
    public let query: String
    public let host: String
    public let authorization: String?
    public let range: String?
    public let time: ContinuousClock.Instant
}

/// The stand-in telephony API (SPEC §1) over loopback: `GET /calls/{order_id}`,
/// `GET /recordings/{file}`, and `GET /orders` (sample ids, one a line).
public final class Simulator: Sendable {
    public let options: SimulatorOptions
    private let state = Mutex(State())

    private struct State {
        var served: [String: Int] = [:]
        var log: [LoggedRequest] = []
    }

    public init(options: SimulatorOptions = SimulatorOptions()) {
        self.options = options
    }

    /// Every request answered so far, in order.
    public var requests: [LoggedRequest] { state.withLock { $0.log } }

    public func resetLog() { state.withLock { $0.log.removeAll() } }

    /// The fault an order has, if any.
    public func fault(for order: String) -> FaultRule? {
        options.rules[order] ?? FaultRule.random(for: order, rate: options.faultRate)
    }

    /// The recording the simulator serves for a call (1-based index), for tests to compare with.
    public func recording(order: OrderID, callIndex: Int) -> Recording? {
        let calls = CallGenerator.calls(for: order)
        guard (1...calls.count).contains(callIndex) else { return nil }
        if fault(for: order.rawValue)?.kind == .long { return Recording(seconds: 12_600) }
        return Recording(seconds: calls[callIndex - 1].recordingSeconds)
    }

    /// Serves until SIGINT or SIGTERM (`callarchive simulate`); `onReady` gets the bound port.
    public func run(onReady: @escaping @Sendable (Int) async -> Void = { _ in }) async throws {
        try await makeApplication(onReady: onReady).runService()
    }

    /// Starts the simulator on a free loopback port, runs `body` with its API URL
    /// (`http://127.0.0.1:PORT/calls`), then shuts the server down gracefully.
    public func withRunning<T: Sendable>(_ body: @Sendable (String) async throws -> T) async throws -> T {
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let server = ServiceGroup(configuration: .init(
            services: [makeApplication { port in continuation.yield(port) }],
            gracefulShutdownSignals: [], logger: Self.silentLogger
        ))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await server.run()
            }
            var iterator = ports.makeAsyncIterator()
            guard let port = await iterator.next() else {
                try await group.next()
                throw CancellationError()
            }
            let result: Result<T, any Error>
            do {
                result = .success(try await body("http://\(self.options.host):\(port)/calls"))
            } catch {
                result = .failure(error)
            }
            // A graceful stop: cancelling the server instead can crash NIO when connections are pending.
            await server.triggerGracefulShutdown()
            try await group.waitForAll()
            return try result.get()
        }
    }

    static let silentLogger = Logger(label: "callarchive.simulator", factory: { _ in SwiftLogNoOpLogHandler() })

    private func makeApplication(onReady: @escaping @Sendable (Int) async -> Void) -> some ApplicationProtocol {
        Application(
            router: makeRouter(),
            configuration: .init(address: .hostname(options.host, port: options.port), serverName: nil),
            onServerRunning: { channel in await onReady(channel.localAddress?.port ?? 0) },
            logger: Self.silentLogger
        )
    }

    // MARK: Routes

    private func makeRouter() -> Router<BasicRequestContext> {
        let router = Router()
        router.get("calls/:order_id") { request, context in
            self.metadata(order: context.parameters.get("order_id") ?? "", request: request)
        }
        router.get("recordings/:file") { request, context in
            self.recordingResponse(file: context.parameters.get("file") ?? "", request: request)
        }
        router.get("orders") { _, _ in
            let ids = CallGenerator.sampleOrderIDs(count: self.options.orders).joined(separator: "\n") + "\n"
            return Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"], body: .init(byteBuffer: ByteBuffer(string: ids)))
        }
        return router
    }

    private func log(_ request: Request) {
        let entry = LoggedRequest(
            path: request.uri.path, query: request.uri.query ?? "", host: request.head.authority ?? "",
            authorization: request.headers[.authorization], range: request.headers[.range], time: .now
        )
        state.withLock { $0.log.append(entry) }
    }

    /// Whether `rule` fires for this request (`key` counts requests per order and stage).
    private func fires(_ rule: FaultRule?, _ kinds: Set<FaultKind>, key: String) -> FaultKind? {
        guard let rule, kinds.contains(rule.kind) else { return nil }
        let count = state.withLock { state -> Int in
            state.served[key, default: 0] += 1
            return state.served[key]!
        }
        if let times = rule.times, count > times { return nil }
        return rule.kind
    }

    private func metadata(order text: String, request: Request) -> Response {
        log(request)
        guard let order = try? OrderID(text) else {
            return json(.badRequest, #"{"error":"invalid order id"}"#)
        }
        let rule = fault(for: text)
        switch fires(rule, [.notFound, .serverError, .rateLimited, .badJSON], key: "meta/\(text)") {
        case .notFound: return json(.notFound, #"{"error":"order not found"}"#)
        case .serverError: return json(.internalServerError, #"{"error":"internal error"}"#)
        case .rateLimited:
            var response = json(.tooManyRequests, #"{"error":"slow down"}"#)
            response.headers[.retryAfter] = String(options.retryAfter)
            return response
        case .badJSON:
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html><body>Service temporarily unavailable</body></html>")))
        default: break
        }
        let host = request.head.authority ?? "\(options.host):\(options.port)"
        let calls = CallGenerator.calls(for: order).enumerated().map { index, call -> [String: String] in
            var sid = Seed(text, "sid\(index)")
            let name = order.fileName(callIndex: index + 1)
            var url = "http://\(host)/recordings/\(name)"
            switch rule?.kind {
            case .noRecording: url = ""
            case .fileURL: url = "file:///etc/passwd"
            case .otherHost:
                let port = host.split(separator: ":").last.map(String.init) ?? "80"
                url = "http://localhost:\(port)/recordings/\(name)"
            default: break
            }
            var store = call.storeName, agent = call.agentName
            if rule?.kind == .oddNames {
                store = "MI-099 \"Big\" Tony's, Pizza & Subs\n2nd floor"
                agent = "=HYPERLINK(\"http://evil.example\",\"Zoë\")"
            }
            return [
                "store_name": store, "agent_name": agent, "call_status": call.status,
                "call_in_time": call.callIn.iso8601, "call_out_time": call.callOut.iso8601,
                "recording_url": url, "call_sid": "CA" + String(sid.next(), radix: 16),
            ]
        }
        return json(.ok, MetadataShape.body(calls: calls, order: text))
    }

    private func recordingResponse(file: String, request: Request) -> Response {
        log(request)
        guard file.hasSuffix(".mp3") else { return json(.notFound, #"{"error":"no such recording"}"#) }
        let stem = String(file.dropLast(4))
        var order = stem
        var index = 1
        if let dash = stem.lastIndex(of: "-"), let n = Int(stem[stem.index(after: dash)...]), n >= 2 {
            order = String(stem[..<dash])
            index = n
        }
        guard let id = try? OrderID(order), let recording = recording(order: id, callIndex: index) else {
            return json(.notFound, #"{"error":"no such recording"}"#)
        }
        let rule = fault(for: order)
        var slow = false
        var resetAt: Int?
        var length = recording.byteCount
        let hop = request.uri.queryParameters["hop"].flatMap { Int($0) } ?? 0
        switch rule?.kind {
        case .redirect where hop == 0, .redirectLoop:
            return Response(status: .found, headers: [.location: "/recordings/\(file)?hop=\(hop + 1)"])
        case .redirectFile:
            return Response(status: .found, headers: [.location: "file:///etc/passwd"])
        case .redirectOtherHost where hop == 0:
            let port = request.head.authority?.split(separator: ":").last.map(String.init) ?? "80"
            return Response(status: .found, headers: [.location: "http://localhost:\(port)/recordings/\(file)?hop=1"])
        default: break
        }
        switch fires(rule, [.recordingError, .recordingNotFound, .reset, .truncated, .html, .slow], key: "rec/\(stem)") {
        case .recordingError: return json(.internalServerError, #"{"error":"storage unavailable"}"#)
        case .recordingNotFound: return json(.notFound, #"{"error":"no such recording"}"#)
        case .html:
            let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        case .truncated: length = recording.byteCount / 2
        case .reset: resetAt = recording.byteCount / 2
        case .slow: slow = true
        default: break
        }
        var start = 0
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.contentType: "audio/mpeg", .acceptRanges: "bytes"]
        if let range = request.headers[.range] {
            guard let from = Self.rangeStart(range), from < length else {
                headers[.contentRange] = "bytes */\(length)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            start = from
            status = .partialContent
            headers[.contentRange] = "bytes \(from)-\(length - 1)/\(length)"
        }
        let chunk = slow ? 4096 : 64 * 1024
        let delay = options.slowChunkDelay
        let (end, from, cut, isSlow) = (length, start, resetAt, slow)
        let body = ResponseBody(contentLength: end - from) { writer in
            var offset = from
            while offset < end {
                let next = min(end, offset + chunk)
                if let cut, next > cut, offset < cut {
                    try await writer.write(ByteBuffer(bytes: recording.bytes(offset..<cut)))
                    throw SimulatedReset()
                }
                try await writer.write(ByteBuffer(bytes: recording.bytes(offset..<next)))
                offset = next
                if isSlow { try await Task.sleep(for: delay) }
            }
            try await writer.finish(nil)
        }
        return Response(status: status, headers: headers, body: body)
    }

    /// The first byte of `bytes=N-` or `bytes=N-M`.
    static func rangeStart(_ header: String) -> Int? {
        guard header.hasPrefix("bytes="), let dash = header.firstIndex(of: "-") else { return nil }
        return Int(header[header.index(header.startIndex, offsetBy: 6)..<dash])
    }

    private func json(_ status: HTTPResponse.Status, _ text: String) -> Response {
        Response(status: status, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }
}

/// Thrown mid-body to drop the connection.
struct SimulatedReset: Error {}

/// The body shapes SPEC §1 allows, chosen per order so every shape gets exercised.
enum MetadataShape {
    static func body(calls: [[String: String]], order: String) -> String {
        var seed = Seed(order, "shape")
        let roll = seed.next() % 100
        let camel = roll % 5 == 0
        let objects = calls.map { object(camel ? camelCased($0) : $0) }
        if objects.count > 1 {
            switch roll % 3 {
            case 0: return "{\"calls\":[\(objects.joined(separator: ","))]}"
            case 1: return "{\"data\":[\(objects.joined(separator: ","))]}"
            default: return "[\(objects.joined(separator: ","))]"
            }
        }
        switch roll {
        case 0..<55: return objects[0]
        case 55..<70: return "{\"data\":\(objects[0])}"
        case 70..<85: return "{\"call\":\(objects[0])}"
        default: return "[\(objects[0])]"
        }
    }

    static func camelCased(_ object: [String: String]) -> [String: String] {
        var out: [String: String] = [:]
        for (key, value) in object {
            let parts = key.split(separator: "_")
            let name = String(parts[0]) + parts.dropFirst().map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined()
            out[name] = value
        }
        return out
    }

    static func object(_ fields: [String: String]) -> String {
        "{" + fields.sorted { $0.key < $1.key }.map { "\(JSONText.quoted($0.key)):\(JSONText.quoted($0.value))" }.joined(separator: ",") + "}"
    }

}
