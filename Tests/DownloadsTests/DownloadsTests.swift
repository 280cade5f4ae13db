import AsyncHTTPClient
import Downloads
import Foundation
import Model
import Simulator
import Testing
import TestSupport
import Transport

@Suite struct ContentRangeTests {
    @Test func wellFormedRangesParse() {
        #expect(ContentRange("bytes 0-99/100") == ContentRange(start: 0, end: 99, total: 100))
        #expect(ContentRange("bytes 100-199/*") == ContentRange(start: 100, end: 199, total: nil))
        #expect(ContentRange("  bytes 5-5/6 ") == ContentRange(start: 5, end: 5, total: 6))
        #expect(ContentRange("Bytes 1-2/3")?.start == 1)
    }

    @Test func malformedRangesAreRejected() {
        for header in [
            "", "bytes", "bytes */100", "bytes 0-99", "bytes 9-5/10", "items 0-1/2", "bytes a-b/c", "bytes 0-/10",
            "bytes -5-9/10", "bytes 0-99/abc", "bytes 0-99/100/1", "bytes 0-100/100", "bytes 0-99/-1", "bytes +1-2/3",
        ] {
            #expect(ContentRange(header) == nil, "\(header)")
        }
    }
}

/// The downloader against the in-process simulator over loopback. Timeouts are long unless a
/// timeout is what a test is about: the whole test run shares one process, and a simulator
/// can wait many seconds for a thread while other suites decode.
@Suite struct DownloaderTests {
    /// Downloads `order`'s first recording from a simulator with `rules`, into `partPath` (a
    /// leftover `.part` there is resumed). Returns the result or the error, and the recording
    /// requests the simulator saw.
    static func download(
        _ order: String, rules: [String: FaultRule] = [:], partPath: String, maxSize: Int64 = 512 << 20, readTimeout: Double = 120,
        timeout: Double = 120
    ) async throws -> (Result<DownloadResult, DownloadError>, [LoggedRequest]) {
        let simulator = Simulator(options: SimulatorOptions(rules: rules, slowChunkDelay: .milliseconds(100), lorisDelay: .seconds(3)))
        let result = try await simulator.withRunning { api in
            try await HTTPClient.withHTTPClient(configuration: Transport.configuration(connectTimeout: 5, readTimeout: readTimeout)) { http in
                let url = URL(string: api.replacingOccurrences(of: "/calls", with: "/recordings/\(order).mp3"))!
                let request = DownloadRequest(url: url, partPath: partPath, maxSize: maxSize, requestTimeout: timeout)
                do {
                    return Result<DownloadResult, DownloadError>.success(try await Downloader(http: http).download(request, headers: { _ in [] }))
                } catch let error as DownloadError {
                    return .failure(error)
                }
            }
        }
        return (result, simulator.requests.filter { $0.path.hasPrefix("/recordings/") })
    }

    static func served(_ order: String) throws -> [UInt8] {
        try #require(Simulator().recording(order: try OrderID(order), callIndex: 1)).allBytes
    }

    static func part(_ bytes: [UInt8]? = nil) throws -> String {
        let path = temporaryPath(".mp3.part")
        if let bytes { try Data(bytes).write(to: URL(fileURLWithPath: path)) }
        return path
    }

