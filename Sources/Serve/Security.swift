import Crypto
import Foundation
import HTTPTypes
import Hummingbird

/// Headers on every answer: a Content-Security-Policy that allows only this server's own
/// scripts, styles, images and audio (no `unsafe-inline`), no sniffing, no referrer, no
/// framing, and no caching unless a route says otherwise.
struct SecurityHeaders: RouterMiddleware {
    typealias Context = BasicRequestContext

    static let policy = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; media-src 'self'; "
        + "connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'"

    static let fields: [(HTTPField.Name, String)] = [
        (HTTPField.Name("Content-Security-Policy")!, policy),
        (HTTPField.Name("X-Content-Type-Options")!, "nosniff"),
        (HTTPField.Name("Referrer-Policy")!, "no-referrer"),
        (HTTPField.Name("X-Frame-Options")!, "DENY"),
        (HTTPField.Name("Cross-Origin-Opener-Policy")!, "same-origin"),
        (HTTPField.Name("Cross-Origin-Resource-Policy")!, "same-origin"),
        (HTTPField.Name("Permissions-Policy")!, "camera=(), microphone=(), geolocation=(), interest-cohort=()"),
    ]

    let onRequest: (@Sendable (ServedRequest) -> Void)?

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch let error as HTTPError where error.status.code < 500 {
            response = Responses.text("\(error.status.code) \(error.status.reasonPhrase)\n", type: "text/plain; charset=utf-8", status: error.status.code)
        } catch {
            // Whatever failed, the answer names no SQL, path or stack.
            response = Responses.text("500 the server could not answer\n", type: "text/plain; charset=utf-8", status: 500)
        }
        for (name, value) in Self.fields { response.headers[name] = value }
        if response.headers[.cacheControl] == nil { response.headers[.cacheControl] = "no-store" }
        onRequest?(ServedRequest(
            method: request.method.rawValue, path: request.uri.path, range: request.headers[.range], status: response.status.code
        ))
        return response
    }
}

/// With a token, every request needs it: `Authorization: Bearer TOKEN`, or the HttpOnly,
/// SameSite=Strict cookie the `/login` form sets. Without it, pages show the form and
/// everything else gets 401.
struct TokenGate: RouterMiddleware {
    typealias Context = BasicRequestContext

    let token: String
    static let cookieName = "callarchive_session"

    /// What the cookie holds: a digest of the token, so the token itself is never stored by the browser.
    var cookieValue: String {
        SHA256.hash(data: Data(("callarchive serve session:" + token).utf8)).map { String(format: "%02x", $0) }.joined()
    }

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        if request.uri.path == "/login" || request.uri.path.hasPrefix("/static/") { return try await next(request, context) }
        if let header = request.headers[.authorization], header.hasPrefix("Bearer "),
           Self.same(String(header.dropFirst(7)), token) {
            return try await next(request, context)
        }
        if let cookie = request.cookies[Self.cookieName], Self.same(cookie.value, cookieValue) {
            return try await next(request, context)
        }
        if request.uri.path.hasPrefix("/api/") || request.uri.path == "/healthz" || request.uri.path.hasSuffix(".mp3") {
            var response = Responses.json("{\"error\":\"this server needs its token: Authorization: Bearer TOKEN\"}\n", status: 401)
            response.headers[.wwwAuthenticate] = "Bearer"
            return response
        }
        return Responses.html(Pages.loginPage(failed: false), status: 401)
    }

    /// `POST /login` with `token=…`: the cookie and a redirect to the search page, or the form again.
    func login(_ request: Request) async throws -> Response {
        let body = try await request.body.collect(upTo: 4_096)
        let fields = FormFields(String(buffer: body))
        guard let given = fields["token"], Self.same(given, token) else {
            return Responses.html(Pages.loginPage(failed: true), status: 401)
        }
        let cookie = "\(Self.cookieName)=\(cookieValue); Path=/; HttpOnly; SameSite=Strict"
        return Responses.redirect("/", headers: [.setCookie: cookie])
    }

    /// Compares in time that does not depend on where the texts differ.
    static func same(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8), right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for (a, b) in zip(left, right) { difference |= a ^ b }
        return difference == 0
    }
}
