@testable import Catalog
import Foundation
import GRDB
import Model
import Testing

/// A fresh temporary directory per test.
func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "callarchive-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func sampleRecord(_ order: String, index: Int = 1, store: String = "MI-062 Jet's 15235 E Seven Mile 313-839-4800", agent: String = "Jorina Blanche") throws -> CallRecord {
    let info = CallInfo(storeName: store, agentName: agent, callStatus: "COMPLETED", callInTime: "2025-02-20T22:52:34.000Z",
                        callOutTime: "2025-02-20T22:56:46.000Z", recordingURL: "http://x/\(order).mp3", callSID: "CA1")
    return CallRecord(order: try OrderID(order), callIndex: index, info: info, verdict: .valid)
}

@Suite struct MigrationTests {
    @Test func emptyCatalogGetsEveryMigrationAndMode0600() throws {
        let directory = try temporaryDirectory()
        let path = directory + "/catalog.sqlite"
        let catalog = try Catalog.open(at: path)
        #expect(try catalog.appliedMigrations() == ["0001_initial", "0002_value_lists", "0003_search_indexes"])
        #expect(try catalog.integrityCheck() == "ok")
        let attributes = try FileManager.default.attributesOfItem(atPath: path)
        #expect((attributes[.posixPermissions] as? Int) == 0o600)
    }

    @Test func existingCatalogKeepsItsRows() throws {
        let path = try temporaryDirectory() + "/catalog.sqlite"
        try Catalog.open(at: path).save(try sampleRecord("E8ZQCJ"))
        let reopened = try Catalog.open(at: path)
        #expect(try reopened.appliedMigrations() == ["0001_initial", "0002_value_lists", "0003_search_indexes"])
        #expect(try reopened.record(order: "E8ZQCJ", callIndex: 1)?.storeCode == "MI-062")
    }

    @Test func catalogFromTheFirstSchemaIsMigratedAndBackfilled() throws {
        // A catalog as the first release wrote it: migration 0001 only, with a call in it.
        let path = try temporaryDirectory() + "/catalog.sqlite"
        let first = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("catalog/0001_initial.sql").path
        try sqlite(path, ".read \(first)")
        try sqlite(path, "CREATE TABLE grdb_migrations (identifier TEXT NOT NULL PRIMARY KEY); INSERT INTO grdb_migrations VALUES ('0001_initial');")
        try sqlite(path, "INSERT INTO calls (order_id, store_name, store_code, agent_name, verdict) VALUES ('OLD1', 'OH-101 Marco''s', 'OH-101', 'Marcus Park', 'valid')")
        let catalog = try Catalog.open(at: path)
        #expect(try catalog.appliedMigrations() == ["0001_initial", "0002_value_lists", "0003_search_indexes"])
        #expect(try catalog.records(CatalogQuery(words: ["store:marco", "agent:park"])).map(\.orderID) == ["OLD1"])
        #expect(try catalog.integrityCheck() == "ok")
    }

