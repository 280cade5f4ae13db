import Archive
import Catalog
import Foundation
import Model
import Reports
@testable import Serve
import Synchronization
import Testing
import TestSupport

@Suite(.serialized) struct ServeAPITests {
    /// Follows `next` cursors to the end and returns each row's `order_id#call_index`.
    func walk(_ base: String, _ parameters: String) async throws -> [String] {
        var keys: [String] = []
        var after: String?
        for _ in 0..<100 {
            let answer = try await get(base + "api/calls?limit=4" + parameters + (after.map { "&after=" + $0 } ?? ""))
            #expect(answer.status == 200)
            let object = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [String: Any])
            let calls = try #require(object["calls"] as? [[String: Any]])
            keys += calls.map { "\($0["order_id"] ?? "")#\($0["call_index"] ?? "")" }
            guard let next = object["next"] as? String else { return keys }
            after = next
        }
        Issue.record("no last page")
        return keys
    }

    @Test(arguments: ["", "verdict:valid"], ["", "-store_name", "audio_seconds", "-audio_seconds", "verdict", "agent_name"])
    func pagesWithCursorsGiveEveryRowOnceInOrder(query: String, sort: String) async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let words = query.isEmpty ? [] : [query]
        let expected = try await catalog.records(CatalogQuery(words: words, sort: sort.isEmpty ? nil : sort)).map { "\($0.orderID)#\($0.callIndex)" }
        #expect(expected.count > 8)
        let walked = try await withServer(location) { base in
            try await walk(base, "&q=" + FormFields.encode(query) + "&sort=" + FormFields.encode(sort))
        }
        #expect(walked == expected)
    }

    @Test func aPostgreSQLCatalogServesTheSamePagesAndRecordings() async throws {
        let location = try await Fixture.shared.location()
        let records = try await location.openForReading().records(CatalogQuery())
        let postgres = ArchiveLocation(directory: location.directory, catalogPath: try PostgresServer.shared.get().newDatabase())
        try await postgres.openForWriting().save(records)
        for sort in ["", "-audio_seconds", "store_name"] {
            let fromSQLite = try await withServer(location) { try await walk($0, "&sort=" + sort) }
            let fromPostgres = try await withServer(postgres) { try await walk($0, "&sort=" + sort) }
            #expect(fromPostgres == fromSQLite)
            #expect(fromPostgres.count == records.count)
        }
        let record = try #require(records.first { $0.verdict == .valid })
        try await withServer(postgres) { base in
            let answer = try await get(base + "calls/\(record.orderID)/\(record.callIndex).mp3", headers: [("Range", "bytes=0-99")])
            #expect(answer.status == 206)
            #expect(answer.body.count == 100)
            #expect(try await get(base + "stats").text.contains("<rect class=\"v-valid\""))
        }
    }

    @Test func queryErrorsAre400WithTheParsersMessage() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            let api = try await get(base + "api/calls?q=bogus:1")
            #expect(api.status == 400)
            #expect(api.text.contains("bogus"))
            let page = try await get(base + "?q=bogus%3A1+agent%3A")
            #expect(page.status == 400)
            #expect(page.text.contains("role=\"alert\""))
            #expect(page.text.contains("bogus"))
            #expect(page.text.contains("value=\"bogus:1 agent:\""))
            for bad in ["api/calls?limit=0", "api/calls?limit=x", "api/calls?after=nonsense", "api/stats?by=planet", "api/calls?sort=nope"] {
                #expect(try await get(base + bad).status == 400, "\(bad)")
            }
        }
    }

    @Test func oneCallAsJSONIsItsExportLine() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let record = try #require(try await catalog.records(CatalogQuery(words: ["verdict:=valid"], limit: 1)).first)
        try await withServer(location) { base in
            let answer = try await get(base + "api/calls/\(record.orderID)/\(record.callIndex)")
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "application/json")
            #expect(answer.text == JSONLinesWriter().line(record))
            #expect(try await get(base + "api/calls/\(record.orderID)/99").status == 404)
            #expect(try await get(base + "api/calls/NOPE!!/1").status == 404)
        }
    }

    @Test func statsAreStatsJSON() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let rows = try await catalog.stats(CatalogQuery(words: ["verdict:valid"]), by: .agent)
        try await withServer(location) { base in
            let answer = try await get(base + "api/stats?by=agent&q=verdict%3Avalid")
            #expect(answer.status == 200)
            let array = try #require(try JSONSerialization.jsonObject(with: Data(answer.body)) as? [[String: Any]])
            #expect(array.map { $0["group"] as? String } == rows.map(\.group))
            #expect(array.map { $0["calls"] as? Int } == rows.map(\.calls))
            #expect(array.last?["group"] as? String == "TOTAL")
        }
    }

    @Test(arguments: ["", "verdict:valid", "store:\"Seven Mile\""])
    func exportCSVIsTheBytesOfExport(query: String) async throws {
        let location = try await Fixture.shared.location()
        let words = QueryWords.split(query)
        let cli = try await run([binary, "export", "--archive", location.directory] + words)
        #expect(cli.status == 0)
        // Pages of 3 rows: the stream is stitched from many keyset queries.
        try await withServer(location, exportPageSize: 3) { base in
            let answer = try await get(base + "export.csv?q=" + FormFields.encode(query))
            #expect(answer.status == 200)
            #expect(answer.header("Content-Type") == "text/csv; charset=utf-8")
            #expect(answer.body == Array(cli.stdout))
        }
    }

    @Test func healthz() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            let answer = try await get(base + "healthz")
            #expect(answer.status == 200)
            #expect(answer.text == "{\"status\":\"ok\"}\n")
        }
    }
}

