import Catalog
import Foundation
import Model
import PostgresCatalog
import Testing
import TestSupport

/// A PostgreSQL catalog in a fresh database of the test server.
func postgresCatalog() async throws -> (catalog: PostgresCatalog, url: String) {
    let url = try PostgresServer.shared.get().newDatabase()
    return (try await PostgresCatalog.open(url: url), url)
}

/// Calls whose texts probe every rule where two databases could disagree: ASCII and other
/// case, diacritics, scripts without case, LIKE's own characters, quotes, words joined by `-`
/// and `_`, missing times and equal times (tie-breakers), missing numbers.
func trickyRecords() throws -> [CallRecord] {
    let stores = [
        "MI-062 Jet's 15235 E Seven Mile 313-839-4800", "OH-101 Crème Brûlée Café", "ÉCOLE Ärger ägypten", "TX-7 100% Pizza_Co",
        "東京 ピザ 店", "NY-1 back\\slash \"quoted\" 'single'", "", "CA-2 naïve Straße", "mi-062 lower jet", "ΣΟΦΙΑ σοφία",
    ]
    let agents = ["Priya Patel", "ÁNGEL Núñez", "o'brien", "agent_monitor", "Zoë", "priya-lee", "", "JET"]
    let statuses = ["COMPLETED", "AGENT_MONITOR_REDIRECT", "no-answer", "Busy"]
    let verdicts: [Verdict] = [.valid, .valid, .truncated, .corrupt, .notAudio, .noRecording, .missing, .changed, .failed]
    return try (0..<90).map { n in
        var record = try sampleRecord(String(format: "TR%03d", n), index: n % 3 + 1, store: stores[n % stores.count], agent: agents[n % agents.count])
        record.callStatus = statuses[n % statuses.count]
        record.verdict = verdicts[n % verdicts.count]
        record.callInTime = n % 11 == 0 ? nil : String(format: "2025-%02d-%02dT10:00:%02d.000Z", n % 4 + 1, n % 27 + 1, n % 5)
        record.callSeconds = n % 13 == 0 ? nil : Double(n * 7 % 400) + 0.25
        record.audioSeconds = n % 6 == 0 ? nil : Double(n * 5 % 400) + 0.125
        record.fileSize = n % 7 == 0 ? nil : Int64(n) * 40_000
        record.callSID = "CA\(n % 10)_x"
        record.verdictDetail = n % 2 == 0 ? "50% done" : "ok_detail"
        return record
    }
}

/// Queries of every form docs/query.md shows, and the edges of each.
let parityQueries: [[String]] = [
    [], ["jet"], ["JET"], ["jet's"], ["jet", "seven"], ["creme"], ["CRÈME"], ["brû"], ["cafe"], ["ecole"], ["ärger"], ["AGYPTEN"],
    ["東京"], ["ピ"], ["σοφια"], ["ΣΟΦ"], ["mi-06"], ["mi-062"], ["agent_mon"], ["agent"], ["priya"], ["priya-l"], ["o'brien"],
    ["strasse"], ["straße"], ["naive"], ["tr01"], ["100"], ["pizza_co"], ["-jet"], ["-priya", "-store:ä"],
    ["store:jet"], ["store:JET"], ["store:ä"], ["store:Ä"], ["store:%"], ["store:_"], ["store:\\"], ["store:'"], ["store:\""],
    ["store:café,pizza"], ["store:=TX-7 100% Pizza_Co"], ["-store:jet"], ["^store:jet"], ["code:mi"], ["code:=MI-062"],
    ["agent:ñ"], ["agent:Ñ"], ["agent:NÚ"], ["status:agent_"], ["status:=Busy"], ["order:tr00"], ["sid:_x"], ["sid:a5"],
    ["verdict:valid"], ["-verdict:valid"], ["verdict:=truncated,not_audio"], ["verdict:zzz"], ["-verdict:zzz"], ["detail:%"],
    ["duration:>100"], ["duration:<=50.125"], ["length:100..300"], ["length:..10"], ["-length:>100"], ["size:>1M"], ["size:<=400K"],
    ["date:2025-02"], ["date:2025-01-05"], ["date:2025"], ["date:2025-01..2025-02"], ["date:2025-03.."], ["-date:2025-02"],
    ["frames:>0"], ["attempts:0"],
]

