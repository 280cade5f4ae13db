import Foundation

/// A row of the `stores` table: a store code (`MI-062`, as `store_code`), its name and its
/// IANA time zone (empty when not known).
public struct Store: Sendable, Equatable {
    public var code: String
    public var name: String
    public var timeZone: String

    public init(code: String, name: String = "", timeZone: String = "") {
        self.code = code
        self.name = name
        self.timeZone = timeZone
    }
}

/// Reads a stores file (`stores import`): CSV with a header naming `code`, `name` and
/// `time_zone` (also `timezone`, `tz`, `zone`) in any order; other columns are ignored.
public enum StoreList {
    /// What a file held: the good stores, and one message per bad line (`FILE:LINE: …`).
    public struct Parsed: Sendable {
        public var stores: [Store] = []
        public var problems: [String] = []
    }

    /// A file that cannot be read as a stores file at all.
    public struct Unusable: Error, Sendable, CustomStringConvertible {
        public let description: String
    }

    static let zoneHeaders: Set<String> = ["time_zone", "timezone", "tz", "zone", "time zone"]

    public static func parse(_ text: String, file: String) throws(Unusable) -> Parsed {
        let records = Array(CSVRows(text: text))
        guard let header = records.first?.cells.map({ $0.trimmingCharacters(in: .whitespaces).lowercased() }),
              let codeColumn = header.firstIndex(of: "code"), let zoneColumn = header.firstIndex(where: zoneHeaders.contains)
        else {
            throw Unusable(description: "\(file):1: the header must name the columns code, name and time_zone")
        }
        let nameColumn = header.firstIndex(of: "name")
        var parsed = Parsed()
        var seen: [String: Int] = [:]
        for record in records.dropFirst() {
            func field(_ index: Int?) -> String {
                guard let index, index < record.cells.count else { return "" }
                return record.cells[index].trimmingCharacters(in: .whitespaces)
            }
            let where_ = "\(file):\(record.line)"
            let (code, zone) = (field(codeColumn).uppercased(), field(zoneColumn))
            if code.isEmpty {
                parsed.problems.append("\(where_): no store code")
            } else if !zone.isEmpty, ZoneNames.zone(named: zone) == nil {
                parsed.problems.append("\(where_): unknown time zone \"\(zone)\"; use an IANA name such as America/Chicago")
            } else if let first = seen[code] {
                parsed.problems.append("\(where_): store \(code) is already on line \(first)")
            } else {
                seen[code] = record.line
                parsed.stores.append(Store(code: code, name: field(nameColumn), timeZone: zone))
            }
        }
        return parsed
    }
}