    @Test func newerSchemaIsRefusedAndLeftUntouched() throws {
        let path = try temporaryDirectory() + "/catalog.sqlite"
        _ = try Catalog.open(at: path)
        try sqlite(path, "INSERT INTO grdb_migrations (identifier) VALUES ('0099_future')")
        let before = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect {
            try Catalog.open(at: path)
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
            try Catalog.open(at: path)
        } throws: { error in
            guard case .notACatalog = error as? CatalogError else { return false }
            return true
        }
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "this is my shopping list\n")
    }

    @Test func someoneElsesDatabaseIsRefused() throws {
        let path = try temporaryDirectory() + "/other.sqlite"
        try sqlite(path, "CREATE TABLE recipes (name TEXT)")
        #expect(throws: CatalogError.self) { try Catalog.open(at: path) }
    }

    @Test func oneRowPerOrderAndCallIndex() throws {
        let catalog = try Catalog.inMemory()
        var record = try sampleRecord("E8ZQCJ")
        try catalog.save(record)
        record.agentName = "Marcus Park"
        try catalog.save(record)
        try catalog.save(try sampleRecord("E8ZQCJ", index: 2))
        #expect(try catalog.count() == 2)
        #expect(try catalog.records(order: "E8ZQCJ").map(\.agentName) == ["Marcus Park", "Jorina Blanche"])
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
    func catalog() throws -> Catalog {
        let catalog = try Catalog.inMemory()
        try catalog.save(try sampleRecord("AAA111"))
        try catalog.save(try sampleRecord("BBB222", store: "OH-101 Marco's 200 Main St", agent: "Marcus Park"))
        var third = try sampleRecord("CCC333", store: "TX-007 Donatos 5 Elm St", agent: "Priya Iyer")
        third.verdict = .truncated
        third.audioSeconds = 30
        third.callInTime = "2025-03-01T10:00:00.000Z"
        try catalog.save(third)
        return catalog
    }

    func ids(_ words: [String]) throws -> [String] {
        try catalog().records(CatalogQuery(words: words)).map(\.orderID)
    }

    /// Migration 0003: a store-and-agent search goes through (store_name, agent_name), and a
    /// listing takes its rows in order from (call_in_time, order_id, call_index).
    @Test func searchesUseTheCompositeIndexes() throws {
        let catalog = try catalog()
        func plan(_ words: [String], limit: Int? = nil) throws -> String {
            try catalog.read { db in
                let (sql, arguments) = try CatalogQuery(words: words, limit: limit).sql(selecting: "order_id", in: db)
                return try Row.fetchAll(db, sql: "EXPLAIN QUERY PLAN " + sql, arguments: arguments)
                    .map { $0["detail"] as String }.joined(separator: "; ")
            }
        }
        let storeAndAgent = try plan(["store:jet", "agent:marcus"])
        #expect(storeAndAgent.contains("USING INDEX calls_store_agent"), "\(storeAndAgent)")
        let listing = try plan([], limit: 1)
        #expect(listing.contains("calls_time_order") && !listing.contains("TEMP B-TREE"), "\(listing)")
    }

    @Test func fieldForms() throws {
        #expect(try ids(["store:jet"]) == ["AAA111"])
        #expect(try ids(["agent:MARCUS"]) == ["BBB222"])
        #expect(try ids(["code:=TX-007"]) == ["CCC333"])
        #expect(try ids(["code:=tx-007"]) == [])
        #expect(try ids(["code:MI-062,OH-101"]) == ["AAA111", "BBB222"])
        #expect(try ids(["-verdict:valid"]) == ["CCC333"])
        #expect(try ids(["^verdict:valid"]) == ["CCC333"])
        #expect(try ids(["duration:<60"]) == ["CCC333"])
        #expect(try ids(["date:2025-03"]) == ["CCC333"])
        #expect(try ids(["date:..2025-02-28"]) == ["AAA111", "BBB222"])
        #expect(try ids(["marco"]) == ["BBB222"])
        #expect(try ids(["store:100%"]) == [])
    }

    /// Found by the fuzzer (`Fuzz --target query`): a NUL ended SQLite's full-text string
    /// ("unterminated string"), and 1,000 alternatives nested deeper than SQLite allows.
    @Test func fuzzFindingsAreQueryErrors() throws {
        let catalog = try catalog()
        for words in [["2025-02-292025\0"], ["store:a\0b"], ["store:" + (0..<1000).map { "s\($0)" }.joined(separator: ",")],
                      Array(repeating: "jet", count: 65)] {
            let error = #expect(throws: CatalogError.self) { try catalog.records(CatalogQuery(words: words)) }
            #expect(error.map { "\($0)".contains("invalid query") } == true, "\(String(describing: error))")
        }
        // A quote or a wildcard followed by a combining mark is one Character: escaping has to
        // work on scalars, or the quote ends SQLite's full-text string early.
        // (A word of a quote and a mark alone has no letters: a usage error, in errorsNameTheToken.)
        for word in ["a\"\u{1CF15}b", "x\"\u{301}"] {
            #expect(try catalog.records(CatalogQuery(words: [word])).isEmpty, "\(word)")
            #expect(try catalog.records(CatalogQuery(words: ["-" + word])).count == 3, "\(word)")
        }
        #expect(try catalog.records(CatalogQuery(words: ["store:%\u{301}"])).isEmpty)
        // A "-" that a combining mark follows still negates: the word and its negation split the rows.
        #expect(try catalog.records(CatalogQuery(words: ["\u{E01EF}zzz"])).isEmpty)
        #expect(try catalog.records(CatalogQuery(words: ["-\u{E01EF}zzz"])).count == 3)
        let most = "store:" + (0..<QueryParser.maxAlternatives).map { "s\($0)" }.joined(separator: ",")
        #expect(try catalog.records(CatalogQuery(words: Array(repeating: most, count: QueryParser.maxWords))).isEmpty)
        #expect(try catalog.records(CatalogQuery(words: [most.replacingOccurrences(of: "store:", with: "code:=")])).isEmpty)
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
    @Test func keepsWhatTheImportDidNotLearnAndNeverTouchesAttempts() throws {
        let catalog = try Catalog.inMemory()
        var stored = try sampleRecord("IMP001")
        stored.attempts = 2
        stored.downloadedAt = "2025-01-01T00:00:00.000Z"
        try catalog.save(stored)

        var learned = CallRecord(order: try OrderID("IMP001"), callIndex: 1, info: CallInfo(), verdict: .truncated)
        learned.filePath = "quarantine/IMP001.mp3"
        learned.sha256 = "ab"
        try catalog.saveImported(learned)

        var row = try #require(try catalog.record(order: "IMP001", callIndex: 1))
        #expect(row.verdict == .truncated && row.filePath == "quarantine/IMP001.mp3" && row.sha256 == "ab")
        #expect(row.storeName == stored.storeName && row.storeCode == "MI-062" && row.agentName == stored.agentName)
        #expect(row.callInTime == stored.callInTime && row.apiJSON == stored.apiJSON)
        #expect(row.attempts == 2 && row.downloadedAt == stored.downloadedAt)

        learned.agentName = "Marcus Park"
        learned.storeName = "Corner Shop"
        learned.storeCode = ""
        try catalog.saveImported(learned)
        row = try #require(try catalog.record(order: "IMP001", callIndex: 1))
        #expect(row.agentName == "Marcus Park" && row.storeName == "Corner Shop" && row.storeCode == "")
        #expect(row.callStatus == stored.callStatus && row.attempts == 2)

        try catalog.saveImported(CallRecord(order: try OrderID("IMP002"), callIndex: 3, info: CallInfo(), verdict: .valid))
        #expect(try catalog.record(order: "IMP002", callIndex: 3)?.verdict == .valid)
    }
}

@Suite struct SaveFetchedTests {
    /// A fetch's final save over its pending row leaves the row and its attempts exactly as
    /// `save(_:attempts:)` does; when the searchable text changed, the full-text index follows.
    @Test func endsWithTheRowAFullSaveWrites() throws {
        let (full, fetched) = (try Catalog.inMemory(), try Catalog.inMemory())
        var record = try sampleRecord("FET001")
        record.verdict = .failed
        record.verdictDetail = "pending: not downloaded yet"
        for catalog in [full, fetched] { try catalog.insertMissing([record]) }
        record.verdict = .valid
        record.verdictDetail = "1523 frames decoded"
        record.filePath = "FET001.mp3"
        record.fileSize = 259_776
        record.attempts = 1
        let attempt = DownloadAttempt(orderID: "FET001", callIndex: 1, stage: .recording, startedAt: "2025-02-20T22:52:34.000Z", httpStatus: 200)
        try full.save(record, attempts: [attempt])
        try fetched.saveFetched(record, attempts: [attempt])
        #expect(try fetched.record(order: "FET001", callIndex: 1) == full.record(order: "FET001", callIndex: 1))
        #expect(try fetched.attempts(order: "FET001").count == 1)

        record.agentName = "Quentin Zubrowski"
        try fetched.saveFetched(record, attempts: [])
        #expect(try fetched.record(order: "FET001", callIndex: 1)?.agentName == "Quentin Zubrowski")
        #expect(try fetched.records(CatalogQuery(words: ["zubrowski"])).map(\.orderID) == ["FET001"])
        #expect(try fetched.records(CatalogQuery(words: ["blanche"])).isEmpty)
        #expect(try fetched.integrityCheck() == "ok")

        try fetched.saveFetched(try sampleRecord("FET002"), attempts: [])
        #expect(try fetched.record(order: "FET002", callIndex: 1)?.verdict == .valid)
    }
}