let paritySorts: [String?] = [nil, "-call_in_time", "store", "-store_name,agent", "duration", "-size", "verdict_detail", "call_seconds"]

@Suite(.serialized) struct PostgresCatalogTests {
    @Test func freshDatabaseGetsEveryPostgresMigration() async throws {
        let (catalog, url) = try await postgresCatalog()
        #expect(try await catalog.appliedMigrations() == shippedMigrations("postgres"))
        #expect(try await catalog.integrityCheck() == "ok")
        #expect(catalog.backend == "postgresql")
        #expect(!catalog.location.contains(try PostgresServer.shared.get().password))
        // Opening again applies nothing and keeps the rows.
        try await catalog.save(try sampleRecord("E8ZQCJ"))
        let again = try await PostgresCatalog.open(url: url)
        #expect(try await again.appliedMigrations() == shippedMigrations("postgres"))
        #expect(try await again.record(order: "E8ZQCJ", callIndex: 1)?.storeCode == "MI-062")
    }

    /// Every query form, with every sort and a limit, selects the same rows in the same order,
    /// with the same values, as SQLite; stats agree for every grouping.
    @Test func everyQueryAnswersAsOnSQLite() async throws {
        let records = try trickyRecords()
        let sqlite = try SQLiteCatalog.inMemory()
        try await sqlite.save(records)
        let (postgres, _) = try await postgresCatalog()
        try await postgres.save(records)
        for words in parityQueries {
            for sort in paritySorts {
                for limit in [nil, 3] as [Int?] {
                    let query = try CatalogQuery(words: words, sort: sort, limit: limit)
                    let expected = try await sqlite.records(query), found = try await postgres.records(query)
                    #expect(found.map(\.columnValues) == expected.map(\.columnValues), "\(words) sort \(sort ?? "-") limit \(limit.map(String.init) ?? "-")")
                }
            }
            let query = try CatalogQuery(words: words)
            for grouping in [nil] + StatsGrouping.allCases.map(Optional.some) {
                let expected = try await sqlite.stats(query, by: grouping), found = try await postgres.stats(query, by: grouping)
                #expect(found.map(\.group) == expected.map(\.group), "\(words) by \(grouping?.rawValue ?? "-")")
                #expect(zip(found, expected).allSatisfy { Self.same($0, $1) }, "\(words) by \(grouping?.rawValue ?? "-"): \(found) vs \(expected)")
            }
        }
        #expect(try await postgres.count() == records.count)
    }

    /// Figures equal; sums of reals to the last printed digit (they are added in another order).
    static func same(_ a: StatsRow, _ b: StatsRow) -> Bool {
        a.group == b.group && a.calls == b.calls && a.valid == b.valid && a.invalid == b.invalid && a.shortRecordings == b.shortRecordings
            && abs(a.audioSeconds - b.audioSeconds) < 1e-6 && abs(a.callSeconds - b.callSeconds) < 1e-6
            && abs(a.meanAudioSeconds - b.meanAudioSeconds) < 1e-6
    }

    /// Writes behave as on SQLite: replace, insert-if-missing, verification-only, import merge,
    /// attempts, and a bare word follows a store renamed by an import.
    @Test func writesAgreeWithSQLite() async throws {
        let sqlite = try SQLiteCatalog.inMemory()
        let (postgres, _) = try await postgresCatalog()
        let catalogs: [any Catalog] = [sqlite, postgres]
        let first = try sampleRecord("W1")
        var verified = first
        verified.audioSeconds = 12.5
        verified.verdict = .changed
        let attempt = DownloadAttempt(orderID: "W1", callIndex: 1, stage: .recording, startedAt: "2025-02-20T22:52:34.000Z", httpStatus: 206, bytes: 10, rangeStart: 5, error: nil)
        var renamed = try sampleRecord("W1", store: "OH-101 Marco's Pizza", agent: "")
        renamed.verdict = .corrupt
        renamed.apiJSON = "{}"
        for catalog in catalogs {
            try await catalog.save(first, attempts: [attempt, DownloadAttempt(orderID: "W1", callIndex: nil, stage: .metadata, startedAt: "x")])
            try await catalog.insertMissing([try sampleRecord("W1", store: "ignored"), try sampleRecord("W2")])
            try await catalog.saveVerification(verified)
            try await catalog.saveImported(renamed)
        }
        let expected = try await sqlite.records(CatalogQuery()), found = try await postgres.records(CatalogQuery())
        #expect(found.map(\.columnValues) == expected.map(\.columnValues))
        #expect(try await postgres.attempts(order: "W1") == sqlite.attempts(order: "W1"))
        #expect(try await postgres.records(CatalogQuery(words: ["marco"])).map(\.orderID) == ["W1"])
        #expect(try await postgres.records(CatalogQuery(words: ["jet"])).map(\.orderID) == ["W2"])
        #expect(try await postgres.records(CatalogQuery(words: ["jorina"])).map(\.orderID) == sqlite.records(CatalogQuery(words: ["jorina"])).map(\.orderID))
    }

