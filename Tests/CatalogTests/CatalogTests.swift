@testable import Catalog
import Foundation
import GRDB
import Model
import Testing
import TestSupport

func sampleRecord(_ order: String, index: Int = 1, store: String = "MI-062 Jet's 15235 E Seven Mile 313-839-4800", agent: String = "Jorina Blanche") throws -> CallRecord {
    let info = CallInfo(storeName: store, agentName: agent, callStatus: "COMPLETED", callInTime: "2025-02-20T22:52:34.000Z",
                        callOutTime: "2025-02-20T22:56:46.000Z", recordingURL: "http://x/\(order).mp3", callSID: "CA1")
    return CallRecord(order: try OrderID(order), callIndex: index, info: info, verdict: .valid)
}

@Suite struct MigrationTests {
    @Test func emptyCatalogGetsEveryMigrationAndMode0600() async throws {
        let directory = try temporaryDirectory()
        let path = directory + "/catalog.sqlite"
        let catalog = try SQLiteCatalog.open(at: path)
        #expect(try await catalog.appliedMigrations() == shippedMigrations())
        #expect(try await catalog.integrityCheck() == "ok")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func existingCatalogKeepsItsRows() async throws {
        let path = try temporaryDirectory() + "/catalog.sqlite"
        try await SQLiteCatalog.open(at: path).save(try sampleRecord("E8ZQCJ"))
        let reopened = try SQLiteCatalog.open(at: path)
        #expect(try await reopened.appliedMigrations() == shippedMigrations())
        #expect(try await reopened.record(order: "E8ZQCJ", callIndex: 1)?.storeCode == "MI-062")
    }

    @Test func catalogFromTheFirstSchemaIsMigratedAndBackfilled() async throws {
        // A catalog as the first release wrote it: migration 0001 only, with a call in it.
        let path = try temporaryDirectory() + "/catalog.sqlite"
        let first = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("catalog/sqlite/0001_initial.sql").path
        try sqlite(path, ".read \(first)")
        try sqlite(path, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('0001_initial');")
        try sqlite(path, "INSERT INTO calls (order_id, store_name, store_code, agent_name, verdict) VALUES ('OLD1', 'OH-101 Marco''s', 'OH-101', 'Marcus Park', 'valid')")
        let catalog = try SQLiteCatalog.open(at: path)
        #expect(try await catalog.appliedMigrations() == shippedMigrations())
        #expect(try await catalog.records(CatalogQuery(words: ["store:marco", "agent:park"])).map(\.orderID) == ["OLD1"])
        #expect(try await catalog.integrityCheck() == "ok")
    }

    @Test func newerSchemaIsRefusedAndLeftUntouched() throws {
        let path = try temporaryDirectory() + "/catalog.sqlite"
        _ = try SQLiteCatalog.open(at: path)
        try sqlite(path, "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try SQLiteCatalog.open(at: path)
        } throws: { error in
            guard case .newerSchema(_, let unknown) = error as? CatalogError else { return false }
            return unknown == ["0099_future"] && "\(error)".contains("newer callarchive")
        }
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == before)
    }

    @Test func nonSQLiteFileIsRefusedAndLeftUntouched() throws {
        let path = try temporaryDirectory() + "/catalog.sqlite"
        try Data("this is my shopping list\n".utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try SQLiteCatalog.open(at: path)
        } throws: { error in
            guard case .notACatalog = error as? CatalogError else { return false }
            return true
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "this is my shopping list\n")
    }

    @Test func someoneElsesDatabaseIsRefused() throws {
        let path = try temporaryDirectory() + "/other.sqlite"
        try sqlite(path, "CREATE TABLE recipes (name TEXT)")
        #expect(throws: CatalogError.self) { try SQLiteCatalog.open(at: path) }
    }

