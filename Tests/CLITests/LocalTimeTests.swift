import Catalog
import Foundation
import Model
import PostgresCatalog
import Simulator
import Testing
import TestSupport

/// `--tz`, the local-time query fields, `stores import` and `--tz store`, and the two-way
/// stats, on calls placed around the 2025 DST changes of Chicago and Berlin, on SQLite and on
/// PostgreSQL alike (docs/query.md "Local time", docs/reports.md "stats").
@Suite(.serialized) struct LocalTimeTests {
    /// A call: its order id, store, status, UTC call-in time and audio seconds.
    struct Placed {
        let order: String
        let store: String
        let status: String
        let utc: String
        let audio: Double
    }

    static let chicago = "IL-007 Jet's 100 Main St 312-555-0100"
    static let detroit = "MI-062 Jet's 15235 E Seven Mile 313-839-4800"
    static let berlin = "DE-001 Pizzeria Berlin"

    static let calls: [Placed] = [
        // 2025-02-20 20:00 in Chicago (CST, UTC−6): the next UTC day.
        Placed(order: "EVE001", store: chicago, status: "COMPLETED", utc: "2025-02-21T02:00:00Z", audio: 60),
        // Around the March change (2025-03-09, 02:00 CST → 03:00 CDT at 08:00 UTC).
        Placed(order: "MAR001", store: chicago, status: "ABANDONED", utc: "2025-03-09T05:59:00Z", audio: 10),  // 03-08 23:59 CST
        Placed(order: "MAR002", store: chicago, status: "COMPLETED", utc: "2025-03-09T07:30:00Z", audio: 20),  // 01:30 CST
        Placed(order: "MAR003", store: chicago, status: "COMPLETED", utc: "2025-03-09T08:30:00Z", audio: 30),  // 03:30 CDT
        Placed(order: "MAR004", store: chicago, status: "ABANDONED", utc: "2025-03-10T04:59:00Z", audio: 40),  // 03-09 23:59 CDT
        Placed(order: "MAR005", store: chicago, status: "COMPLETED", utc: "2025-03-10T05:00:00Z", audio: 50),  // 03-10 00:00 CDT
        // Around the November change (2025-11-02, 02:00 CDT → 01:00 CST at 07:00 UTC): 01:30 twice.
        Placed(order: "NOV001", store: chicago, status: "COMPLETED", utc: "2025-11-02T06:30:00Z", audio: 70),  // 01:30 CDT
        Placed(order: "NOV002", store: chicago, status: "COMPLETED", utc: "2025-11-02T07:30:00Z", audio: 80),  // 01:30 CST
        Placed(order: "NOV003", store: chicago, status: "COMPLETED", utc: "2025-11-03T05:30:00Z", audio: 90),  // 11-02 23:30 CST
        // Berlin's changes: 2025-03-30 and 2025-10-26, both at 01:00 UTC.
        Placed(order: "BER001", store: berlin, status: "COMPLETED", utc: "2025-03-30T00:30:00Z", audio: 100),  // 01:30 CET
        Placed(order: "BER002", store: berlin, status: "COMPLETED", utc: "2025-03-30T01:30:00Z", audio: 110),  // 03:30 CEST
        Placed(order: "BER003", store: berlin, status: "COMPLETED", utc: "2025-10-26T00:30:00Z", audio: 120),  // 02:30 CEST
        Placed(order: "BER004", store: berlin, status: "abandoned by caller", utc: "2025-10-26T01:30:00Z", audio: 130),  // 02:30 CET
        // Detroit's evening, 2025-07-04 21:15 EDT.
        Placed(order: "DET001", store: detroit, status: "COMPLETED", utc: "2025-07-05T01:15:00Z", audio: 140),
    ]

    static func records() throws -> [CallRecord] {
        try calls.map { call in
            let out = Timestamp(iso8601: call.utc)!.adding(seconds: call.audio).iso8601
            let info = CallInfo(storeName: call.store, agentName: "Agent \(call.order.prefix(3))", callStatus: call.status, callInTime: call.utc, callOutTime: out)
            var record = CallRecord(order: try OrderID(call.order), callIndex: 1, info: info, verdict: .valid)
            record.audioSeconds = call.audio
            return record
        }
    }

