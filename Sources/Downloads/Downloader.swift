import AsyncHTTPClient
import Foundation
import Model
import NIOCore
import Transport

/// One recording to stream into a `.part` file.
public struct DownloadRequest: Sendable {
    public var url: URL
    public var partPath: String
    /// Aborts when the recording is larger (Content-Length or bytes received).
    public var maxSize: Int64
    /// Resume a leftover `.part` with `Range` when it is there.
    public var resume: Bool
    public var requestTimeout: Double

    public init(url: URL, partPath: String, maxSize: Int64 = 512 << 20, resume: Bool = true, requestTimeout: Double = 300) {
        self.url = url
        self.partPath = partPath
        self.maxSize = maxSize
        self.resume = resume
        self.requestTimeout = requestTimeout
    }
}

/// What a finished download left in the `.part` file.
public struct DownloadResult: Sendable, Equatable {
    public var size: Int64
    /// The whole size the server announced (Content-Length, or Content-Range's total).
    public var expectedSize: Int64?
    public var httpStatus: Int
    /// The offset a `Range` request resumed from, when the server honoured it (206).
    public var resumedFrom: Int64?
}

/// Streams recordings to disk: `Range` resume, `Content-Length` check, size limit, redirects
/// checked by scheme, fsync. Never holds a recording in memory.
public struct Downloader: Sendable {
    public static let maxRedirects = 5
    /// The client each URL is fetched with (a proxy's, or the direct one).
    private let route: @Sendable (URL) -> HTTPClient
    /// `--limit-rate`: the bucket every chunk received is paid from.
    private let limiter: RateLimiter?

    public init(http: HTTPClient, limiter: RateLimiter? = nil) {
        route = { _ in http }
        self.limiter = limiter
    }

    /// Fetches each URL, and each redirect, with the client `clients` picks for it.
    public init(clients: HTTPClients, limiter: RateLimiter? = nil) {
        route = { clients.client(for: $0) }
        self.limiter = limiter
    }

    /// Downloads `request.url` into `request.partPath`. `headers` gives the headers for each URL
    /// visited (the first and every redirect), so credentials can be scoped by origin.
    /// `progress` receives (bytes in the part file, expected total) as chunks arrive.
    public func download(
        _ request: DownloadRequest,
        headers: (URL) -> [(String, String)],
        progress: (Int64, Int64?) -> Void = { _, _ in }
    ) async throws(DownloadError) -> DownloadResult {
        let existing = request.resume ? Self.fileSize(request.partPath) : 0
        // The client's own deadline covers the response head only; `stream` holds the body to it.
        let deadline = ContinuousClock.now + .milliseconds(Int64(request.requestTimeout * 1000))
        let response = try await follow(request, from: existing, headers: headers)
        let status = Int(response.status.code)
        if status == 416, existing > 0 {
            // The part is not a prefix of this recording (as long as it, or longer): start over.
            return try await restart(request, headers: headers, progress: progress)
        }
        guard status == 200 || status == 206 else {
            throw .httpStatus(status: status, retryAfter: RetryAfter.seconds(in: response.headers))
        }
        // The client asks for `identity` and never decompresses: compressed bytes would be
        // stored as if they were the recording.
        if let encoding = response.headers.first(name: "Content-Encoding"), encoding.lowercased() != "identity" {
            throw .contentEncoding(String(encoding.prefix(40)))
        }
        let length = response.headers.first(name: "Content-Length").flatMap { Int64($0) }
        var resumedFrom: Int64?
        var expected: Int64? = length
        if status == 206 {
            // Append only when the server resumes exactly where the part file ends.
            let header = response.headers.first(name: "Content-Range") ?? ""
            guard let range = ContentRange(header), range.start == existing else {
                if existing > 0 { return try await restart(request, headers: headers, progress: progress) }
                throw .unexpectedRange(String(header.prefix(80)))
            }
            if existing > 0 { resumedFrom = existing }
            expected = range.total ?? length.map { $0 + existing }
        }
        if let expected, expected > request.maxSize { throw .tooLarge(limit: request.maxSize) }
        let part = try PartFile(path: request.partPath, keep: resumedFrom != nil)
        try await stream(response.body, into: part, expected: expected, limits: (request.maxSize, deadline), progress: progress)
        return DownloadResult(size: part.size, expectedSize: expected, httpStatus: status, resumedFrom: resumedFrom)
    }