    @Test func oneRowPerOrderAndCallIndex() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        var record = try sampleRecord("E8ZQCJ")
        try await catalog.save(record)
        record.agentName = "Marcus Park"
        try await catalog.save(record)
        try await catalog.save(try sampleRecord("E8ZQCJ", index: 2))
        #expect(try await catalog.count() == 2)
        #expect(try await catalog.records(order: "E8ZQCJ").map(\.agentName) == ["Marcus Park", "Jorina Blanche"])
    }

    /// Runs SQL with the sqlite3 shell: a second, independent writer.
    func sqlite(_ path: String, _ sql: String) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/sqlite3")
        process.arguments = [path, sql]
        try process.run()
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
    }
}

@Suite struct QueryTests {
    func catalog() async throws -> SQLiteCatalog {
        let catalog = try SQLiteCatalog.inMemory()
        try await catalog.save(try sampleRecord("AAA111"))
        try await catalog.save(try sampleRecord("BBB222", store: "OH-101 Marco's 200 Main St", agent: "Marcus Park"))
        var third = try sampleRecord("CCC333", store: "TX-007 Donatos 5 Elm St", agent: "Priya Iyer")
        third.verdict = .truncated
        third.audioSeconds = 30
        third.callInTime = "2025-03-01T10:00:00.000Z"
        try await catalog.save(third)
        return catalog
    }

    func ids(_ words: [String]) async throws -> [String] {
        try await catalog().records(CatalogQuery(words: words)).map(\.orderID)
    }

