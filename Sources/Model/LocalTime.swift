import Foundation

/// The time zones calls are shown and matched in (`--tz`, docs/query.md "Local time"): one
/// zone for every call, or each call's store's zone (`--tz store`), with a zone for calls
/// whose store has none.
public struct CallZones: Sendable, Equatable {
    /// The zone of every call; with `perStore`, the zone of calls whose store has none.
    public let fallback: TimeZone
    /// Store code (`store_code`) → its zone; used only when `perStore`.
    public let stores: [String: TimeZone]
    public let perStore: Bool

    public static let utc = CallZones(TimeZone(identifier: "UTC")!)

    public init(_ zone: TimeZone) {
        fallback = zone
        stores = [:]
        perStore = false
    }

    /// Each call in its store's zone; calls of other stores in `fallback`.
    public init(stores: [String: TimeZone], fallback: TimeZone) {
        self.fallback = fallback
        self.stores = stores
        perStore = true
    }

    /// How headers name the zone: its IANA name, or `store`.
    public var label: String { perStore ? "store" : ZoneNames.name(of: fallback) }

    /// True when every local time is the UTC time (one zone, always offset 0).
    public var isUTC: Bool {
        !perStore && OffsetTable(fallback).offsets == [0]
    }

    public func zone(storeCode: String?) -> TimeZone {
        guard perStore, let storeCode, let zone = stores[storeCode] else { return fallback }
        return zone
    }

    /// The zones in use, each with the store codes that use it (none for the fallback), in a
    /// fixed order: the fallback first, then by name.
    public var zoneGroups: [(zone: TimeZone, codes: [String])] {
        guard perStore else { return [(fallback, [])] }
        var byZone: [String: [String]] = [:]
        for (code, zone) in stores where zone.identifier != fallback.identifier {
            byZone[zone.identifier, default: []].append(code)
        }
        return [(fallback, [])] + byZone.keys.sorted().map { (TimeZone(identifier: $0)!, byZone[$0]!.sorted()) }
    }

    /// `time` as a local ISO 8601 time with its offset, `2025-02-20T20:00:00.000-06:00`.
    public func localISO8601(_ time: Timestamp, storeCode: String?) -> String {
        Self.iso8601(time, offset: zone(storeCode: storeCode).secondsFromGMT(for: time.date))
    }

    /// `time` at `offset` seconds from UTC, with that offset: `2025-02-20T20:00:00.000-06:00`.
    static func iso8601(_ time: Timestamp, offset: Int) -> String {
        let local = Timestamp(millisecondsSince1970: time.millisecondsSince1970 + Int64(offset) * 1000).iso8601
        let minutes = abs(offset) / 60
        let sign = offset < 0 ? "-" : "+"
        return String(local.dropLast()) + sign + Self.two(minutes / 60) + ":" + Self.two(minutes % 60)
    }

    /// `time` as a table shows it: `2025-02-20 20:00`, local.
    public func localMinute(_ time: Timestamp, storeCode: String?) -> String {
        let text = localISO8601(time, storeCode: storeCode)
        return String(text.prefix(16).map { $0 == "T" ? " " : $0 })
    }

    /// The first instant of a local day (days since 1970-01-01) in the single zone; a day
    /// whose midnight falls in a DST gap starts when the clock jumps (Foundation's rule).
    public func start(ofLocalDay day: Int) -> Timestamp {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = fallback
        let (year, month, dayOfMonth) = Timestamp.civil(daysSinceEpoch: day)
        guard let date = calendar.date(from: DateComponents(year: year, month: month, day: dayOfMonth)) else {
            return Timestamp(millisecondsSince1970: Int64(day) * 86_400_000)
        }
        return Timestamp(millisecondsSince1970: Int64((date.timeIntervalSince1970 * 1000).rounded()))
    }

    private static func two(_ number: Int) -> String { number < 10 ? "0\(number)" : String(number) }
}

/// Local ISO 8601 times for many rows (an export's `call_in_local`): each zone's offsets are
/// looked up once, so a row costs a table search instead of a Foundation time zone query, and
/// a UTC time in UTC is the stored text with `+00:00`.
public struct LocalTimeFormatter: Sendable {
    private let zones: CallZones
    private let fallback: OffsetTable
    private let stores: [String: OffsetTable]