@Suite(.serialized) struct ServePageTests {
    @Test func searchPageListsFiltersSortsAndPages() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let agent = try #require(try await catalog.records(CatalogQuery(words: ["verdict:=valid"], limit: 1)).first?.agentName)
        let first = agent.split(separator: " ").first.map(String.init) ?? agent
        let expected = try await catalog.records(CatalogQuery(words: ["agent:" + first]))
        try await withServer(location, pageSize: 2) { base in
            let page = try await get(base + "?q=agent%3A" + FormFields.encode(first))
            #expect(page.status == 200)
            #expect(page.header("Content-Type") == "text/html; charset=utf-8")
            for record in expected.prefix(2) { #expect(page.text.contains("/calls/\(record.orderID)/\(record.callIndex)")) }
            #expect(page.text.contains("class=\"badge v-"))
            #expect(page.text.contains("href=\"/export.csv?q=agent:" + FormFields.encode(first) + "\""))
            #expect(page.text.contains("rel=\"next\"") == (expected.count > 2))
            let sorted = try await get(base + "?sort=-store_name")
            #expect(sorted.text.contains("aria-sort=\"descending\""))
        }
    }

    @Test func callPageShowsTheCallAndItsPlayer() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let record = try #require(try await catalog.records(CatalogQuery(words: ["verdict:=valid"], limit: 1)).first)
        try await withServer(location) { base in
            let page = try await get(base + "calls/\(record.orderID)/\(record.callIndex)")
            #expect(page.status == 200)
            #expect(page.text.contains("<audio id=\"player\" controls preload=\"metadata\" src=\"/calls/\(record.orderID)/\(record.callIndex).mp3\">"))
            #expect(page.text.contains(record.agentName))
            #expect(page.text.contains(try #require(record.sha256)))
            #expect(page.text.contains("<h2 id=\"attempts\">Attempts</h2>"))
            #expect(page.text.contains("recording"))
            let missing = try await get(base + "calls/\(record.orderID)/42")
            #expect(missing.status == 404)
            #expect(missing.text.contains("Not found"))
        }
    }

    @Test func statsPageDrawsItsChartsInSVG() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            let page = try await get(base + "stats")
            #expect(page.status == 200)
            for id in ["chart-days", "chart-mix", "chart-stores", "chart-agents"] { #expect(page.text.contains("id=\"\(id)\"")) }
            #expect(page.text.contains("<rect class=\"v-valid\""))
            #expect(page.text.contains("<rect class=\"bar\""))
            let filtered = try await get(base + "stats?q=verdict%3Ano_recording")
            #expect(!filtered.text.contains("<rect class=\"v-valid\""))
            #expect(try await get(base + "stats?q=when%3Anever").status == 400)
        }
    }

    @Test func noPageEverCarriesTheHostileStoreNameAsMarkup() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            for path in ["?q=XSS001", "?q=order%3AXSS001", "calls/XSS001/1", "stats", "stats?q=order%3AXSS001", "?q=" + FormFields.encode(hostileName)] {
                let page = try await get(base + path)
                #expect(!page.text.contains("<script>alert"), "\(path)")
                #expect(!page.text.contains("<img src=x"), "\(path)")
            }
            let call = try await get(base + "calls/XSS001/1")
            let escaped = "&lt;img src=x onerror=alert(1)&gt;&lt;script&gt;alert(2)&lt;/script&gt;"
            #expect(call.text.contains(escaped))
            let stats = try await get(base + "stats?q=order%3AXSS001")
            #expect(stats.text.contains("<title>" + escaped + ": "))
            let json = try await get(base + "api/calls/XSS001/1")
            #expect(json.header("Content-Type") == "application/json")
            #expect(json.header("X-Content-Type-Options") == "nosniff")
        }
    }
}