    /// An archive holding `calls` on SQLite, and a PostgreSQL catalog URL holding the same.
    static func catalogs() async throws -> (archive: String, postgres: String) {
        let archive = try temporaryDirectory()
        try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").save(try records())
        let url = try PostgresServer.shared.get().newDatabase()
        try await PostgresCatalog.open(url: url).save(try records())
        return (archive, url)
    }

    /// Runs `arguments` on both catalogs; they must print the same. Returns SQLite's result.
    static func both(_ arguments: [String], _ catalogs: (archive: String, postgres: String), environment: [String: String] = [:]) async throws -> CLI.Result {
        let environment = ["TZ": "UTC"].merging(environment) { $1 }
        let sqlite = try await CLI.run(arguments + ["--archive", catalogs.archive], environment: environment)
        let postgres = try await CLI.run(arguments + ["--archive", catalogs.archive, "--catalog", catalogs.postgres], environment: environment)
        #expect(sqlite.status == postgres.status, "\(arguments): \(postgres.stderr)")
        #expect(sqlite.stdout == postgres.stdout, "\(arguments): SQLite\n\(sqlite.stdout)\nPostgreSQL\n\(postgres.stdout)")
        return sqlite
    }

    /// The order ids a search finds.
    static func orders(_ words: [String], _ catalogs: (archive: String, postgres: String), environment: [String: String] = [:]) async throws -> Set<String> {
        let result = try await both(["search", "--format", "csv", "--fields", "order_id"] + words, catalogs, environment: environment)
        #expect(result.status == 0, "\(words): \(result.stderr)")
        return Set(result.stdout.split(separator: "\r\n").dropFirst().map(String.init))
    }

    @Test func anEveningCallIsFoundOnItsLocalDay() async throws {
        let catalogs = try await Self.catalogs()
        let chicago = ["--tz", "America/Chicago"]
        #expect(try await Self.orders(["date:2025-02-20"] + chicago, catalogs) == ["EVE001"])
        #expect(try await Self.orders(["date:2025-02-20"], catalogs).isEmpty, "in UTC it is the 21st")
        #expect(try await Self.orders(["date:2025-02-21"], catalogs) == ["EVE001"])
        #expect(try await Self.orders(["date:2025-02-20", "hour:18..21", "weekday:thu"] + chicago, catalogs) == ["EVE001"])
        #expect(try await Self.orders(["date:2025-02", "weekday:fri"], catalogs) == ["EVE001"], "a Friday in UTC")
        // The environment picks the zone too; --tz wins over it.
        #expect(try await Self.orders(["date:2025-02-20"], catalogs, environment: ["CALLARCHIVE_TZ": "America/Chicago"]) == ["EVE001"])
        #expect(try await Self.orders(["date:2025-02-20", "--tz", "UTC"], catalogs, environment: ["CALLARCHIVE_TZ": "America/Chicago"]).isEmpty)
        // So does the machine's zone, when nothing else is given.
        #expect(try await Self.orders(["date:2025-02-20"], catalogs, environment: ["TZ": "America/Chicago"]) == ["EVE001"])
    }

