import AsyncHTTPClient
import Foundation
import NIOCore
import Serve
import TestSupport

/// A headless Chromium driven through chromedriver's W3C WebDriver JSON over HTTP: enough to
/// type, click, run a script, read the console and take screenshots.
final class WebDriver {
    static let chromedriver = "/usr/bin/chromedriver"
    static let chromium = "/usr/bin/chromium"

    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    let base: String
    let session: String
    private let process: Process

    private init(base: String, session: String, process: Process) {
        self.base = base
        self.session = session
        self.process = process
    }

    /// Starts chromedriver on a free port and opens a headless session `width` pixels wide.
    static func start(width: Int = 1280, height: Int = 900) async throws -> WebDriver {
        guard FileManager.default.isExecutableFile(atPath: chromedriver), FileManager.default.isExecutableFile(atPath: chromium) else {
            throw Failure(description: "the browser tests need chromium and chromedriver (Debian: chromium chromium-driver; `make deps` installs them)")
        }
        let port = try freePort()
        let process = Process()
        process.executableURL = URL(fileURLWithPath: chromedriver)
        process.arguments = ["--port=\(port)"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let base = "http://127.0.0.1:\(port)"
        do {
            try await waitUntilReady(base)
            let capabilities: [String: Any] = ["capabilities": ["alwaysMatch": [
                "browserName": "chrome",
                "goog:chromeOptions": ["binary": chromium, "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--mute-audio",
                    "--window-size=\(width),\(height)", "--no-first-run", "--disable-extensions",
                ]],
                "goog:loggingPrefs": ["browser": "ALL"],
            ]]]
            let answer = try await send("POST", base + "/session", capabilities)
            guard let value = answer as? [String: Any], let session = value["sessionId"] as? String else {
                throw Failure(description: "no WebDriver session: \(String(describing: answer))")
            }
            return WebDriver(base: base, session: session, process: process)
        } catch {
            process.terminate()
            throw error
        }
    }

    /// Ends the session and chromedriver (and so the browser).
    func quit() async {
        _ = try? await Self.send("DELETE", "\(base)/session/\(session)", nil)
        let pid = process.processIdentifier
        kill(pid, SIGTERM)
        await withCheckedContinuation { continuation in
            DispatchQueue.global().async {
                for _ in 0..<50 where kill(pid, 0) == 0 { usleep(100_000) }
                if kill(pid, 0) == 0 { kill(pid, SIGKILL) }
                continuation.resume()
            }
        }
    }

    private static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let bound = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, length) == 0 && getsockname(fd, $0, &length) == 0 }
        }
        guard bound else { throw Failure(description: "no free port") }
        return Int(UInt16(bigEndian: address.sin_port))
    }

    private static func waitUntilReady(_ base: String) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            if let value = try? await send("GET", base + "/status", nil) as? [String: Any], value["ready"] as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "chromedriver did not start within 20 s")
    }

    /// One WebDriver command; returns its `value`, or throws the driver's error message.
    @discardableResult
    static func send(_ method: String, _ url: String, _ body: [String: Any]?) async throws -> Any? {
        var request = HTTPClientRequest(url: url)
        request.method = .init(rawValue: method)
        request.headers.add(name: "Content-Type", value: "application/json")
        if let body { request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: body))) }
        let response = try await client.execute(request, timeout: .seconds(60))
        let bytes = try await response.body.collect(upTo: 32 << 20)
        let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView), options: [.fragmentsAllowed]) as? [String: Any]
        let value = object?["value"]
        if response.status.code >= 400 {
            let message = (value as? [String: Any])?["message"] as? String ?? "HTTP \(response.status.code)"
            throw Failure(description: "WebDriver \(method) \(url): \(message)")
        }
        return value is NSNull ? nil : value
    }

    @discardableResult
    func command(_ method: String, _ path: String, _ body: [String: Any]? = nil) async throws -> Any? {
        try await Self.send(method, "\(base)/session/\(session)\(path)", body)
    }

    func open(_ url: String) async throws { try await command("POST", "/url", ["url": url]) }

    func element(_ css: String) async throws -> String {
        let value = try await command("POST", "/element", ["using": "css selector", "value": css]) as? [String: Any]
        guard let id = value?.values.first as? String else { throw Failure(description: "no element \(css)") }
        return id
    }

    func click(_ css: String) async throws { try await command("POST", "/element/\(try await element(css))/click", [:]) }

    func type(_ css: String, _ text: String) async throws {
        let id = try await element(css)
        try await command("POST", "/element/\(id)/clear", [:])
        try await command("POST", "/element/\(id)/value", ["text": text])
    }

    /// Runs `script` (a function body; `return` gives the result) in the page.
    @discardableResult
    func run(_ script: String, _ arguments: [Any] = []) async throws -> Any? {
        try await command("POST", "/execute/sync", ["script": script, "args": arguments])
    }

    /// Polls `script` until it returns true, at most `seconds`.
    func wait(_ what: String, seconds: Double = 15, _ script: String) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            if try await run(script) as? Bool == true { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw Failure(description: "timed out after \(seconds) s waiting for \(what)")
    }

    func url() async throws -> String { try await command("GET", "/url") as? String ?? "" }

    /// The page as PNG, written to `path`.
    func screenshot(to path: String) async throws {
        guard let text = try await command("GET", "/screenshot") as? String, let data = Data(base64Encoded: text) else {
            throw Failure(description: "no screenshot")
        }
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path))
    }

    /// Console messages logged since the last call, as "LEVEL message".
    func consoleMessages() async throws -> [String] {
        let entries = try await command("POST", "/se/log", ["type": "browser"]) as? [[String: Any]] ?? []
        return entries.map { "\($0["level"] ?? "") \($0["message"] ?? "")" }
    }

    func setWindow(width: Int, height: Int) async throws {
        try await command("POST", "/window/rect", ["width": width, "height": height])
    }
}