    /// Migrations 0003 and 0004: a store's calls come in listing order from (store_name,
    /// call_in_time, …), with or without an agent (on a million calls the planner's pick,
    /// store_time, and store_agent both answer store-and-agent in under 5 ms), and a listing
    /// takes its rows in order from (call_in_time, order_id, call_index).
    @Test func searchesUseTheCompositeIndexes() async throws {
        let catalog = try await catalog()
        func plan(_ words: [String], limit: Int? = nil) async throws -> String {
            let query = try CatalogQuery(words: words, limit: limit)
            return try await catalog.read { db in
                let (sql, arguments) = try SQLiteDialect.select("order_id", query, in: db)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        let storeAndAgent = try await plan(["store:jet", "agent:marcus"])
        #expect(storeAndAgent.contains("INDEX calls_store_") && !storeAndAgent.contains("SCAN calls"), "\(storeAndAgent)")
        let store = try await plan(["store:jet"], limit: 50)
        #expect(store.contains("INDEX calls_store_time") && !store.contains("TEMP B-TREE"), "\(store)")
        let listing = try await plan([], limit: 1)
        #expect(listing.contains("calls_listing") && !listing.contains("TEMP B-TREE"), "\(listing)")
        // The head of the listing is filtered inside calls_listing: a call's row is read only
        // for the rows shown (migration 0009).
        let head = try await catalog.read { db in
            let query = try CatalogQuery(words: ["agent:marcus", "-verdict:valid", "jet", "-status:busy"], limit: 1)
            let (sql, arguments) = try #require(try SQLiteDialect.headSelect("order_id", query, in: db))
            return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments).map { $0["detail"] as String }
        }
        #expect(head.contains("SCAN calls USING COVERING INDEX calls_listing"), "\(head)")
        #expect(head.filter { $0.hasPrefix("SEARCH calls") } == ["SEARCH calls USING INTEGER PRIMARY KEY (rowid=?)"], "\(head)")
    }

    /// The parser builds values, not SQL: each word becomes a `Predicate` any dialect can render,
    /// and the query explains itself in words.
    @Test func wordsParseIntoPredicates() throws {
        let query = try CatalogQuery(words: ["store:jet,marco", "-verdict:valid", "duration:60..90", "date:2025-02", "zoë"], sort: "-size")
        #expect(query.predicates == [
            .containsAny(column: "store_name", fragments: ["jet", "marco"]),
            .not(.equalsAny(column: "verdict", values: ["valid"])),
            .between(column: "audio_seconds", low: 60, high: 90),
            .timeRange(
                column: "call_in_time", start: Timestamp(iso8601: "2025-02-01T00:00:00.000Z"), end: Timestamp(iso8601: "2025-03-01T00:00:00.000Z")
            ),
            .word("zoë"),
        ])
        #expect(query.order.map(\.column) == ["file_size", "order_id", "call_index"])
        #expect(query.description == "store_name contains \"jet\" or \"marco\" and not (verdict is \"valid\") and audio_seconds "
            + "from 60.0 to 90.0 and call_in_time from 2025-02-01T00:00:00.000Z before 2025-03-01T00:00:00.000Z and a word "
            + "starting \"zoë\", by file_size descending, order_id, call_index")
        #expect(try CatalogQuery(words: ["verdict:xyz"]).predicates == [.nothing])
    }

    /// The one column list drives reading and writing: a record survives the catalog whole,
    /// every column of it, and `verify`'s update touches the verification columns only.
    @Test func everyColumnRoundTrips() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        var record = try sampleRecord("RT0001", index: 2)
        record.filePath = "RT0001-2.mp3"
        record.fileSize = 123_456
        record.sha256 = String(repeating: "ab", count: 32)
        record.audioSeconds = 61.5
        (record.frames, record.expectedFrames, record.sampleRate, record.channels, record.bitrateKbps) = (2353, 2353, 8000, 1, 16)
        (record.attempts, record.downloadedAt, record.verifiedAt) = (3, "2025-02-21T00:00:00.000Z", "2025-02-21T00:00:01.000Z")
        record.apiJSON = #"{"extra":1}"#
        try await catalog.save(record)
        #expect(try await catalog.record(order: "RT0001", callIndex: 2) == record)
        var verified = record
        verified.verdict = .corrupt
        verified.frames = 2000
        verified.storeName = "changed by verify?"
        try await catalog.saveVerification(verified)
        let stored = try #require(try await catalog.record(order: "RT0001", callIndex: 2))
        #expect(stored.verdict == .corrupt && stored.frames == 2000 && stored.storeName == record.storeName)
        #expect(CallRecord.columns.map(\.name) == CallRecord.columnNames + ["api_json"])
    }

    /// A search with a limit reads the head of the listing first; whether the head holds
    /// enough matches or not, the answer is the unlimited search's first rows.
    @Test func limitedSearchesAnswerFromTheHeadOrTheWhole() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        var records: [CallRecord] = []
        for n in 0..<3000 {
            // Every third call is Common's; Rare's three calls come last in time.
            var record = try sampleRecord(String(format: "H%05d", n), agent: n % 3 == 0 ? "Common Agent" : n >= 2997 ? "Rare Agent" : "Other Agent")
            record.callInTime = Timestamp(millisecondsSince1970: 1_700_000_000_000 + Int64(n) * 60_000).iso8601
            records.append(record)
        }
        try await catalog.save(records.shuffled())
        // A time range is served in order by its index: no head.
        for (words, fromHead) in [(["agent:common"], true), (["agent:rare"], false), (["common"], true), (["-agent:other"], true), (["date:2023"], false)] {
            let limited = try await catalog.records(CatalogQuery(words: words, limit: 50)).map(\.orderID)
            let whole = try await catalog.records(CatalogQuery(words: words)).map(\.orderID)
            #expect(limited == Array(whole.prefix(50)), "\(words)")
            #expect(try await catalog.statement(search: CatalogQuery(words: words, limit: 50)).contains("LIMIT 2000") == fromHead, "\(words)")
        }
    }

    @Test func fieldForms() async throws {
        #expect(try await ids(["store:jet"]) == ["AAA111"])
        #expect(try await ids(["agent:MARCUS"]) == ["BBB222"])
        #expect(try await ids(["code:=TX-007"]) == ["CCC333"])
        #expect(try await ids(["code:=tx-007"]) == [])
        #expect(try await ids(["code:MI-062,OH-101"]) == ["AAA111", "BBB222"])
        #expect(try await ids(["-verdict:valid"]) == ["CCC333"])
        #expect(try await ids(["^verdict:valid"]) == ["CCC333"])
        #expect(try await ids(["duration:<60"]) == ["CCC333"])
        #expect(try await ids(["date:2025-03"]) == ["CCC333"])
        #expect(try await ids(["date:..2025-02-28"]) == ["AAA111", "BBB222"])
        #expect(try await ids(["marco"]) == ["BBB222"])
        #expect(try await ids(["store:100%"]) == [])
    }

    /// Found by the fuzzer (`Fuzz --target query`): a NUL ended SQLite's full-text string
    /// ("unterminated string"), and 1,000 alternatives nested deeper than SQLite allows.
    @Test func fuzzFindingsAreQueryErrors() async throws {
        let catalog = try await catalog()
        for words in [["2025-02-292025\0"], ["store:a\0b"], ["store:" + (0..<1000).map { "s\($0)" }.joined(separator: ",")],
                      Array(repeating: "jet", count: 65)] {
            let error = await #expect(throws: CatalogError.self) { try await catalog.records(CatalogQuery(words: words)) }
            #expect(error.map { "\($0)".contains("invalid query") } == true, "\(String(describing: error))")
        }
        // A quote or a wildcard followed by a combining mark is one Character: escaping has to
        // work on scalars, or the quote ends SQLite's full-text string early.
        // (A word of a quote and a mark alone has no letters: a usage error, in errorsNameTheToken.)
        for word in ["a\"\u{1CF15}b", "x\"\u{301}"] {
            #expect(try await catalog.records(CatalogQuery(words: [word])).isEmpty, "\(word)")
            #expect(try await catalog.records(CatalogQuery(words: ["-" + word])).count == 3, "\(word)")
        }
        #expect(try await catalog.records(CatalogQuery(words: ["store:%\u{301}"])).isEmpty)
        // A "-" that a combining mark follows still negates: the word and its negation split the rows.
        #expect(try await catalog.records(CatalogQuery(words: ["\u{E01EF}zzz"])).isEmpty)
        #expect(try await catalog.records(CatalogQuery(words: ["-\u{E01EF}zzz"])).count == 3)
        let most = "store:" + (0..<QueryParser.maxAlternatives).map { "s\($0)" }.joined(separator: ",")
        #expect(try await catalog.records(CatalogQuery(words: Array(repeating: most, count: QueryParser.maxWords))).isEmpty)
        #expect(try await catalog.records(CatalogQuery(words: [most.replacingOccurrences(of: "store:", with: "code:=")])).isEmpty)
    }

    @Test(arguments: [
        ("colour:red", "colour"), ("duration:>abc", "not a number"), ("date:2025-13", "not a date"), ("store:", "needs a value"),
        (":", "no letters or digits"), ("-", "no letters or digits"), ("--", "no letters or digits"), ("length:500..100", "ends before it starts"),
        ("date:2025-03..2025-02", "ends before it starts"),
    ])
    func errorsNameTheToken(_ word: String, _ reason: String) {
        #expect {
            try CatalogQuery(words: [word])
        } throws: { error in
            guard case .invalidQuery(let token, let why) = error as? CatalogError else { return false }
            return token == word && why.contains(reason)
        }
    }

    /// `--sort` and `--limit` mistakes name the option, not a query term.
    @Test func sortAndLimitErrorsNameTheOption() {
        for (sort, limit, option) in [("-bogus", nil, "--sort"), ("", nil, "--sort"), ("store_name", -1, "--limit")] as [(String, Int?, String)] {
            #expect {
                try CatalogQuery(words: [], sort: sort, limit: limit)
            } throws: { error in
                guard case .invalidOption(let named, _, _) = error as? CatalogError else { return false }
                return named == option && (error as? CatalogError)?.isUsageError == true
            }
        }
    }
}