    /// Sends the request (with `Range` from `existing` when it is not 0) and follows up to
    /// `maxRedirects` redirects, each checked by scheme; returns the first other response.
    private func follow(
        _ request: DownloadRequest, from existing: Int64, headers: (URL) -> [(String, String)]
    ) async throws(DownloadError) -> HTTPClientResponse {
        var url = request.url
        var redirects = 0
        while true {
            var httpRequest = HTTPClientRequest(url: url.absoluteString)
            for (name, value) in headers(url) { httpRequest.headers.add(name: name, value: value) }
            httpRequest.headers.add(name: "Accept-Encoding", value: "identity")
            if existing > 0 { httpRequest.headers.add(name: "Range", value: "bytes=\(existing)-") }
            let response: HTTPClientResponse
            do {
                response = try await route(url).execute(httpRequest, timeout: .milliseconds(Int64(request.requestTimeout * 1000)))
            } catch {
                throw Self.transportError(error)
            }
            guard [301, 302, 303, 307, 308].contains(Int(response.status.code)) else { return response }
            redirects += 1
            guard redirects <= Self.maxRedirects else { throw .tooManyRedirects(limit: Self.maxRedirects) }
            guard let location = response.headers.first(name: "Location"),
                  let next = URL(string: location, relativeTo: url)?.absoluteURL
            else { throw .refusedRedirect(url: "", reason: "no usable Location header") }
            guard Origin.refusal(of: next) == nil else {
                throw .refusedRedirect(url: location, reason: "only http and https are followed")
            }
            url = next
        }
    }

    /// Appends the body to `part`, fsyncs it and checks it holds the `expected` bytes. Stops
    /// past the size limit (even without `Content-Length`) and past the deadline (`--timeout`,
    /// checked as each chunk arrives: a body that stalls instead ends at the read timeout).
    private func stream(
        _ body: HTTPClientResponse.Body, into part: PartFile, expected: Int64?,
        limits: (maxSize: Int64, deadline: ContinuousClock.Instant), progress: (Int64, Int64?) -> Void
    ) async throws(DownloadError) {
        progress(part.size, expected)
        var deadline = limits.deadline
        do {
            for try await chunk in body {
                try Task.checkCancellation()
                try chunk.withUnsafeReadableBytes { bytes throws(DownloadError) in try part.append(bytes) }
                if part.size > limits.maxSize { throw DownloadError.tooLarge(limit: limits.maxSize) }
                if ContinuousClock.now > deadline { throw Self.transportError(HTTPClientError.deadlineExceeded) }
                progress(part.size, expected)
                // Waiting under --limit-rate is the user's choice, not the server's slowness.
                if let limiter { deadline += try await limiter.take(chunk.readableBytes) }
            }
        } catch let error as DownloadError {
            try? part.flush()
            throw error
        } catch is CancellationError {
            try? part.flush()
            throw .cancelled
        } catch {
            try? part.flush()
            // A timeout is reported as one; any other end before the announced length is a short body.
            let timedOut = (error as? HTTPClientError).map { [.readTimeout, .deadlineExceeded].contains($0) } ?? false
            if !timedOut, let expected, part.size < expected { throw .shortBody(received: part.size, expected: expected) }
            throw Self.transportError(error)
        }
        try await part.sync()
        if let expected, part.size < expected { throw .shortBody(received: part.size, expected: expected) }
    }

    /// Drops the part file and downloads from the first byte.
    private func restart(
        _ request: DownloadRequest, headers: (URL) -> [(String, String)], progress: (Int64, Int64?) -> Void
    ) async throws(DownloadError) -> DownloadResult {
        unlink(request.partPath)
        var fresh = request
        fresh.resume = false
        return try await download(fresh, headers: headers, progress: progress)
    }

    /// Size of a file, 0 when it does not exist.
    public static func fileSize(_ path: String) -> Int64 {
        var info = stat()
        return stat(path, &info) == 0 ? Int64(info.st_size) : 0
    }

    static func transportError(_ error: any Error) -> DownloadError {
        if error is CancellationError { return .cancelled }
        if let error = error as? HTTPClientError, error == .cancelled { return .cancelled }
        return .network(reason: Transport.describe(error))
    }
}

/// `Content-Range: bytes START-END/TOTAL` (TOTAL may be `*`).
package struct ContentRange: Equatable {
    package let start: Int64
    package let end: Int64
    package let total: Int64?

    package init(start: Int64, end: Int64, total: Int64?) {
        self.start = start
        self.end = end
        self.total = total
    }

    package init?(_ header: String) {
        let text = header.trimmingCharacters(in: .whitespaces)
        guard text.lowercased().hasPrefix("bytes ") else { return nil }
        let spec = text.dropFirst(6).split(separator: "/", omittingEmptySubsequences: false)
        guard spec.count == 2 else { return nil }
        let bounds = spec[0].split(separator: "-", omittingEmptySubsequences: false)
        guard bounds.count == 2, let start = Self.number(bounds[0]), let end = Self.number(bounds[1]), start <= end else { return nil }
        var total: Int64?
        if spec[1] != "*" {
            // A total that is no number, or does not hold the range, is no Content-Range.
            guard let value = Self.number(spec[1]), end < value else { return nil }
            total = value
        }
        self.init(start: start, end: end, total: total)
    }

    /// Digits only (no sign, no space), as RFC 9110 writes byte positions.
    private static func number(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int64(text)
    }
}
