import Foundation
import Model

/// A part of a call's local time that `hour:`, `weekday:`, `time:` and (with `--tz store`)
/// `date:` compare.
public enum LocalPart: String, Sendable, Equatable {
    /// Local days since 1970-01-01.
    case day
    /// 0 to 23.
    case hour
    /// 1 (Monday) to 7 (Sunday), as ISO 8601 numbers them.
    case weekday
    /// Minute of the day, 0 (00:00) to 1439 (23:59).
    case minute = "time"

    /// A value as a user writes it: `fri`, `18:30`, `2025-02-20`, `18`.
    func text(_ value: Int) -> String {
        switch self {
        case .weekday where bounds.contains(value): String(LocalTimeFields.weekdays[value - 1].prefix(3))
        case .minute: String(format: "%02d:%02d", value / 60, value % 60)
        case .day: String(Timestamp(millisecondsSince1970: Int64(value) * 86_400_000).iso8601.prefix(10))
        default: String(value)
        }
    }

    var bounds: ClosedRange<Int> {
        switch self {
        case .day: -1_000_000...10_000_000
        case .hour: 0...23
        case .weekday: 1...7
        case .minute: 0...1439
        }
    }
}

/// The query fields read in local time (docs/query.md, "Local time"): their grammar.
enum LocalTimeFields {
    static let weekdays = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]

    /// `hour:18..21`, `weekday:sat,sun`, `time:>=17:30`: alternatives split by commas, each a
    /// value, an inclusive range (`22..2` wraps past midnight, `fri..mon` past Sunday), an open
    /// range or a comparison.
    static func parse(_ part: LocalPart, _ value: String, word: String) throws(CatalogError) -> Predicate {
        var ranges: [ClosedRange<Int>] = []
        for item in value.split(separator: ",", omittingEmptySubsequences: false) {
            guard !item.isEmpty else { throw .invalidQuery(token: word, reason: "an empty alternative") }
            ranges += try alternative(part, item, word: word)
        }
        return ranges.isEmpty ? .nothing : .localTime(part, ranges: ranges)
    }

    private static func alternative(_ part: LocalPart, _ item: Substring, word: String) throws(CatalogError) -> [ClosedRange<Int>] {
        let (low, high) = (part.bounds.lowerBound, part.bounds.upperBound)
        let comparisons = [">=", "<=", ">", "<"]
        for op in comparisons where item.hasPrefix(op) {
            let value = try unit(part, item.dropFirst(op.count), word: word)
            switch op {
            case ">=": return [value...high]
            case ">": return value < high ? [(value + 1)...high] : []
            case "<=": return [low...value]
            default: return value > low ? [low...(value - 1)] : []
            }
        }
        guard let dots = item.range(of: "..") else {
            let value = try unit(part, item, word: word)
            return [value...value]
        }
        let (from, to) = (item[..<dots.lowerBound], item[dots.upperBound...])
        switch (from.isEmpty, to.isEmpty) {
        case (true, true): throw .invalidQuery(token: word, reason: "a range needs at least one end")
        case (false, true): return [try unit(part, from, word: word)...high]
        case (true, false): return [low...(try unit(part, to, word: word))]
        case (false, false):
            let (start, end) = (try unit(part, from, word: word), try unit(part, to, word: word))
            return start <= end ? [start...end] : [start...high, low...end]
        }
    }

    /// One value: an hour `0`–`23`, a weekday name (three letters or more: `fri`, `friday`),
    /// or a time `HH:MM`.
    private static func unit(_ part: LocalPart, _ text: Substring, word: String) throws(CatalogError) -> Int {
        switch part {
        case .hour:
            guard (1...2).contains(text.count), text.allSatisfy({ $0.isASCII && $0.isNumber }), let hour = Int(text), hour < 24 else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not an hour; use 0 to 23")
            }
            return hour
        case .weekday:
            let name = text.lowercased()
            guard name.count >= 3, let index = weekdays.firstIndex(where: { $0.hasPrefix(name) }) else {
                throw .invalidQuery(token: word, reason: "'\(text)' is not a weekday; use mon, tue, wed, thu, fri, sat or sun")
            }
            return index + 1
        case .minute:
            let parts = text.split(separator: ":", omittingEmptySubsequences: false)
            guard parts.count == 2, (1...2).contains(parts[0].count), parts[1].count == 2,
                  parts.allSatisfy({ $0.allSatisfy { $0.isASCII && $0.isNumber } }),
                  let hour = Int(parts[0]), let minute = Int(parts[1]), hour < 24, minute < 60
            else { throw .invalidQuery(token: word, reason: "'\(text)' is not a time; use HH:MM, 00:00 to 23:59") }
            return hour * 60 + minute
        case .day:
            throw .invalidQuery(token: word, reason: "not a field")
        }
    }

    /// A `date:` term in the query's zones: one zone turns the local days into the UTC instants
    /// they start at (the index on `call_in_time` still serves it); store zones compare each
    /// call's local day.
    static func inZones(_ predicate: Predicate, zones: CallZones) -> Predicate {
        guard case let .timeRange(column, start, end) = predicate, !zones.isUTC else { return predicate }
        func day(_ time: Timestamp) -> Int { Int(time.millisecondsSince1970 / 86_400_000) }
        guard zones.perStore else {
            return .timeRange(column: column, start: start.map { zones.start(ofLocalDay: day($0)) }, end: end.map { zones.start(ofLocalDay: day($0)) })
        }
        let bounds = LocalPart.day.bounds
        return .localTime(.day, ranges: [(start.map(day) ?? bounds.lowerBound)...(end.map { day($0) - 1 } ?? bounds.upperBound)])
    }
}