    @Test func theMarchAndNovemberChangesAreRightInChicago() async throws {
        let catalogs = try await Self.catalogs()
        let chicago = ["--tz", "America/Chicago"]
        #expect(try await Self.orders(["date:2025-03-09"] + chicago, catalogs) == ["MAR002", "MAR003", "MAR004"])
        #expect(try await Self.orders(["date:2025-03-08..2025-03-09"] + chicago, catalogs) == ["MAR001", "MAR002", "MAR003", "MAR004"])
        #expect(try await Self.orders(["date:2025-03-10.."] + chicago, catalogs).contains("MAR005"))
        #expect(try await Self.orders(["date:2025-03", "hour:1"] + chicago, catalogs) == ["MAR002"])
        #expect(try await Self.orders(["date:2025-03", "hour:2"] + chicago, catalogs).isEmpty, "02:00–02:59 does not exist that night")
        #expect(try await Self.orders(["date:2025-03", "hour:3"] + chicago, catalogs) == ["MAR003"])
        #expect(try await Self.orders(["date:2025-03", "time:23:59"] + chicago, catalogs) == ["MAR001", "MAR004"])
        #expect(try await Self.orders(["date:2025-03", "time:23:00..00:30"] + chicago, catalogs) == ["MAR001", "MAR004", "MAR005"])
        // 01:30 happens twice on 2025-11-02; the day has 25 hours.
        #expect(try await Self.orders(["date:2025-11-02", "hour:1"] + chicago, catalogs) == ["NOV001", "NOV002"])
        #expect(try await Self.orders(["date:2025-11-02"] + chicago, catalogs) == ["NOV001", "NOV002", "NOV003"])
        #expect(try await Self.orders(["weekday:sun", "date:2025-11"] + chicago, catalogs) == ["NOV001", "NOV002", "NOV003"])
        #expect(try await Self.orders(["-weekday:sat,sun", "code:IL"] + chicago, catalogs) == ["EVE001", "MAR005"])
    }

    @Test func theChangesAreRightInBerlin() async throws {
        let catalogs = try await Self.catalogs()
        let berlin = ["--tz", "Europe/Berlin", "code:DE"]
        #expect(try await Self.orders(["hour:1"] + berlin, catalogs) == ["BER001"])
        #expect(try await Self.orders(["hour:3"] + berlin, catalogs) == ["BER002"])
        #expect(try await Self.orders(["hour:2"] + berlin, catalogs) == ["BER003", "BER004"], "02:30 twice on 2025-10-26")
        #expect(try await Self.orders(["time:>=02:00", "time:<03:00"] + berlin, catalogs) == ["BER003", "BER004"])
        let csv = try await Self.both(["search", "--format", "csv", "--fields", "order_id,call_in_time,call_in_local", "code:DE", "--tz", "Europe/Berlin"], catalogs)
        #expect(csv.stdout.contains("BER003,2025-10-26T00:30:00.000Z,2025-10-26T02:30:00.000+02:00\r\n"))
        #expect(csv.stdout.contains("BER004,2025-10-26T01:30:00.000Z,2025-10-26T02:30:00.000+01:00\r\n"))
    }