@Suite(.serialized) struct ServeAudioTests {
    @Test func recordingsAreServedWithRangesAndTheirSHA256AsETag() async throws {
        let location = try await Fixture.shared.location()
        let catalog = try await location.openForReading()
        let record = try #require(try await catalog.records(CatalogQuery(words: ["verdict:=valid"], limit: 1)).first)
        let file = try [UInt8](Data(contentsOf: URL(fileURLWithPath: location.path(try #require(record.filePath)))))
        let url = "calls/\(record.orderID)/\(record.callIndex).mp3"
        try await withServer(location) { base in
            let whole = try await get(base + url)
            #expect(whole.status == 200)
            #expect(whole.body == file)
            #expect(whole.header("Content-Type") == "audio/mpeg")
            #expect(whole.header("Accept-Ranges") == "bytes")
            #expect(whole.header("ETag") == "\"\(record.sha256 ?? "")\"")
            let middle = try await get(base + url, headers: [("Range", "bytes=100-199")])
            #expect(middle.status == 206)
            #expect(middle.body == Array(file[100...199]))
            #expect(middle.header("Content-Range") == "bytes 100-199/\(file.count)")
            let tail = try await get(base + url, headers: [("Range", "bytes=-50")])
            #expect(tail.body == Array(file.suffix(50)))
            let open = try await get(base + url, headers: [("Range", "bytes=\(file.count - 10)-")])
            #expect(open.body == Array(file.suffix(10)))
            let beyond = try await get(base + url, headers: [("Range", "bytes=\(file.count)-")])
            #expect(beyond.status == 416)
            #expect(beyond.header("Content-Range") == "bytes */\(file.count)")
            let cached = try await get(base + url, headers: [("If-None-Match", "\"\(record.sha256 ?? "")\"")])
            #expect(cached.status == 304)
        }
    }

    @Test(arguments: [
        "/calls/../catalog.sqlite", "/calls/%2e%2e/%2e%2e/etc/passwd", "/calls/%2e%2e%2fcatalog.sqlite/1.mp3",
        "/calls/..%2F..%2Foutside/1.mp3", "/calls/OUT001/1.mp3", "/calls/LNK001/1.mp3", "/static/../catalog.sqlite",
        "/static/%2e%2e/catalog.sqlite", "/catalog.sqlite", "/calls/XSS001/0.mp3", "/calls/XSS001/-1.mp3",
        "/calls/XSS001%00/1.mp3", "/..%2f..%2f..%2fetc%2fpasswd", "//etc/passwd", "/calls/XSS001/1.mp3/../../catalog.sqlite",
    ])
    func traversalIsNotFound(path: String) async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            let answer = try await rawGet(base, path)
            #expect(answer.status == 404, "\(path): \(answer.head)")
            #expect(!answer.head.lowercased().contains("audio/mpeg"))
        }
    }

    @Test func headersCannotBeInjected() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            for path in ["/?q=%0d%0aSet-Cookie:%20x=1", "/?after=%0d%0aX-Injected:%20yes", "/calls/XSS001/1.mp3",
                         "/export.csv?q=%0d%0aX-Injected:%20yes", "/api/calls?sort=%0d%0aX-Injected:%20yes"] {
                let answer = try await rawGet(base, path)
                #expect(answer.status > 0, "\(path)")
                #expect(!answer.head.lowercased().contains("x-injected"), "\(path)")
                #expect(!answer.head.lowercased().contains("set-cookie"), "\(path)")
            }
            // A hash that is not 64 hex digits never becomes an ETag.
            #expect(try await get(base + "calls/XSS001/1.mp3").header("ETag") == nil)
        }
    }

