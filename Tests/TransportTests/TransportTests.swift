import AsyncHTTPClient
import Foundation
import NIOCore
import Simulator
import Testing
import Transport

/// `Transport.describe` and the client `Transport.configuration` configures. Each timeout test
/// makes every other limit long, so the message alone proves which one fired (elapsed times
/// would measure the load of the shared test process instead).
@Suite struct TransportTests {
    @Test func timeoutsAndClosesHaveTheirOwnWords() {
        #expect(Transport.describe(HTTPClientError.connectTimeout) == "connection timed out")
        #expect(Transport.describe(HTTPClientError.readTimeout) == "no data within the read timeout")
        #expect(Transport.describe(HTTPClientError.deadlineExceeded) == "the request took longer than --timeout")
        #expect(Transport.describe(HTTPClientError.remoteConnectionClosed) == "the server closed the connection")
        #expect(Transport.describe(CancellationError()) == "CancellationError()")
    }

    /// A closed port: refused at once, not after the connect timeout (the pool does not retry).
    @Test func refusedConnectionFailsAtOnce() async throws {
        let port = try BlackHole().port  // bound, then closed again: nothing listens there now
        let error = await Self.failure(url: "http://127.0.0.1:\(port)/", connectTimeout: 300, readTimeout: 300, deadline: 300)
        #expect(Transport.describe(try #require(error)) == "connection refused")
    }

    /// A port that never answers the handshake: the connect timeout fires.
    @Test func silentPortHitsTheConnectTimeout() async throws {
        let hole = try BlackHole()
        let error = await Self.failure(url: "http://127.0.0.1:\(hole.port)/", connectTimeout: 0.5, readTimeout: 300, deadline: 300)
        #expect(Transport.describe(try #require(error)) == "connection timed out")
        withExtendedLifetime(hole) {}
    }

    @Test func stalledBodyHitsTheReadTimeout() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["TRLOR1": FaultRule(kind: .slowLoris)], lorisDelay: .seconds(1)))
        let error = try await simulator.withRunning { api in
            await Self.failure(url: api.replacingOccurrences(of: "/calls", with: "/recordings/TRLOR1.mp3"), connectTimeout: 300, readTimeout: 0.3)
        }
        #expect(Transport.describe(try #require(error)) == "no data within the read timeout")
    }

    /// The client's deadline covers the wait for the response head (here: a server that takes
    /// the connection but never answers); the body is the downloader's to hold to `--timeout`
    /// (see DownloadsTests).
    @Test func deadlineEndsTheWaitForTheHead() async throws {
        let hole = try BlackHole(full: false)
        let error = await Self.failure(url: "http://127.0.0.1:\(hole.port)/", connectTimeout: 300, readTimeout: 300, deadline: 0.5)
        #expect(Transport.describe(try #require(error)) == "the request took longer than --timeout")
        withExtendedLifetime(hole) {}
    }

    /// Redirects come back to the caller, which checks each hop; bodies are never decompressed.
    @Test func redirectsAndEncodingsAreLeftToTheCaller() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["TRHOP1": FaultRule(kind: .redirect), "TRGZP1": FaultRule(kind: .gzip)]))
        let (redirect, gzip) = try await simulator.withRunning { api in
            try await HTTPClient.withHTTPClient(configuration: Transport.configuration(connectTimeout: 300, readTimeout: 300)) { http in
                let base = api.replacingOccurrences(of: "/calls", with: "/recordings/")
                let hop = try await http.execute(HTTPClientRequest(url: base + "TRHOP1.mp3"), timeout: .seconds(300))
                _ = try await hop.body.collect(upTo: 1 << 20)
                let packed = try await http.execute(HTTPClientRequest(url: base + "TRGZP1.mp3"), timeout: .seconds(300))
                let body = try await packed.body.collect(upTo: 64 << 20)
                return (hop.status.code, (packed.headers.first(name: "Content-Encoding"), Array(body.readableBytesView.prefix(2))))
            }
        }
        #expect(redirect == 302)
        #expect(gzip.0 == "gzip" && gzip.1 == [0x1F, 0x8B])
        #expect(simulator.requests.filter { $0.path == "/recordings/TRHOP1.mp3" }.count == 1)
    }

    /// Runs one GET to the end of its body; the error it ends with, if any.
    static func failure(url: String, connectTimeout: Double, readTimeout: Double, deadline: Double = 300) async -> (any Error)? {
        do {
            let configuration = Transport.configuration(connectTimeout: connectTimeout, readTimeout: readTimeout)
            try await HTTPClient.withHTTPClient(configuration: configuration) { http in
                let response = try await http.execute(HTTPClientRequest(url: url), timeout: .milliseconds(Int64(deadline * 1000)))
                for try await _ in response.body {}
            }
            return nil
        } catch {
            return error
        }
    }
}