    @Test func tablesNameTheZoneAndReportsAddTheLocalTime() async throws {
        let catalogs = try await Self.catalogs()
        let table = try await Self.both(["search", "order:EVE001", "--tz", "America/Chicago"], catalogs)
        #expect(table.stdout.contains("CALL IN (America/Chicago)") && table.stdout.contains("2025-02-20 20:00"), "\(table.stdout)")
        let utc = try await Self.both(["search", "order:EVE001"], catalogs)
        #expect(utc.stdout.contains("CALL IN (UTC)") && utc.stdout.contains("2025-02-21 02:00"))
        let export = try await Self.both(["export", "order:EVE001", "--tz", "America/Chicago"], catalogs)
        let rows = CSV.parse(export.stdout)
        #expect(rows.first == CallRecord.columnNames + ["call_in_local"])
        #expect(rows.dropFirst().first?.last == "2025-02-20T20:00:00.000-06:00")
        #expect(rows.dropFirst().first?[CallRecord.columnNames.firstIndex(of: "call_in_time")!] == "2025-02-21T02:00:00.000Z")
        let jsonl = try await Self.both(["export", "--format", "jsonl", "order:EVE001", "--tz", "America/Chicago"], catalogs)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(jsonl.stdout.utf8)) as? [String: Any])
        #expect(object["call_in_local"] as? String == "2025-02-20T20:00:00.000-06:00" && object["call_in_time"] as? String == "2025-02-21T02:00:00.000Z")
        let json = try await Self.both(["search", "--format", "json", "order:EVE001", "--tz", "America/Chicago"], catalogs)
        #expect(json.stdout.contains("\"call_in_local\":\"2025-02-20T20:00:00.000-06:00\""))
    }

    @Test func aBadZoneIsAUsageErrorNamingIt() async throws {
        let archive = try temporaryDirectory()
        for command in [["search"], ["export"], ["stats"], ["verify"], ["refetch"]].map({ $0 + ["--archive", archive] }) + [["info", "E8ZQCJ"]] {
            let result = try await CLI.run(command + ["--tz", "America/Chicgo"])
            #expect(result.status == 64 && result.stderr.contains("America/Chicgo"), "\(command): \(result.stderr)")
        }
        let fromEnvironment = try await CLI.run(["search", "--archive", archive], environment: ["CALLARCHIVE_TZ": "Mars/Olympus"])
        #expect(fromEnvironment.status == 64 && fromEnvironment.stderr.contains("CALLARCHIVE_TZ") && fromEnvironment.stderr.contains("Mars/Olympus"))
        for word in ["hour:24", "hour:x", "weekday:fr", "weekday:funday", "time:25:00", "time:9", "hour:", "time:..", "hour:1,,2"] {
            let result = try await CLI.run(["search", "--archive", archive, word])
            #expect(result.status == 64 && result.stderr.contains(word), "\(word): \(result.stderr)")
        }
    }

    // MARK: stores

    @Test func storeZonesComeFromAnImportedTable() async throws {
        let catalogs = try await Self.catalogs()
        let file = try temporaryDirectory() + "/stores.csv"
        try "name,code,time_zone\r\nJet's Chicago,IL-007,America/Chicago\r\n\"Jet's, Detroit\",mi-062,America/Detroit\r\nBerlin,DE-001,\r\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        for catalog in [[], ["--catalog", catalogs.postgres]] {
            let imported = try await CLI.run(["stores", "import", file, "--archive", catalogs.archive] + catalog)
            #expect(imported.status == 0 && imported.stderr.contains("imported 3 stores (2 with a time zone)"), "\(imported.stderr)")
        }
        let store = ["--tz", "store"]
        // Each call in its own store's zone: 20:00 in Chicago, 21:15 in Detroit.
        #expect(try await Self.orders(["hour:20..21"] + store, catalogs) == ["EVE001", "DET001"])
        #expect(try await Self.orders(["date:2025-02-20"] + store, catalogs) == ["EVE001"])
        #expect(try await Self.orders(["date:2025-07-04"] + store, catalogs) == ["DET001"])
        // Berlin's store has no zone: the machine's (UTC here) is used, with a notice.
        let berlin = try await Self.both(["search", "code:DE", "hour:0", "--format", "csv", "--fields", "order_id,call_in_local"] + store, catalogs)
        #expect(berlin.stdout.contains("BER003,2025-10-26T00:30:00.000+00:00"), "\(berlin.stdout)")
        #expect(berlin.stderr.contains("1 of 3 stores have no time zone") && berlin.stderr.contains("UTC"))
        let table = try await Self.both(["search", "order:DET001"] + store, catalogs)
        #expect(table.stdout.contains("CALL IN (store)") && table.stdout.contains("2025-07-04 21:15"))
        let stats = try await Self.both(["stats", "--by", "store,day", "--format", "csv", "date:2025-07"] + store, catalogs)
        #expect(stats.stdout.contains("MI-062 Jet's 15235 E Seven Mile 313-839-4800,2025-07-04,1,"), "\(stats.stdout)")
    }

    @Test func badStoreLinesAreNamedByFileAndLine() async throws {
        let archive = try temporaryDirectory()
        let file = archive + "/stores.csv"
        try "code,name,tz\nIL-007,Chicago,America/Chicago\n,No code,UTC\nTX-001,Dallas,America/Dalas\nIL-007,Again,UTC\nOH-002,Columbus,America/New_York\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let result = try await CLI.run(["stores", "import", file, "--archive", archive])
        #expect(result.status == 1)
        #expect(result.stderr.contains("\(file):3: no store code"), "\(result.stderr)")
        #expect(result.stderr.contains("\(file):4: unknown time zone \"America/Dalas\""))
        #expect(result.stderr.contains("\(file):5: store IL-007 is already on line 2"))
        let stores = try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").stores()
        #expect(stores == [Store(code: "IL-007", name: "Chicago", timeZone: "America/Chicago"), Store(code: "OH-002", name: "Columbus", timeZone: "America/New_York")])
        try "store,zone\nIL-007,UTC\n".write(toFile: file, atomically: true, encoding: .utf8)
        let noHeader = try await CLI.run(["stores", "import", file, "--archive", archive])
        #expect(noHeader.status == 64 && noHeader.stderr.contains("\(file):1"), "\(noHeader.stderr)")
        let missing = try await CLI.run(["stores", "import", archive + "/none.csv", "--archive", archive])
        #expect(missing.status == 64 && missing.stderr.contains("none.csv"))
        // --replace keeps only what the file lists; without it, stores are added or updated.
        try "code,time_zone\nTX-001,America/Chicago\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await CLI.run(["stores", "import", file, "--archive", archive]).status == 0)
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").stores().map(\.code) == ["IL-007", "OH-002", "TX-001"])
        #expect(try await CLI.run(["stores", "import", file, "--archive", archive, "--replace"]).status == 0)
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").stores().map(\.code) == ["TX-001"])
        // A spreadsheet's export: a byte-order mark, `;` between fields, a quoted name with `;` in it.
        try "\u{FEFF}code;name;time_zone\r\nMI-062;\"Jet's; Seven Mile\";America/Detroit\r\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(try await CLI.run(["stores", "import", file, "--archive", archive, "--replace"]).status == 0)
        #expect(try await SQLiteCatalog.open(at: archive + "/catalog.sqlite").stores() == [Store(code: "MI-062", name: "Jet's; Seven Mile", timeZone: "America/Detroit")])
    }

    @Test func withoutStoresEveryCallIsInTheMachineZoneWithANotice() async throws {
        let catalogs = try await Self.catalogs()
        let result = try await Self.both(["search", "order:EVE001", "--tz", "store", "--format", "csv", "--fields", "call_in_local"], catalogs, environment: ["TZ": "America/Chicago"])
        #expect(result.stdout.contains("2025-02-20T20:00:00.000-06:00"))
        #expect(result.stderr.contains("no stores imported") && result.stderr.contains("America/Chicago"))
    }

    // MARK: stats

    /// The JSON rows of a stats run.
    static func statsRows(_ arguments: [String], _ catalogs: (archive: String, postgres: String)) async throws -> [[String: Any]] {
        let result = try await both(["stats", "--format", "json"] + arguments, catalogs)
        #expect(result.status == 0, "\(result.stderr)")
        return try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
    }

    /// A JSON number as a Double (NaN when it is not one).
    static func number(_ value: Any?) -> Double {
        (value as? NSNumber)?.doubleValue ?? .nan
    }

    @Test func twoWayStatsGiveRatesThatAddUp() async throws {
        let catalogs = try await Self.catalogs()
        let rows = try await Self.statsRows(["--by", "store,status"], catalogs)
        let totals = try #require(rows.last)
        #expect(totals["group"] as? String == "TOTAL" && totals["calls"] as? Int == Self.calls.count)
        #expect(rows.dropLast().reduce(0) { $0 + ($1["calls"] as? Int ?? 0) } == Self.calls.count)
        let abandoned = Self.calls.filter { $0.status.lowercased().contains("abandon") }.count
        #expect(totals["abandoned"] as? Int == abandoned)
        #expect(abs(Self.number(totals["abandoned_percent"]) - Double(abandoned) * 100 / Double(Self.calls.count)) < 0.001)
        // Median and p90 interpolate between neighbours, as percentile_cont does.
        let audio = Self.calls.map(\.audio).sorted()
        func percentile(_ values: [Double], _ p: Double) -> Double {
            let rank = p * Double(values.count - 1), low = Int(rank)
            return low + 1 < values.count ? values[low] + (values[low + 1] - values[low]) * (rank - Double(low)) : values[low]
        }
        #expect(abs(Self.number(totals["median_audio_seconds"]) - percentile(audio, 0.5)) < 0.001)
        #expect(abs(Self.number(totals["p90_audio_seconds"]) - percentile(audio, 0.9)) < 0.001)
        let chicagoAbandoned = try #require(rows.first { $0["group"] as? String == Self.chicago && $0["subgroup"] as? String == "ABANDONED" })
        #expect(chicagoAbandoned["calls"] as? Int == 2 && Self.number(chicagoAbandoned["abandoned_percent"]) == 100)
        #expect(Self.number(chicagoAbandoned["median_audio_seconds"]) == 25)
        // Calls per day: the group's calls over the local days from its first call to its last.
        let berlin = try await Self.statsRows(["--by", "store", "code:DE", "--tz", "Europe/Berlin"], catalogs)
        let days = Timestamp.daysSinceEpoch(year: 2025, month: 10, day: 26) - Timestamp.daysSinceEpoch(year: 2025, month: 3, day: 30) + 1
        #expect(berlin.first?["days"] as? Int == days && abs(Self.number(berlin.first?["calls_per_day"]) - 4 / Double(days)) < 0.001)
    }

    @Test func timeGroupingsAreLocal() async throws {
        let catalogs = try await Self.catalogs()
        let chicago = ["--tz", "America/Chicago", "code:IL"]
        let hours = try await Self.statsRows(["--by", "hour"] + chicago, catalogs)
        func calls(_ rows: [[String: Any]], _ group: String) -> Int? { rows.first { $0["group"] as? String == group }?["calls"] as? Int }
        #expect(calls(hours, "1") == 3 && calls(hours, "2") == nil && calls(hours, "20") == 1, "\(hours)")
        let days = try await Self.statsRows(["--by", "day"] + chicago, catalogs)
        #expect(calls(days, "2025-03-09") == 3 && calls(days, "2025-11-02") == 3 && calls(days, "2025-02-20") == 1)
        let weekdays = try await Self.statsRows(["--by", "weekday"] + chicago, catalogs)
        #expect(weekdays.dropLast().compactMap { $0["group"] as? String } == ["mon", "thu", "sat", "sun"], "\(weekdays)")
        let weeks = try await Self.statsRows(["--by", "week,weekday"] + chicago, catalogs)
        #expect(weeks.first?["group"] as? String == "2025-02-17" && weeks.first?["subgroup"] as? String == "thu", "weeks are named by their Monday")
        let months = try await Self.statsRows(["--by", "month", "--tz", "Europe/Berlin", "code:DE"], catalogs)
        #expect(months.dropLast().compactMap { $0["group"] as? String } == ["2025-03", "2025-10"])
        // The table names the zone of a time grouping and fits 80 columns with two groupings.
        let table = try await Self.both(["stats", "--by", "day,store", "--tz", "America/Chicago"], catalogs)
        #expect(table.stdout.contains("DAY (America/Chicago)") && table.stdout.contains("ABANDONED %"))
        let narrow = try await CLI.run(["stats", "--archive", catalogs.archive, "--by", "store,agent"], environment: ["COLUMNS": "80"])
        for line in narrow.stdout.split(separator: "\n") { #expect(line.count <= 80, "\(line)") }
        for bad in ["store,store", "store,agent,day", "shop", "store,"] {
            let result = try await CLI.run(["stats", "--archive", catalogs.archive, "--by", bad])
            #expect(result.status == 64 && result.stderr.contains("--by"), "\(bad): \(result.stderr)")
        }
    }

    @Test func infoShowsTheLocalTimeBesideTheAPIsOwn() async throws {
        let order = try OrderID("E8ZQCJ")
        let call = try #require(CallGenerator.calls(for: order).first)
        let simulator = Simulator(options: SimulatorOptions())
        try await simulator.withRunning { api in
            let utc = try await CLI.run(["info", "E8ZQCJ", "--api-url", api], environment: ["TZ": "UTC"])
            #expect(utc.status == 0 && !utc.stdout.contains("(20"), "nothing is added in UTC")
            let chicago = try await CLI.run(["info", "E8ZQCJ", "--api-url", api, "--tz", "America/Chicago"])
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "America/Chicago")
            formatter.dateFormat = "yyyy-MM-dd HH:mm"
            let local = formatter.string(from: Date(timeIntervalSince1970: Double(call.callIn.millisecondsSince1970) / 1000))
            #expect(chicago.status == 0 && chicago.stdout.contains("(\(local) America/Chicago)\n"), "\(chicago.stdout)")
        }
    }
}