    @Test func everyAnswerCarriesTheSecurityHeaders() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location) { base in
            for path in ["", "stats", "api/calls", "calls/XSS001/1", "calls/XSS001/1.mp3", "nowhere", "static/app.css", "api/calls?q=bad:"] {
                let answer = try await get(base + path)
                let policy = try #require(answer.header("Content-Security-Policy"), "\(path)")
                #expect(!policy.contains("unsafe-inline"))
                #expect(policy.contains("default-src 'none'"))
                #expect(answer.header("X-Content-Type-Options") == "nosniff")
                #expect(answer.header("Referrer-Policy") == "no-referrer")
                #expect(answer.header("X-Frame-Options") == "DENY")
            }
        }
    }
}

@Suite(.serialized) struct ServeAccessTests {
    static let token = "s3cret-token-0123456789"

    @Test func withATokenEveryRequestNeedsIt() async throws {
        let location = try await Fixture.shared.location()
        try await withServer(location, token: Self.token) { base in
            let anonymous = try await get(base)
            #expect(anonymous.status == 401)
            #expect(anonymous.text.contains("action=\"/login\""))
            #expect(!anonymous.text.contains("/calls/"))
            #expect(try await get(base + "api/calls").status == 401)
            #expect(try await get(base + "calls/XSS001/1.mp3").status == 401)
            #expect(try await get(base + "api/calls", headers: [("Authorization", "Bearer wrong-token-0123456789")]).status == 401)
            #expect(try await get(base + "api/calls", headers: [("Authorization", "Bearer \(Self.token)")]).status == 200)
            let form = [("Content-Type", "application/x-www-form-urlencoded")]
            let wrong = try await get(base + "login", headers: form, method: .POST, body: "token=nope")
            #expect(wrong.status == 401)
            #expect(wrong.header("Set-Cookie") == nil)
            let right = try await get(base + "login", headers: form, method: .POST, body: "token=" + Self.token)
            #expect(right.status == 303)
            let cookie = try #require(right.header("Set-Cookie"))
            #expect(cookie.contains("HttpOnly"))
            #expect(cookie.contains("SameSite=Strict"))
            #expect(!cookie.contains(Self.token))
            let value = String(cookie.split(separator: ";")[0])
            #expect(try await get(base, headers: [("Cookie", value)]).status == 200)
        }
    }