    public init(_ zones: CallZones) {
        self.zones = zones
        fallback = OffsetTable(zones.fallback)
        stores = zones.perStore ? zones.stores.mapValues(OffsetTable.init) : [:]
    }

    /// The local time of the stored UTC text `text`; nil when it is not a time.
    public func iso8601(_ text: String, storeCode: String?) -> String? {
        let table = storeCode.flatMap { stores[$0] } ?? fallback
        // The catalog stores times in one fixed-width form, `2025-02-20T22:52:34.000Z`.
        if table.offsets == [0], text.utf8.count == 24, text.hasSuffix("Z") {
            return text.dropLast() + "+00:00"
        }
        guard let time = Timestamp(iso8601: text) else { return nil }
        return CallZones.iso8601(time, offset: table.offset(at: time.millisecondsSince1970 / 1000))
    }
}

/// A zone's UTC offsets from 1970 to 2100: `offsets[0]` before `starts[0]`, `offsets[i + 1]`
/// from `starts[i]` on (seconds since 1970, UTC).
public struct OffsetTable: Sendable, Equatable {
    public let starts: [Int64]
    public let offsets: [Int]

    /// The offset at `second` (since 1970, UTC).
    public func offset(at second: Int64) -> Int {
        var low = 0, high = starts.count
        while low < high {
            let middle = (low + high) / 2
            if starts[middle] <= second { low = middle + 1 } else { high = middle }
        }
        return offsets[low]
    }

    public init(_ zone: TimeZone) {
        var date = Date(timeIntervalSince1970: 0)
        let end = Date(timeIntervalSince1970: 4_102_444_800)  // 2100-01-01
        var starts: [Int64] = []
        var offsets = [zone.secondsFromGMT(for: date)]
        while let next = zone.nextDaylightSavingTimeTransition(after: date), next < end {
            let offset = zone.secondsFromGMT(for: next)
            if offset != offsets.last {
                starts.append(Int64(next.timeIntervalSince1970.rounded()))
                offsets.append(offset)
            }
            date = next
        }
        self.starts = starts
        self.offsets = offsets
    }
}

/// Reads `--tz` values and the machine's zone.
public enum ZoneNames {
    /// The zone's IANA name; UTC as `UTC` (Foundation calls it `GMT`).
    public static func name(of zone: TimeZone) -> String {
        ["GMT", "Etc/UTC", "Etc/GMT"].contains(zone.identifier) ? "UTC" : zone.identifier
    }

    /// An IANA zone name (`America/Chicago`, `UTC`); nil when unknown. Foundation's list of
    /// known names lacks some current names (`Asia/Kolkata` beside `Asia/Calcutta`), so an
    /// `Area/Location` name it can load counts too; an abbreviation such as `CST` does not.
    public static func zone(named name: String) -> TimeZone? {
        let known = TimeZone.knownTimeZoneIdentifiers.contains(name) || ["UTC", "GMT", "Etc/UTC"].contains(name)
        let shaped = name.contains("/") && !name.contains("..") && name.allSatisfy { $0.isASCII && !$0.isWhitespace }
        guard known || shaped, let zone = TimeZone(identifier: name) else { return nil }
        return zone
    }

    /// The machine's zone, as `date` finds it: `TZ` (a name, `:name` or a zoneinfo path),
    /// then the `/etc/localtime` link; UTC when neither names a zone.
    public static func machineZone(environment: [String: String] = ProcessInfo.processInfo.environment) -> TimeZone {
        if let tz = environment["TZ"], !tz.isEmpty {
            var name = tz.hasPrefix(":") ? String(tz.dropFirst()) : tz
            if let range = name.range(of: "zoneinfo/") { name = String(name[range.upperBound...]) }
            return zone(named: name) ?? TimeZone(identifier: name) ?? TimeZone(identifier: "UTC")!
        }
        if let target = try? FileManager.default.destinationOfSymbolicLink(atPath: "/etc/localtime"),
           let range = target.range(of: "zoneinfo/"), let zone = zone(named: String(target[range.upperBound...]))
        {
            return zone
        }
        return TimeZone.current
    }
}

extension Timestamp {
    /// The same instant as a Foundation `Date`.
    public var date: Date { Date(timeIntervalSince1970: TimeInterval(millisecondsSince1970) / 1000) }
}
