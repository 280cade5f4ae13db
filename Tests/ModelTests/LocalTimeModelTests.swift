import Foundation
import Model
import Testing

/// The zone arithmetic under `--tz` (docs/query.md, "Local time"), on the 2025 DST change
/// dates, against Foundation's own calendar.
@Suite struct LocalTimeModelTests {
    static func utc(_ text: String) -> Timestamp { Timestamp(iso8601: text)! }

    @Test func localTimesCarryTheOffsetOfTheirInstant() {
        let chicago = CallZones(ZoneNames.zone(named: "America/Chicago")!)
        #expect(chicago.localISO8601(Self.utc("2025-02-21T02:00:00Z"), storeCode: nil) == "2025-02-20T20:00:00.000-06:00")
        #expect(chicago.localISO8601(Self.utc("2025-03-09T07:59:59Z"), storeCode: nil) == "2025-03-09T01:59:59.000-06:00")
        #expect(chicago.localISO8601(Self.utc("2025-03-09T08:00:00Z"), storeCode: nil) == "2025-03-09T03:00:00.000-05:00")
        #expect(chicago.localMinute(Self.utc("2025-11-02T06:30:00Z"), storeCode: nil) == "2025-11-02 01:30")
        #expect(chicago.localMinute(Self.utc("2025-11-02T07:30:00Z"), storeCode: nil) == "2025-11-02 01:30")
        let kolkata = CallZones(ZoneNames.zone(named: "Asia/Kolkata")!)
        #expect(kolkata.localISO8601(Self.utc("2025-01-01T00:00:00Z"), storeCode: nil) == "2025-01-01T05:30:00.000+05:30")
    }

    /// The export's formatter (offset tables, and the stored text itself in UTC) gives what
    /// Foundation's zone gives, every 20 minutes around each 2025 change and for stores.
    @Test func exportFormatterAgreesWithTheZone() throws {
        for name in ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "Asia/Kolkata", "UTC"] {
            let zones = CallZones(try #require(ZoneNames.zone(named: name)))
            let formatter = LocalTimeFormatter(zones)
            for day in ["2025-03-09", "2025-03-30", "2025-04-06", "2025-10-05", "2025-10-26", "2025-11-02", "1999-12-31"] {
                let start = Self.utc(day + "T00:00:00Z").millisecondsSince1970
                for step in 0..<(48 * 3) {
                    let text = Timestamp(millisecondsSince1970: start + Int64(step) * 1_200_000 + 123).iso8601
                    #expect(formatter.iso8601(text, storeCode: nil) == zones.localISO8601(Self.utc(text), storeCode: nil), "\(name) \(text)")
                }
            }
        }
        let stores = CallZones(stores: ["IL-001": ZoneNames.zone(named: "America/Chicago")!], fallback: ZoneNames.zone(named: "UTC")!)
        let formatter = LocalTimeFormatter(stores)
        #expect(formatter.iso8601("2025-02-21T02:00:00.000Z", storeCode: "IL-001") == "2025-02-20T20:00:00.000-06:00")
        #expect(formatter.iso8601("2025-02-21T02:00:00.000Z", storeCode: "MI-001") == "2025-02-21T02:00:00.000+00:00")
        #expect(formatter.iso8601("not a time", storeCode: nil) == nil)
    }

    @Test func localDaysStartWhereFoundationSays() throws {
        for name in ["America/Chicago", "Europe/Berlin", "Australia/Sydney", "UTC"] {
            let zone = try #require(ZoneNames.zone(named: name))
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            for (year, month, day) in [(2025, 3, 9), (2025, 3, 10), (2025, 3, 30), (2025, 10, 26), (2025, 11, 2), (2025, 4, 6), (2025, 10, 5)] {
                let days = Timestamp.daysSinceEpoch(year: year, month: month, day: day)
                let start = CallZones(zone).start(ofLocalDay: days)
                let expected = calendar.startOfDay(for: calendar.date(from: DateComponents(year: year, month: month, day: day, hour: 12))!)
                #expect(start.millisecondsSince1970 == Int64(expected.timeIntervalSince1970 * 1000), "\(name) \(year)-\(month)-\(day)")
            }
        }
    }

    @Test func offsetTablesFollowTheZone() throws {
        let zone = try #require(ZoneNames.zone(named: "Europe/Berlin"))
        let table = OffsetTable(zone)
        #expect(table.offsets.count == table.starts.count + 1 && table.starts == table.starts.sorted())
        for start in table.starts.prefix(200) {
            let instant = Date(timeIntervalSince1970: TimeInterval(start))
            let index = table.starts.firstIndex(of: start)! + 1
            #expect(table.offsets[index] == zone.secondsFromGMT(for: instant))
            #expect(table.offsets[index - 1] == zone.secondsFromGMT(for: instant.addingTimeInterval(-1)))
        }
        #expect(OffsetTable(try #require(ZoneNames.zone(named: "UTC"))).offsets == [0])
        #expect(CallZones.utc.isUTC && !CallZones(zone).isUTC)
    }

    @Test func zoneNamesAreIANANames() {
        #expect(ZoneNames.zone(named: "America/Chicago") != nil && ZoneNames.zone(named: "UTC") != nil)
        for bad in ["America/Chicgo", "CST", "", "+05:00", "../etc/passwd", "store"] {
            #expect(ZoneNames.zone(named: bad) == nil, "\(bad)")
        }
        #expect(ZoneNames.machineZone(environment: ["TZ": "Europe/Berlin"]).identifier == "Europe/Berlin")
        #expect(ZoneNames.machineZone(environment: ["TZ": ":America/Chicago"]).identifier == "America/Chicago")
        #expect(ZoneNames.machineZone(environment: ["TZ": "/usr/share/zoneinfo/Asia/Tokyo"]).identifier == "Asia/Tokyo")
        #expect(ZoneNames.name(of: ZoneNames.zone(named: "UTC")!) == "UTC")
    }

    @Test func storeFilesAreReadByHeaderName() throws {
        let parsed = try StoreList.parse("\u{FEFF}Name,TZ,Code,extra\r\n\"A, \"\"B\"\"\",America/Chicago,il-007,x\r\n\r\nC,,OH-002,\n", file: "s.csv")
        #expect(parsed.stores == [Store(code: "IL-007", name: "A, \"B\"", timeZone: "America/Chicago"), Store(code: "OH-002", name: "C", timeZone: "")])
        #expect(parsed.problems.isEmpty)
        #expect(throws: StoreList.Unusable.self) { try StoreList.parse("name,zone\nA,UTC\n", file: "s.csv") }
        #expect(throws: StoreList.Unusable.self) { try StoreList.parse("", file: "s.csv") }
        let multiline = try StoreList.parse("code,name,zone\nA-1,\"two\nlines\",UTC\nB-2,b,Nowhere/Zone\n", file: "s.csv")
        #expect(multiline.problems == ["s.csv:4: unknown time zone \"Nowhere/Zone\"; use an IANA name such as America/Chicago"])
    }
}