    /// A substring filter on a listed column (`store:`, `code:`, `agent:`, `status:`) names
    /// the values it matches, found in `field_values` (postgres 0006), as on SQLite: the
    /// column's index answers it instead of a `LIKE` over every row. The list follows writes
    /// (the trigger) and is filled from the calls a catalog held before the migration.
    @Test func substringFiltersNameTheValuesTheyMatch() async throws {
        let (catalog, url) = try await postgresCatalog()
        try await catalog.save(try trickyRecords())
        let statement = try await catalog.statement(search: CatalogQuery(words: ["store:jet", "-agent:ñ", "code:mi"], limit: 10))
        #expect(statement.contains("store_name IN ('MI-062 Jet''s 15235 E Seven Mile 313-839-4800', 'mi-062 lower jet')"), "\(statement)")
        #expect(statement.contains("NOT COALESCE(agent_name IN ('ÁNGEL Núñez'), FALSE)") && !statement.contains("LIKE"), "\(statement)")
        let none = try await catalog.statement(search: CatalogQuery(words: ["store:nosuchstore"]))
        #expect(none.contains("WHERE FALSE"), "\(none)")

        var renamed = try sampleRecord("TR001", index: 2, store: "OH-101 Marco's Pizza", agent: "")
        renamed.apiJSON = "{}"
        try await catalog.saveImported(renamed)
        #expect(try await catalog.records(CatalogQuery(words: ["store:marco's"])).map(\.orderID) == ["TR001"])

        // A catalog from before 0006: the list is made from its calls.
        let database = String(try #require(url.split(separator: "/").last?.split(separator: "?").first))
        try PostgresServer.shared.get().psql(database, "DROP TABLE field_values; DROP FUNCTION calls_field_values CASCADE; "
            + "DELETE FROM schema_migrations WHERE identifier = '0006_value_lists'")
        let migrated = try await PostgresCatalog.open(url: url)
        #expect(try await migrated.appliedMigrations() == shippedMigrations("postgres"))
        #expect(try await migrated.records(CatalogQuery(words: ["store:marco's"])).map(\.orderID) == ["TR001"])
        #expect(try await migrated.records(CatalogQuery(words: ["store:jet"])).count == 18)
    }

    @Test func newerSchemaIsRefused() async throws {
        let (catalog, url) = try await postgresCatalog()
        let database = String(try #require(url.split(separator: "/").last?.split(separator: "?").first))
        try PostgresServer.shared.get().psql(database, "INSERT INTO schema_migrations (identifier) VALUES ('9999_future')")
        _ = catalog
        await #expect {
            _ = try await PostgresCatalog.open(url: url)
        } throws: { error in
            guard let error = error as? CatalogError, case .newerSchema(_, let unknown) = error else { return false }
            return unknown == ["9999_future"] && !error.description.contains(try! PostgresServer.shared.get().password)
        }
    }

    @Test func anotherProgramsDatabaseIsRefused() async throws {
        let server = try PostgresServer.shared.get()
        let url = try server.newDatabase()
        let database = String(try #require(url.split(separator: "/").last?.split(separator: "?").first))
        try server.psql(database, "CREATE TABLE invoices (id int)")
        await #expect(throws: CatalogError.self) { _ = try await PostgresCatalog.open(url: url) }
        #expect(try server.psql(database, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").trimmingCharacters(in: .whitespacesAndNewlines) == "1")
    }

    @Test func passwordComesFromTheURLOrPGPASSWORDOrPgpassAndIsNeverShown() async throws {
        let url = "postgresql://ana:s3cret%2Fx@db.example:6543/calls?sslmode=require"
        let address = try PostgresAddress(url: url, environment: [:])
        #expect(address.description == "postgresql://ana@db.example:6543/calls")
        #expect((address.host, address.port, address.user, address.database, address.sslMode) == ("db.example", 6543, "ana", "calls", .require))
        let fromEnvironment = try PostgresAddress(url: "postgres://ana@db.example/calls", environment: ["PGPASSWORD": "envpw"])
        #expect(fromEnvironment.port == 5432 && !fromEnvironment.description.contains("envpw"))
        // The test server, reached with the password from each source in turn.
        let server = try PostgresServer.shared.get()
        let bare = try server.newDatabase().replacingOccurrences(of: "postgres:\(server.password)@", with: "postgres@")
        let home = try temporaryDirectory()
        let escaped = server.password.replacingOccurrences(of: ":", with: "\\:")
        try "# comment\nother:*:*:*:no\n127.0.0.1:\(server.port):*:postgres:\(escaped)\n".write(toFile: home + "/.pgpass", atomically: true, encoding: .utf8)
        for environment in [["PGPASSWORD": server.password], ["HOME": home], ["PGPASSFILE": home + "/.pgpass"]] {
            let catalog = try await PostgresCatalog.open(url: bare, environment: environment)
            #expect(try await catalog.count() == 0, "\(environment.keys)")
        }
        await #expect(throws: CatalogError.self) { _ = try await PostgresCatalog.open(url: bare, environment: ["HOME": "/nonexistent"]) }
        #expect(throws: CatalogError.self) { try PostgresAddress(url: "postgresql://ana:pw@h/db?sslmode=sometimes", environment: [:]) }
        do {
            _ = try PostgresAddress(url: "postgresql://ana:topsecret@h:99999/db", environment: [:])
            Issue.record("a port over 65535 was accepted")
        } catch {
            #expect(!error.description.contains("topsecret"))
        }
    }
}

@Suite struct PostgresAddressOptionsTests {
    /// libpq's `options` come from the URL, else `PGOPTIONS`; none by default (then every
    /// connection gets the default statement timeout).
    @Test func optionsComeFromTheURLOrPGOPTIONS() throws {
        let fromURL = try PostgresAddress(url: "postgresql://ana@h/db?options=-c%20statement_timeout%3D5s", environment: ["PGOPTIONS": "-c x=1"])
        #expect(fromURL.options == "-c statement_timeout=5s")
        #expect(try PostgresAddress(url: "postgresql://ana@h/db", environment: ["PGOPTIONS": "-c work_mem=64MB"]).options == "-c work_mem=64MB")
        #expect(try PostgresAddress(url: "postgresql://ana@h/db", environment: [:]).options == nil)
        #expect(PostgresAddress.defaultStatementTimeout == "300s")
    }
}

@Suite struct PostgresFaultTests {
    /// The server stopping mid-run: the next catalog call fails within seconds, naming the
    /// server; once it is back the same catalog reconnects and no row is lost.
    @Test func serverStoppedMidRunFailsFastAndRecovers() async throws {
        let server = try PostgresServer(name: "fault")
        let catalog = try await PostgresCatalog.open(url: try server.newDatabase())
        let records = try trickyRecords()
        try await catalog.save(records)
        try server.stop()
        let started = Date()
        await #expect {
            try await catalog.save(try sampleRecord("LOST1"))
        } throws: { error in
            "\(error)".contains("127.0.0.1:\(server.port)") && !"\(error)".contains(server.password)
        }
        #expect(Date().timeIntervalSince(started) < 10)
        try server.start()
        #expect(try await catalog.count() == records.count)
        try await catalog.save(try sampleRecord("AFTER"))
        #expect(try await catalog.count() == records.count + 1)
    }
}
