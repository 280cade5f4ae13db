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
    /// Pause between the pieces of a `slow-loris` body.
    public var lorisDelay: Duration

    public init(
        host: String = "127.0.0.1", port: Int = 0, orders: Int = 100, faultRate: Double = 0,
        rules: [String: FaultRule] = [:], retryAfter: Int = 1, slowChunkDelay: Duration = .milliseconds(20),
        lorisDelay: Duration = .seconds(2)
    ) {
        self.host = host
        self.port = port
        self.orders = orders
        self.faultRate = faultRate
        self.rules = rules
        self.retryAfter = retryAfter
        self.slowChunkDelay = slowChunkDelay
        self.lorisDelay = lorisDelay
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

/// The stand-in telephony API (docs/contract.md §1) over loopback: `GET /calls/{order_id}`,
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
        switch fires(rule, [.notFound, .serverError, .rateLimited, .badJSON, .metadataRedirect, .hugeJSON], key: "meta/\(text)") {
        case .notFound: return json(.notFound, #"{"error":"order not found"}"#)
        case .serverError: return json(.internalServerError, #"{"error":"internal error"}"#)
        case .rateLimited:
            var response = json(.tooManyRequests, #"{"error":"slow down"}"#)
            response.headers[.retryAfter] = String(options.retryAfter)
            return response
        case .badJSON:
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: "<html><body>Service temporarily unavailable</body></html>")))
        case .metadataRedirect:
            return Response(status: .found, headers: [.location: "/calls/\(text)?hop=1"])
        case .hugeJSON:
            return json(.ok, "{\"pad\":\"" + String(repeating: "x", count: 9 << 20) + "\"}")
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
            case .escapeURL: url = "gopher://\(host)/\u{1B}]0;pwned\u{07}\u{1B}[2J\(name)"
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
            if rule?.kind == .escapeNames {
                store = "MI-066 \u{1B}]0;pwned\u{07}Evil Pizza\u{1B}[2J"
                agent = "Mallory \u{1B}[31mRed\u{1B}[0m \u{9B}2J"
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
        guard let (order, index) = Self.call(fromFile: file), let id = try? OrderID(order),
              let recording = recording(order: id, callIndex: index)
        else { return json(.notFound, #"{"error":"no such recording"}"#) }
        let rule = fault(for: order)
        let hop = request.uri.queryParameters["hop"].flatMap { Int($0) } ?? 0
        if let redirect = redirectResponse(rule?.kind, file: file, hop: hop, authority: request.head.authority) { return redirect }
        let fired = fires(rule, Self.bodyFaults, key: "rec/\(file.dropLast(4))")
        switch fired {
        case .recordingError: return json(.internalServerError, #"{"error":"storage unavailable"}"#)
        case .recordingNotFound: return json(.notFound, #"{"error":"no such recording"}"#)
        case .recordingForbidden: return json(.forbidden, #"{"error":"forbidden"}"#)
        case .recordingGone: return json(.gone, #"{"error":"gone"}"#)
        case .html:
            let page = "<!DOCTYPE html>\n<html><head><title>502 Bad Gateway</title></head><body><h1>502 Bad Gateway</h1></body></html>\n"
            return Response(status: .ok, headers: [.contentType: "text/html"], body: .init(byteBuffer: ByteBuffer(string: page)))
        case .gzip:
            let body = Gzip.stored(recording.allBytes)
            return Response(
                status: .ok, headers: [.contentType: "audio/mpeg", .contentEncoding: "gzip"], body: .init(byteBuffer: ByteBuffer(bytes: body))
            )
        case .changed:
            let older = Recording(seconds: recording.seconds * 1.25 + 1)
            return streamed(older, plan: BodyPlan(length: older.byteCount, cut: older.byteCount / 2), range: request.headers[.range])
        default:
            return streamed(recording, plan: plan(fired, recording), range: request.headers[.range], fault: fired)
        }
    }

    /// Faults that change what a recording request answers, counted per recording.
    static let bodyFaults: Set<FaultKind> = [
        .recordingError, .recordingNotFound, .recordingForbidden, .recordingGone, .reset, .truncated, .html, .slow,
        .ignoreRange, .wrongRange, .chunked, .changed, .shortBody, .slowLoris, .gzip,
    ]

    /// The order and call a recording's file name stands for (`ABC.mp3`, `ABC-2.mp3`).
    static func call(fromFile file: String) -> (String, Int)? {
        guard file.hasSuffix(".mp3") else { return nil }
        let stem = String(file.dropLast(4))
        if let dash = stem.lastIndex(of: "-"), let n = Int(stem[stem.index(after: dash)...]), n >= 2 {
            return (String(stem[..<dash]), n)
        }
        return (stem, 1)
    }

    private func redirectResponse(_ kind: FaultKind?, file: String, hop: Int, authority: String?) -> Response? {
        let again: HTTPFields = [.location: "/recordings/\(file)?hop=\(hop + 1)"]
        switch kind {
        case .redirect where hop == 0, .redirectLoop: return Response(status: .found, headers: again)
        case .redirect301 where hop == 0: return Response(status: .movedPermanently, headers: again)
        case .redirect303 where hop == 0: return Response(status: .seeOther, headers: again)
        case .redirect307 where hop == 0: return Response(status: .temporaryRedirect, headers: again)
        case .redirect308 where hop == 0: return Response(status: .permanentRedirect, headers: again)
        case .redirectFile: return Response(status: .found, headers: [.location: "file:///etc/passwd"])
        case .redirectOtherHost where hop == 0:
            let port = authority?.split(separator: ":").last.map(String.init) ?? "80"
            return Response(status: .found, headers: [.location: "http://localhost:\(port)/recordings/\(file)?hop=1"])
        default: return nil
        }
    }

    private func plan(_ fault: FaultKind?, _ recording: Recording) -> BodyPlan {
        var plan = BodyPlan(length: recording.byteCount)
        switch fault {
        case .truncated: plan.length = recording.byteCount / 2
        case .reset: plan.cut = recording.byteCount / 2
        case .shortBody: (plan.cut, plan.extra) = (recording.byteCount, 4096)
        case .slow: (plan.chunk, plan.delay) = (4096, options.slowChunkDelay)
        case .slowLoris: plan.stall = options.lorisDelay
        case .chunked: plan.chunked = true
        default: break
        }
        return plan
    }

    /// Streams `recording` as `plan` says, honouring `Range` unless the fault says otherwise.
    private func streamed(_ recording: Recording, plan: BodyPlan, range: String?, fault: FaultKind? = nil) -> Response {
        var plan = plan
        var status = HTTPResponse.Status.ok
        var headers: HTTPFields = [.contentType: "audio/mpeg", .acceptRanges: "bytes"]
        if let range, fault != .ignoreRange {
            guard let from = Self.rangeStart(range), from < plan.length else {
                headers[.contentRange] = "bytes */\(plan.length)"
                return Response(status: .rangeNotSatisfiable, headers: headers)
            }
            plan.start = fault == .wrongRange ? from / 2 : from
            status = .partialContent
        } else if fault == .wrongRange {
            status = .partialContent
        }
        if status == .partialContent {
            headers[.contentRange] = "bytes \(plan.start)-\(plan.length + plan.extra - 1)/\(plan.length + plan.extra)"
        }
        return Response(status: status, headers: headers, body: plan.body(recording))
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

/// How a recording's bytes go out: which bytes, declared how, at what pace, cut where.
struct BodyPlan: Sendable {
    /// The first byte served (a `Range` start).
    var start = 0
    /// The end of the bytes the server has.
    var length: Int
    /// Bytes declared beyond `length` (`Content-Length` larger than the body).
    var extra = 0
    /// Where the connection drops (when the body starts before it).
    var cut: Int?
    var chunk = 64 * 1024
    /// Pause after every chunk (`slow`).
    var delay: Duration?
    /// Pause between three small pieces after the first 16 KiB (`slow-loris`).
    var stall: Duration?
    /// No `Content-Length`: chunked transfer encoding.
    var chunked = false

    func body(_ recording: Recording) -> ResponseBody {
        let plan = self
        let cut = plan.cut.flatMap { $0 > plan.start ? $0 : nil }
        return ResponseBody(contentLength: chunked ? nil : length + extra - start) { writer in
            let end = min(plan.length, cut ?? plan.length)
            var offset = plan.start
            var stalls = 0
            while offset < end {
                let stalling = plan.stall != nil && offset >= plan.start + 16_384 && stalls < 3
                let next = min(end, offset + (stalling ? 512 : plan.chunk))
                try await writer.write(ByteBuffer(bytes: recording.bytes(offset..<next)))
                offset = next
                if let delay = plan.delay { try await Task.sleep(for: delay) }
                if stalling, let stall = plan.stall {
                    stalls += 1
                    try await Task.sleep(for: stall)
                }
            }
            if cut != nil {
                // Give the bytes written so far time to leave: closing drops what is still queued.
                try await Task.sleep(for: .milliseconds(500))
                throw SimulatedReset()
            }
            try await writer.finish(nil)
        }
    }
}

/// gzip framing around deflate "stored" blocks: a valid gzip stream without a compressor.
enum Gzip {
    static func stored(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = [0x1F, 0x8B, 8, 0, 0, 0, 0, 0, 0, 0xFF]
        var offset = 0
        repeat {
            let count = min(65_535, bytes.count - offset)
            let last: UInt8 = offset + count == bytes.count ? 1 : 0
            out += [last, UInt8(count & 0xFF), UInt8(count >> 8), UInt8(~count & 0xFF), UInt8((~count >> 8) & 0xFF)]
            out += bytes[offset..<(offset + count)]
            offset += count
        } while offset < bytes.count
        out += littleEndian(crc32(bytes)) + littleEndian(UInt32(truncatingIfNeeded: bytes.count))
        return out
    }

    static func crc32(_ bytes: [UInt8]) -> UInt32 {
        var crc: UInt32 = 0xFFFF_FFFF
        for byte in bytes {
            crc ^= UInt32(byte)
            for _ in 0..<8 { crc = (crc >> 1) ^ (crc & 1 == 1 ? 0xEDB8_8320 : 0) }
        }
        return ~crc
    }

    private static func littleEndian(_ value: UInt32) -> [UInt8] {
        (0..<4).map { UInt8((value >> (8 * $0)) & 0xFF) }
    }
}

/// The body shapes docs/contract.md §1 allows, chosen per order so every shape gets exercised.
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