    static func contents(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path)))
    }

    @Test func leftoverPartIsResumedAtItsEnd() async throws {
        let served = try Self.served("DLRES1")
        let path = try Self.part(Array(served[0..<50_000]))
        let (result, requests) = try await Self.download("DLRES1", partPath: path)
        let done = try result.get()
        #expect(done.httpStatus == 206 && done.resumedFrom == 50_000 && done.expectedSize == Int64(served.count))
        #expect(requests.map(\.range) == ["bytes=50000-"])
        #expect(try Self.contents(path) == served)
    }

    @Test func rangeIgnoredMeansTheWholeBodyFromByteZero() async throws {
        let served = try Self.served("DLIGN1")
        let path = try Self.part(Array(served[0..<50_000]))
        let (result, requests) = try await Self.download("DLIGN1", rules: ["DLIGN1": FaultRule(kind: .ignoreRange)], partPath: path)
        let done = try result.get()
        #expect(done.httpStatus == 200 && done.resumedFrom == nil)
        #expect(requests.map(\.range) == ["bytes=50000-"])
        #expect(try Self.contents(path) == served)
    }

    @Test func rangeFromAnotherStartIsNeverAppended() async throws {
        let served = try Self.served("DLWRG1")
        let path = try Self.part(Array(served[0..<50_000]))
        let (result, requests) = try await Self.download("DLWRG1", rules: ["DLWRG1": FaultRule(kind: .wrongRange)], partPath: path)
        #expect(try result.get().resumedFrom == nil)
        #expect(requests.map(\.range) == ["bytes=50000-", nil])
        #expect(try Self.contents(path) == served)
    }

    /// A 206 that starts at byte 0 to a request without `Range` is the whole recording.
    @Test func partialContentFromZeroIsTheWholeRecording() async throws {
        let served = try Self.served("DLWRG2")
        let path = try Self.part()
        let (result, requests) = try await Self.download("DLWRG2", rules: ["DLWRG2": FaultRule(kind: .wrongRange)], partPath: path)
        let done = try result.get()
        #expect(done.httpStatus == 206 && done.resumedFrom == nil && done.expectedSize == Int64(served.count))
        #expect(requests.map(\.range) == [nil])
        #expect(try Self.contents(path) == served)
    }

    @Test func completePartAnswered416StartsOver() async throws {
        let served = try Self.served("DLFUL1")
        let path = try Self.part(served)
        let (result, requests) = try await Self.download("DLFUL1", partPath: path)
        #expect(try result.get().httpStatus == 200)
        #expect(requests.map(\.range) == ["bytes=\(served.count)-", nil])
        #expect(try Self.contents(path) == served)
    }

    @Test func chunkedBodyWithoutLengthIsTakenWhole() async throws {
        let served = try Self.served("DLCHK1")
        let path = try Self.part()
        let (result, _) = try await Self.download("DLCHK1", rules: ["DLCHK1": FaultRule(kind: .chunked)], partPath: path)
        let done = try result.get()
        #expect(done.expectedSize == nil && done.size == Int64(served.count))
        #expect(try Self.contents(path) == served)
    }

    @Test func lengthLargerThanTheBodyIsAShortBody() async throws {
        let served = try Self.served("DLSHT1")
        let path = try Self.part()
        let (result, _) = try await Self.download("DLSHT1", rules: ["DLSHT1": FaultRule(kind: .shortBody)], partPath: path)
        guard case let .failure(error) = result, case let .shortBody(received, expected) = error else {
            Issue.record("expected a short body, got \(result)")
            return
        }
        // The connection drops after the body; on a loaded machine the last bytes may not leave first.
        #expect(received > 0 && received <= Int64(served.count) && expected == Int64(served.count + 4096))
        #expect(error.kind == .transient)
    }

    /// Runs a timeout scenario until the body had begun (at most three times): on a loaded
    /// machine the simulator may not even send the head in time, and then the timeout under
    /// test is not the one that fired.
    static func timedOut(
        _ order: String, kind: FaultKind, readTimeout: Double = 120, timeout: Double = 120
    ) async throws -> (reason: String?, bytes: Int64) {
        var outcome: (String?, Int64) = (nil, 0)
        for _ in 0..<3 {
            let path = try Self.part()
            let (result, _) = try await Self.download(order, rules: [order: FaultRule(kind: kind)], partPath: path, readTimeout: readTimeout, timeout: timeout)
            switch result {
            case let .failure(.network(reason)): outcome = (reason, Downloader.fileSize(path))
            case let .failure(error): outcome = ("\(error)", Downloader.fileSize(path))
            case .success: outcome = (nil, Downloader.fileSize(path))
            }
            if outcome.1 > 0 { break }
        }
        return outcome
    }

    @Test func stalledBodyHitsTheReadTimeout() async throws {
        let (reason, bytes) = try await Self.timedOut("DLLOR1", kind: .slowLoris, readTimeout: 1)
        #expect(reason == "no data within the read timeout")
        #expect(bytes >= 16_384)
    }

    /// `--timeout` bounds the whole download, body included, not only the wait for its head.
    @Test func slowBodyIsHeldToTheRequestTimeout() async throws {
        let served = try Self.served("DLSLW1")
        let (reason, bytes) = try await Self.timedOut("DLSLW1", kind: .slow, timeout: 1)
        #expect(reason == "the request took longer than --timeout")
        #expect(bytes > 0 && bytes < served.count)
    }

    @Test func compressedBodyIsRefusedNotStored() async throws {
        let path = try Self.part()
        let (result, requests) = try await Self.download("DLGZP1", rules: ["DLGZP1": FaultRule(kind: .gzip)], partPath: path)
        guard case let .failure(error) = result, case .contentEncoding("gzip") = error else {
            Issue.record("expected a refused encoding, got \(result)")
            return
        }
        #expect(error.kind == .permanent)
        #expect(error.description.contains("compressed (Content-Encoding: gzip)"))
        #expect(Downloader.fileSize(path) == 0)
        #expect(requests.count == 1)
    }

    @Test func maxSizeStopsABodyWithoutLength() async throws {
        let path = try Self.part()
        let (result, _) = try await Self.download("DLBIG1", rules: ["DLBIG1": FaultRule(kind: .chunked)], partPath: path, maxSize: 100_000)
        guard case let .failure(error) = result, case .tooLarge(100_000) = error else {
            Issue.record("expected too large, got \(result)")
            return
        }
        #expect(Downloader.fileSize(path) <= 100_000 + 64 * 1024)
    }

    @Test(arguments: [FaultKind.recordingForbidden, .recordingGone])
    func otherClientErrorsArePermanent(kind: FaultKind) async throws {
        let (result, requests) = try await Self.download("DLPRM1", rules: ["DLPRM1": FaultRule(kind: kind)], partPath: try Self.part())
        guard case let .failure(error) = result, case let .httpStatus(status, _) = error else {
            Issue.record("expected an HTTP status, got \(result)")
            return
        }
        #expect(status == Int(kind.rawValue.dropFirst(4)))
        #expect(error.kind == .permanent)
        #expect(requests.count == 1)
    }

    @Test(arguments: [FaultKind.redirect301, .redirect303, .redirect307, .redirect308])
    func redirectsAreFollowed(kind: FaultKind) async throws {
        let served = try Self.served("DLRDR1")
        let path = try Self.part()
        let (result, requests) = try await Self.download("DLRDR1", rules: ["DLRDR1": FaultRule(kind: kind)], partPath: path)
        #expect(try result.get().httpStatus == 200)
        #expect(requests.map(\.query) == ["", "hop=1"])
        #expect(try Self.contents(path) == served)
    }

    @Test func errorsAreClassified() {
        #expect(DownloadError.httpStatus(status: 503, retryAfter: nil).kind == .transient)
        #expect(DownloadError.httpStatus(status: 429, retryAfter: 2).kind == .rateLimited(retryAfter: 2))
        #expect(DownloadError.httpStatus(status: 404, retryAfter: nil).kind == .permanent)
        #expect(DownloadError.httpStatus(status: 404, retryAfter: nil).description == "recording not found (HTTP 404)")
        #expect(DownloadError.tooLarge(limit: 10).kind == .permanent)
        #expect(DownloadError.network(reason: "x").kind == .transient)
        #expect(DownloadError.unexpectedRange("").kind == .transient)
    }
}