/// Local time in SQL, the same in every dialect but for the functions the dialect gives: the
/// call's UTC time as whole seconds since 1970 plus the zone's offset at that instant, the
/// offset read from a search tree over the zone's DST changes (`OffsetTable`), so DST is
/// right on every date without the database knowing any zone. With store zones, the store
/// code picks the tree. Store codes are bound; the offsets and change times are computed
/// here from the tz database (numbers and ISO times), written as literals.
package struct LocalTimeSQL {
    let zones: CallZones
    /// `call_in_time` as whole seconds since 1970 (NULL when missing).
    let epoch: String
    /// Formats local seconds as `YYYY-MM-DD` and `YYYY-MM` text.
    let dayText: (String) -> String
    let monthText: (String) -> String

    /// `Bind` binds a value and returns its placeholder.
    package typealias Bind = (FieldValue) -> String

    package init(zones: CallZones, epoch: String, dayText: @escaping (String) -> String, monthText: @escaping (String) -> String) {
        self.zones = zones
        self.epoch = epoch
        self.dayText = dayText
        self.monthText = monthText
    }

    /// Local seconds since 1970: the wall clock read as if it were UTC.
    package func seconds(_ bind: Bind) -> String {
        let groups = zones.zoneGroups
        guard groups.count > 1 else { return "(\(epoch) + \(tree(OffsetTable(groups[0].zone))))" }
        var offset = "CASE"
        for group in groups.dropFirst() {
            offset += " WHEN store_code IN (\(group.codes.map { bind(.text($0)) }.joined(separator: ", "))) THEN \(tree(OffsetTable(group.zone)))"
        }
        return "(\(epoch) + \(offset) ELSE \(tree(OffsetTable(groups[0].zone))) END)"
    }

    /// The offset at the call's time: the tree compares the stored text, whose fixed-width
    /// ISO form sorts as time does (docs/contract.md §4), so no node parses it again.
    private func tree(_ table: OffsetTable) -> String {
        func node(_ low: Int, _ high: Int) -> String {
            guard high - low > 1 else { return String(table.offsets[low]) }
            let middle = (low + high) / 2
            let start = Timestamp(millisecondsSince1970: table.starts[middle - 1] * 1000).iso8601
            return "CASE WHEN call_in_time < '\(start)' THEN \(node(low, middle)) ELSE \(node(middle, high)) END"
        }
        return node(0, table.offsets.count)
    }

    package func value(_ part: LocalPart, _ bind: Bind) -> String {
        let local = seconds(bind)
        switch part {
        case .day: return "(\(local) / 86400)"
        case .hour: return "((\(local) % 86400) / 3600)"
        case .minute: return "((\(local) % 86400) / 60)"
        case .weekday: return "(((\(local) / 86400) + 3) % 7 + 1)"
        }
    }

    /// The SQL of `Predicate.localTime`. Each use of the local time is built afresh, so its
    /// bound store codes stand where their placeholders are.
    package func condition(_ part: LocalPart, _ ranges: [ClosedRange<Int>], _ bind: Bind) -> String {
        if part == .hour || part == .weekday {
            let value = self.value(part, bind)
            let values = Set(ranges.flatMap { Array($0) }).sorted()
            return "\(value) IN (\(values.map { bind(.integer(Int64($0))) }.joined(separator: ", ")))"
        }
        let clauses = ranges.map { range in
            let value = self.value(part, bind)
            return "\(value) BETWEEN \(bind(.integer(Int64(range.lowerBound)))) AND \(bind(.integer(Int64(range.upperBound))))"
        }
        return clauses.count == 1 ? clauses[0] : "(" + clauses.joined(separator: " OR ") + ")"
    }

    /// What a `stats` grouping groups by. In UTC the day and month are cut from the stored
    /// text, as before zones existed; a week is named by its Monday.
    package func grouping(_ grouping: StatsGrouping, _ bind: Bind) -> String {
        switch grouping {
        case .store: return "store_name"
        case .agent: return "agent_name"
        case .status: return "call_status"
        case .verdict: return "verdict"
        case .day: return zones.isUTC ? "substr(call_in_time, 1, 10)" : dayText(seconds(bind))
        case .month: return zones.isUTC ? "substr(call_in_time, 1, 7)" : monthText(seconds(bind))
        case .week:
            let day = value(.day, bind)
            return dayText("((\(day) - (\(value(.day, bind)) + 3) % 7) * 86400)")
        case .hour: return value(.hour, bind)
        case .weekday: return value(.weekday, bind)
        }
    }
}