    @Test func theServerNeverWritesTheArchive() async throws {
        let location = try await Fixture.shared.location()
        func snapshot() throws -> [String: Data] {
            var files: [String: Data] = [:]
            for name in try FileManager.default.contentsOfDirectory(atPath: location.directory) {
                files[name] = try? Data(contentsOf: URL(fileURLWithPath: location.path(name)))
            }
            return files
        }
        let before = try snapshot()
        try await withServer(location) { base in
            for path in ["", "stats", "api/calls", "export.csv", "calls/XSS001/1", "api/stats?by=day"] { _ = try await get(base + path) }
        }
        #expect(try snapshot() == before)
    }
}

@Suite struct ServeUnitTests {
    @Test func byteRanges() {
        #expect(ByteRange.parse("bytes=0-9", size: 100) == .part(0...9))
        #expect(ByteRange.parse("bytes=90-200", size: 100) == .part(90...99))
        #expect(ByteRange.parse("bytes=-10", size: 100) == .part(90...99))
        #expect(ByteRange.parse("bytes=-500", size: 100) == .part(0...99))
        #expect(ByteRange.parse("bytes=100-", size: 100) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=-0", size: 100) == .unsatisfiable)
        #expect(ByteRange.parse("bytes=5-2", size: 100) == .whole)
        #expect(ByteRange.parse("bytes=0-1,5-6", size: 100) == .whole)
        #expect(ByteRange.parse("items=0-1", size: 100) == .whole)
        #expect(ByteRange.parse("bytes=99999999999999999999-", size: 100) == .whole)
    }

    @Test func cursorsRoundTripAndRefuseStrangers() throws {
        let order = try CatalogQuery(words: [], sort: "-audio_seconds").order
        let cursor = Cursor(values: [.real(12.5), .text("AB\"C"), .integer(2)])
        #expect(Cursor(token: cursor.token, order: order) == cursor)
        #expect(Cursor(values: [.null, .text(""), .integer(1)]).token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        #expect(Cursor(token: cursor.token, order: Array(order.prefix(2))) == nil)
        #expect(Cursor(token: "!!!", order: order) == nil)
    }

    @Test func searchWordsSplitLikeAShell() {
        #expect(QueryWords.split("  agent:marcus  store:\"Seven Mile\" -verdict:valid ") == ["agent:marcus", "store:Seven Mile", "-verdict:valid"])
        #expect(QueryWords.split("") == [])
    }

    @Test func onlyLoopbackMayGoWithoutAToken() throws {
        let location = ArchiveLocation(directory: "/nonexistent")
        #expect(throws: ServeError.self) { try ServeConfiguration(location: location, host: "0.0.0.0").validate() }
        #expect(throws: ServeError.self) { try ServeConfiguration(location: location, host: "192.168.1.4").validate() }
        #expect(throws: ServeError.self) { try ServeConfiguration(location: location, host: "0.0.0.0", token: "short").validate() }
        try ServeConfiguration(location: location, host: "0.0.0.0", token: "0123456789abcdef").validate()
        try ServeConfiguration(location: location, host: "127.0.0.1").validate()
        try ServeConfiguration(location: location, host: "::1").validate()
    }
}

/// Runs a program to completion off the cooperative pool; stdout as bytes.
func run(_ arguments: [String], environment: [String: String] = [:]) async throws -> (status: Int32, stdout: Data, stderr: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: arguments[0])
    process.arguments = Array(arguments.dropFirst())
    var env = ProcessInfo.processInfo.environment
    for key in env.keys where key.hasPrefix("CALLARCHIVE_") { env[key] = nil }
    env.merge(environment) { $1 }
    process.environment = env
    let out = Pipe(), err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    return await withCheckedContinuation { continuation in
        DispatchQueue.global().async {
            let errors = Mutex(Data())
            let group = DispatchGroup()
            DispatchQueue.global().async(group: group) { errors.withLock { $0 = err.fileHandleForReading.readDataToEndOfFile() } }
            let output = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            continuation.resume(returning: (process.terminationStatus, output, String(decoding: errors.withLock { $0 }, as: UTF8.self)))
        }
    }
}
