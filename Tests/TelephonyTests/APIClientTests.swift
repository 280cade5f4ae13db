import AsyncHTTPClient
import Foundation
import Model
import Simulator
import Telephony
import Testing
import Transport

@Suite struct APIClientTests {
    func withClient<T: Sendable>(
        _ simulator: Simulator, token: String? = nil,
        _ body: @Sendable (APIClient, String) async throws -> T
    ) async throws -> T {
        try await simulator.withRunning { url in
            try await HTTPClient.withHTTPClient(configuration: Transport.configuration(connectTimeout: 30, readTimeout: 30)) { http in
                try await body(try APIClient(configuration: APIConfiguration(apiURL: url, token: token), http: http), url)
            }
        }
    }

    @Test func readsTheSimulatorsCalls() async throws {
        let simulator = Simulator()
        let calls = try await withClient(simulator) { client, _ in try await client.calls(for: try OrderID("ABC123")) }
        let expected = CallGenerator.calls(for: try OrderID("ABC123"))
        #expect(calls.count == expected.count)
        #expect(calls.first?.storeName == expected.first?.storeName)
        #expect(calls.first?.callInTime == expected.first?.callIn.iso8601)
        #expect(calls.first?.recordingURL.hasSuffix("/recordings/ABC123.mp3") == true)
    }

    @Test func notFoundIsPermanent() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["GONE1": FaultRule(kind: .notFound)]))
        let error = try await withClient(simulator) { client, _ -> TelephonyError? in
            do {
                _ = try await client.calls(for: try OrderID("GONE1"))
                return nil
            } catch {
                return error as? TelephonyError
            }
        }
        #expect(error?.description == "order GONE1 not found (HTTP 404)")
        #expect(error?.kind == .permanent)
    }

    @Test func rateLimitCarriesRetryAfter() async throws {
        let simulator = Simulator(options: SimulatorOptions(rules: ["SLOW1": FaultRule(kind: .rateLimited, times: 1)], retryAfter: 2))
        let kind = try await withClient(simulator) { client, _ -> FailureKind? in
            do {
                _ = try await client.calls(for: try OrderID("SLOW1"))
                return nil
            } catch {
                return (error as? TelephonyError)?.kind
            }
        }
        #expect(kind == .rateLimited(retryAfter: 2))
    }

    @Test func templatesSubstituteTheID() throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Transport.configuration(connectTimeout: 1, readTimeout: 1))
        defer { try? http.syncShutdown() }
        let client = try APIClient(configuration: APIConfiguration(apiURL: "https://host.example/v2/calls?order={order_id}"), http: http)
        #expect(client.metadataURL(for: try OrderID("E8ZQCJ")) == "https://host.example/v2/calls?order=E8ZQCJ")
        let plain = try APIClient(configuration: APIConfiguration(apiURL: "https://host.example/calls/"), http: http)
        #expect(plain.metadataURL(for: try OrderID("E8ZQCJ")) == "https://host.example/calls/E8ZQCJ")
    }

    @Test func recordingURLsAreResolvedAndSchemesChecked() throws {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Transport.configuration(connectTimeout: 1, readTimeout: 1))
        defer { try? http.syncShutdown() }
        let client = try APIClient(configuration: APIConfiguration(apiURL: "http://127.0.0.1:9/api/calls", token: "s3cret"), http: http)
        #expect(try client.recordingURL("/rec/a.mp3").absoluteString == "http://127.0.0.1:9/rec/a.mp3")
        #expect(try client.recordingURL("https://cdn.example/a.mp3").absoluteString == "https://cdn.example/a.mp3")
        for hostile in ["file:///etc/passwd", "ftp://host/a.mp3", "data:audio/mpeg;base64,AAAA", "javascript:alert(1)"] {
            #expect(throws: TelephonyError.self) { try client.recordingURL(hostile) }
        }
        // The token goes to the API's own origin only.
        let same = client.headers(for: URL(string: "http://127.0.0.1:9/rec/a.mp3")!)
        #expect(same.contains { $0.0 == "Authorization" && $0.1 == "Bearer s3cret" })
        for other in ["http://localhost:9/rec/a.mp3", "https://127.0.0.1:9/a.mp3", "http://127.0.0.1:10/a.mp3", "https://cdn.example/a.mp3"] {
            #expect(!client.headers(for: URL(string: other)!).contains { $0.0 == "Authorization" })
        }
    }

    @Test func invalidAPIURLIsRefused() {
        let http = HTTPClient(eventLoopGroupProvider: .singleton, configuration: Transport.configuration(connectTimeout: 1, readTimeout: 1))
        defer { try? http.syncShutdown() }
        #expect(throws: TelephonyError.self) { try APIClient(configuration: APIConfiguration(apiURL: "ftp://x/calls"), http: http) }
        #expect(throws: TelephonyError.self) { try APIClient(configuration: APIConfiguration(apiURL: "not a url"), http: http) }
    }
}