@Suite struct SaveImportedTests {
    @Test func keepsWhatTheImportDidNotLearnAndNeverTouchesAttempts() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        var stored = try sampleRecord("IMP001")
        stored.attempts = 2
        stored.downloadedAt = "2025-01-01T00:00:00.000Z"
        try await catalog.save(stored)

        var learned = CallRecord(order: try OrderID("IMP001"), callIndex: 1, info: CallInfo(), verdict: .truncated)
        learned.filePath = "quarantine/IMP001.mp3"
        learned.sha256 = "ab"
        try await catalog.saveImported(learned)

        var row = try #require(try await catalog.record(order: "IMP001", callIndex: 1))
        #expect(row.verdict == .truncated && row.filePath == "quarantine/IMP001.mp3" && row.sha256 == "ab")
        #expect(row.storeName == stored.storeName && row.storeCode == "MI-062" && row.agentName == stored.agentName)
        #expect(row.callInTime == stored.callInTime && row.apiJSON == stored.apiJSON)
        #expect(row.attempts == 2 && row.downloadedAt == stored.downloadedAt)

        learned.agentName = "Marcus Park"
        learned.storeName = "Corner Shop"
        learned.storeCode = ""
        try await catalog.saveImported(learned)
        row = try #require(try await catalog.record(order: "IMP001", callIndex: 1))
        #expect(row.agentName == "Marcus Park" && row.storeName == "Corner Shop" && row.storeCode == "")
        #expect(row.callStatus == stored.callStatus && row.attempts == 2)

