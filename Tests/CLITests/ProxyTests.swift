import Foundation
import Simulator
import Testing
import TestSupport

/// A forward proxy on loopback (python3): CONNECT tunnels and absolute-URI requests, with
/// Basic credentials required when given; each request's target is appended to a log.
final class LoopbackProxy: Sendable {
    let process: Process
    let port: Int
    let log: String
    /// The proxy's stdin: when the test process ends, it closes and the proxy exits.
    private let lifeline = Pipe()

    static let script = #"""
        import base64, os, socket, sys, threading
        log_path, credentials = sys.argv[1], sys.argv[2]
        def watch_parent():
            sys.stdin.read()
            os._exit(0)
        threading.Thread(target=watch_parent, daemon=True).start()
        lock = threading.Lock()
        def record(line):
            with lock, open(log_path, "a") as f: f.write(line + "\n")
        def pipe(a, b):
            try:
                while True:
                    data = a.recv(65536)
                    if not data: break
                    b.sendall(data)
            except OSError: pass
            finally:
                for s in (a, b):
                    try: s.shutdown(socket.SHUT_RDWR)
                    except OSError: pass
        def handle(client):
            head = b""
            while b"\r\n\r\n" not in head:
                data = client.recv(65536)
                if not data: return client.close()
                head += data
            head, rest = head.split(b"\r\n\r\n", 1)
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {l.split(":", 1)[0].strip().lower(): l.split(":", 1)[1].strip() for l in lines[1:] if ":" in l}
            if credentials and headers.get("proxy-authorization") != "Basic " + base64.b64encode(credentials.encode()).decode():
                record("DENIED " + method + " " + target)
                client.sendall(b"HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic\r\nContent-Length: 0\r\n\r\n")
                return client.close()
            if method == "CONNECT":
                host, port = target.rsplit(":", 1)
                upstream = socket.create_connection((host, int(port)))
                record("CONNECT " + target)
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                if rest: upstream.sendall(rest)
            else:
                hostport = target.split("/")[2]
                host, port = (hostport.rsplit(":", 1) + ["80"])[:2]
                upstream = socket.create_connection((host, int(port)))
                record(method + " " + target)
                path = "/" + target.split("/", 3)[3] if target.count("/") >= 3 else "/"
                kept = [l for l in lines[1:] if not l.lower().startswith("proxy-")]
                upstream.sendall(("\r\n".join([method + " " + path + " HTTP/1.1"] + kept) + "\r\n\r\n").encode("latin-1") + rest)
            threading.Thread(target=pipe, args=(upstream, client), daemon=True).start()
            pipe(client, upstream)
        server = socket.socket()
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        print(server.getsockname()[1], flush=True)
        while True:
            conn, _ = server.accept()
            threading.Thread(target=handle, args=(conn,), daemon=True).start()
        """#

    init(credentials: String = "") throws {
        log = try temporaryDirectory() + "/proxy.log"
        FileManager.default.createFile(atPath: log, contents: nil)
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        process.arguments = ["-c", Self.script, log, credentials]
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        process.standardInput = lifeline
        try process.run()
        var text = ""
        while !text.hasSuffix("\n") {
            let byte = out.fileHandleForReading.readData(ofLength: 1)
            guard !byte.isEmpty else { break }
            text += String(decoding: byte, as: UTF8.self)
        }
        port = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
    }

    var url: String { "http://127.0.0.1:\(port)" }

    /// The requests the proxy handled: `CONNECT 127.0.0.1:PORT`, `DENIED …`.
    var requests: [String] {
        ((try? String(contentsOfFile: log, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    deinit { kill(process.processIdentifier, SIGKILL) }
}

/// `--proxy` and the proxy variables, with a real forward proxy on loopback.
@Suite(.serialized) struct ProxyTests {
    @Test func apiAndRecordingRequestsGoThroughTheProxy() async throws {
        let proxy = try LoopbackProxy(credentials: "agent:s3cret")
        #expect(proxy.port > 0)
        let archive = try temporaryDirectory()
        // PRX002's recording is on `localhost`, another host than the API's 127.0.0.1.
        let simulator = Simulator(options: SimulatorOptions(rules: ["PRX002": FaultRule(kind: .otherHost)]))
        let result = try await simulator.withRunning { url in
            let port = URL(string: url)!.port!
            let run = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--proxy", "http://agent:s3cret@127.0.0.1:\(proxy.port)",
                                         "PRX001", "PRX002"])
            #expect(proxy.requests.contains("CONNECT 127.0.0.1:\(port)"), "\(proxy.requests)")
            #expect(proxy.requests.contains("CONNECT localhost:\(port)"), "the other host's recording went through the proxy too: \(proxy.requests)")
            return run
        }
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("s3cret") && !result.stdout.contains("s3cret"))
        #expect(FileManager.default.fileExists(atPath: archive + "/PRX001.mp3"))
        #expect(FileManager.default.fileExists(atPath: archive + "/PRX002.mp3"))
    }

    @Test func environmentVariablesAndNoProxyAsCurlReadsThem() async throws {
        let proxy = try LoopbackProxy()
        let archive = try temporaryDirectory()
        let simulator = Simulator(options: SimulatorOptions(rules: ["PRX012": FaultRule(kind: .otherHost)]))
        try await simulator.withRunning { url in
            let port = URL(string: url)!.port!
            // http URLs read the lowercase http_proxy only; NO_PROXY sends `localhost` direct.
            let run = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "PRX011", "PRX012"],
                                        environment: ["http_proxy": proxy.url, "NO_PROXY": "example.org,.localhost"])
            #expect(run.status == 0, "\(run.stderr)")
            #expect(Set(proxy.requests) == ["CONNECT 127.0.0.1:\(port)"], "\(proxy.requests)")
            let seen = proxy.requests.count
            // The uppercase HTTP_PROXY is ignored for http URLs (as by curl): nothing goes through.
            let direct = try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--force", "PRX013"],
                                           environment: ["HTTP_PROXY": proxy.url])
            #expect(direct.status == 0, "\(direct.stderr)")
            #expect(proxy.requests.count == seen, "\(proxy.requests)")
        }
    }

    @Test func wrongCredentialsFailWithoutShowingThem() async throws {
        let proxy = try LoopbackProxy(credentials: "agent:right")
        let archive = try temporaryDirectory()
        let simulator = Simulator()
        let result = try await simulator.withRunning { url in
            try await CLI.run(["fetch", "--archive", archive, "--api-url", url, "--retries", "0", "PRX020"],
                              environment: ["http_proxy": "http://agent:wrong-pass@127.0.0.1:\(proxy.port)"])
        }
        #expect(result.status == 1)
        #expect(proxy.requests.first?.hasPrefix("DENIED CONNECT") == true, "\(proxy.requests)")
        #expect(simulator.requests.isEmpty)
        #expect(!result.stderr.contains("wrong-pass"), "\(result.stderr)")
        let bad = try await CLI.run(["fetch", "--archive", archive, "--proxy", "socks5://user:pw-secret@host:1080", "PRX021"])
        #expect(bad.status == 64)
        #expect(bad.stderr.contains("--proxy socks5://user:***@host:1080: only http:// proxies are supported"), "\(bad.stderr)")
    }
}
