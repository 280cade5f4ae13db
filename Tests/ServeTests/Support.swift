import Archive
import AsyncHTTPClient
import Catalog
import Foundation
import Model
import NIOCore
import NIOHTTP1
import Serve
import Simulator
import Telephony
import TestSupport
import Transport

/// A store name that would run script if any page pasted it as markup.
let hostileName = "<img src=x onerror=alert(1)><script>alert(2)</script>"

/// An archive fetched from the simulator once per test process (the tests only read it), plus
/// three hand-made rows: a hostile store name, a file path leading out of the archive, and a
/// symbolic link inside the archive pointing out of it.
actor Fixture {
    static let shared = Fixture()
    private var built: Task<ArchiveLocation, any Error>?

    func location() async throws -> ArchiveLocation {
        if let built { return try await built.value }
        let task = Task { try await Self.build() }
        built = task
        return try await task.value
    }

    static let orderCount = 14

    /// The order whose recording lasts 3.5 hours: long enough that seeking in a browser needs a
    /// new Range request.
    static func longOrder(_ ids: [String]) -> String { ids[8] }
    static var long: String { longOrder(CallGenerator.sampleOrderIDs(count: orderCount)) }

    private static func build() async throws -> ArchiveLocation {
        let location = ArchiveLocation(directory: try temporaryDirectory())
        let catalog = try await location.openForWriting()
        let ids = CallGenerator.sampleOrderIDs(count: orderCount)
        let simulator = Simulator(options: SimulatorOptions(rules: [ids[3]: FaultRule(kind: .noRecording), ids[5]: FaultRule(kind: .html), longOrder(ids): FaultRule(kind: .long)]))
        try await simulator.withRunning { url in
            let options = FetchOptions(location: location, api: APIConfiguration(apiURL: url), retry: RetryPolicy(retries: 1, baseDelay: 0.01), jobs: 4)
            _ = try await FetchPipeline(options: options, catalog: catalog).run(orders: try ids.map { try OrderID($0) }) { _ in }
        }
        let template = try require(try await catalog.record(order: ids[0], callIndex: 1))
        var hostile = template
        hostile.orderID = "XSS001"
        hostile.storeName = hostileName
        hostile.agentName = hostileName
        hostile.verdictDetail = hostileName
        hostile.sha256 = "0\r\nX-Injected: yes"
        var outside = template
        outside.orderID = "OUT001"
        outside.filePath = "../outside.mp3"
        var linked = template
        linked.orderID = "LNK001"
        linked.filePath = "LNK001.mp3"
        let parent = (location.directory as NSString).deletingLastPathComponent
        try Data("secret".utf8).write(to: URL(fileURLWithPath: parent + "/outside.mp3"))
        try FileManager.default.createSymbolicLink(atPath: location.path("LNK001.mp3"), withDestinationPath: parent + "/outside.mp3")
        try await catalog.save([hostile, outside, linked])
        return location
    }
}

/// `#require` for the fixture, which runs outside a test.
private func require<T>(_ value: T?) throws -> T {
    guard let value else { throw ServeError.usage("fixture row missing") }
    return value
}

/// Runs `body` with a server over `location` on a free loopback port.
func withServer<T: Sendable>(
    _ location: ArchiveLocation, token: String? = nil, pageSize: Int = 5, exportPageSize: Int = 2_000,
    onRequest: (@Sendable (ServedRequest) -> Void)? = nil, _ body: @Sendable (String) async throws -> T
) async throws -> T {
    var configuration = ServeConfiguration(location: location, port: 0, token: token, pageSize: pageSize, onRequest: onRequest)
    configuration.exportPageSize = exportPageSize
    return try await WebServer.open(configuration).withRunning(body)
}

/// One HTTP answer, its body whole.
struct Answer: Sendable {
    let status: Int
    let headers: HTTPHeaders
    let body: [UInt8]
    var text: String { String(decoding: body, as: UTF8.self) }
    func header(_ name: String) -> String? { headers.first(name: name) }
}

/// A client that does not follow redirects, so tests see them.
let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(redirectConfiguration: .disallow))

func get(_ url: String, headers: [(String, String)] = [], method: HTTPMethod = .GET, body: String? = nil) async throws -> Answer {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(ByteBuffer(string: body)) }
    let response = try await client.execute(request, timeout: .seconds(30))
    let bytes = try await response.body.collect(upTo: 64 << 20)
    return Answer(status: Int(response.status.code), headers: response.headers, body: Array(bytes.readableBytesView))
}

/// Sends `path` exactly as written (no client normalises it) and returns the status line and
/// header block: for traversal and header-injection tests.
func rawGet(_ base: String, _ path: String) async throws -> (status: Int, head: String) {
    let port = UInt16(URL(string: base)!.port!)
    return try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            defer { close(fd) }
            var address = sockaddr_in()
            address.sin_family = sa_family_t(AF_INET)
            address.sin_port = port.bigEndian
            address.sin_addr.s_addr = inet_addr("127.0.0.1")
            var timeout = timeval(tv_sec: 20, tv_usec: 0)
            setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
            let connected = withUnsafePointer(to: &address) {
                $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
            }
            guard connected == 0 else { return continuation.resume(throwing: ServeError.usage("connect failed")) }
            let request = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
            _ = request.withCString { send(fd, $0, strlen($0), 0) }
            var data = [UInt8]()
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = recv(fd, &buffer, buffer.count, 0)
                if count <= 0 { break }
                data += buffer[0..<count]
            }
            let text = String(decoding: data, as: UTF8.self)
            let head = text.components(separatedBy: "\r\n\r\n").first ?? ""
            let status = Int(head.split(separator: " ").dropFirst().first ?? "") ?? 0
            continuation.resume(returning: (status, head))
        }
    }
}

/// The built `callarchive` binary beside the test bundle.
let binary: String = {
    var directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    for _ in 0..<4 {
        let candidate = directory.appendingPathComponent("callarchive").path
        if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        directory = directory.deletingLastPathComponent()
    }
    return repositoryRoot.appendingPathComponent(".build/debug/callarchive").path
}()