        try await catalog.saveImported(CallRecord(order: try OrderID("IMP002"), callIndex: 3, info: CallInfo(), verdict: .valid))
        #expect(try await catalog.record(order: "IMP002", callIndex: 3)?.verdict == .valid)
    }
}

@Suite struct SaveTests {
    /// A fetch's final save over its pending row (updated without its searchable text) leaves
    /// the row and its attempts exactly as a full upsert does; when the searchable text
    /// changed, the full-text index follows.
    @Test func savingOverAPendingRowEndsWithTheRowAnUpsertWrites() async throws {
        let (upserted, saved) = (try SQLiteCatalog.inMemory(), try SQLiteCatalog.inMemory())
        var record = try sampleRecord("FET001")
        record.verdict = .failed
        record.verdictDetail = "pending: not downloaded yet"
        for catalog in [upserted, saved] { try await catalog.insertMissing([record]) }
        record.verdict = .valid
        record.verdictDetail = "1523 frames decoded"
        record.filePath = "FET001.mp3"
        record.fileSize = 259_776
        record.attempts = 1
        let attempt = DownloadAttempt(orderID: "FET001", callIndex: 1, stage: .recording, startedAt: "2025-02-20T22:52:34.000Z", httpStatus: 200)
        try await upserted.write { db in try db.execute(sql: CallRows.upsert, arguments: CallRows.arguments([record])) }
        try await saved.save(record, attempts: [attempt])
        #expect(try await saved.record(order: "FET001", callIndex: 1) == upserted.record(order: "FET001", callIndex: 1))
        #expect(try await saved.attempts(order: "FET001").count == 1)

        record.agentName = "Quentin Zubrowski"
        try await saved.save(record, attempts: [])
        #expect(try await saved.record(order: "FET001", callIndex: 1)?.agentName == "Quentin Zubrowski")
        #expect(try await saved.records(CatalogQuery(words: ["zubrowski"])).map(\.orderID) == ["FET001"])
        #expect(try await saved.records(CatalogQuery(words: ["agent:zubrowski"])).map(\.orderID) == ["FET001"])
        #expect(try await saved.records(CatalogQuery(words: ["blanche"])).isEmpty)
        #expect(try await saved.integrityCheck() == "ok")

        try await saved.save(try sampleRecord("FET002"), attempts: [])
        #expect(try await saved.record(order: "FET002", callIndex: 1)?.verdict == .valid)
    }
}

@Suite struct ClaimTests {
    /// Two workers of one process asking for the same name (order X's call 2 and order X-2's
    /// call 1 are both X-2.mp3) take turns: the file lock alone is shared by the whole process.
    @Test func workersOfOneProcessTakeTurnsOnAName() async throws {
        let claims = try SQLiteCatalog.inMemory().claims(archiveDirectory: try temporaryDirectory())
        try await claims.claim("X-2")
        let second = Task {
            try await claims.claim("X-2")
            claims.release("X-2")
            return ContinuousClock.now
        }
        try await Task.sleep(for: .milliseconds(300))
        let released = ContinuousClock.now
        claims.release("X-2")
        let granted = try await second.value
        #expect(granted >= released, "the second claim was granted while the first was held")
        // Another name is free meanwhile.
        try await claims.claim("Y")
        claims.release("Y")
    }
}
