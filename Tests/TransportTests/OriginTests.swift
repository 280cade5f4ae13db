import Foundation
import Model
import Testing
import Transport

/// The one URL check every fetch goes through, and the one reading of an HTTP status.
@Suite struct OriginTests {
    @Test func onlyAbsoluteHTTPURLsWithAHostPass() throws {
        for good in ["http://h/a.mp3", "HTTPS://H:8443/a", "https://cdn.example/x?y=1"] {
            #expect(Origin.refusal(of: try #require(URL(string: good))) == nil, "\(good)")
        }
        #expect(Origin.refusal(of: try #require(URL(string: "/relative/a.mp3"))) == .notAbsolute)
        #expect(Origin.refusal(of: try #require(URL(string: "FTP://h/a.mp3"))) == .scheme("ftp"))
        #expect(Origin.refusal(of: try #require(URL(string: "file:///etc/passwd"))) == .scheme("file"))
        #expect(Origin.refusal(of: try #require(URL(string: "http:/a.mp3"))) == .noHost)
    }

    @Test func originsFillInTheDefaultPort() throws {
        #expect(Origin(try #require(URL(string: "HTTP://Host.Example/a")))?.description == "http://host.example:80")
        #expect(Origin(try #require(URL(string: "https://host.example/a")))?.description == "https://host.example:443")
        #expect(Origin(try #require(URL(string: "https://host.example:8443/a")))?.description == "https://host.example:8443")
        #expect(Origin(try #require(URL(string: "ftp://host.example/a"))) == nil)
    }

    @Test func statusesAreClassifiedAsTheContractSays() {
        #expect(FailureKind(httpStatus: 429, retryAfter: 3) == .rateLimited(retryAfter: 3))
        #expect(FailureKind(httpStatus: 429, retryAfter: nil) == .rateLimited(retryAfter: nil))
        for status in [500, 502, 503, 599] { #expect(FailureKind(httpStatus: status, retryAfter: nil) == .transient) }
        for status in [400, 401, 403, 404, 410, 416] { #expect(FailureKind(httpStatus: status, retryAfter: nil) == .permanent) }
    }
}
