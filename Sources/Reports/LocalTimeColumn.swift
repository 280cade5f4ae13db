import Model

/// The `call_in_local` column (docs/query.md, "Local time"): `call_in_time` in the chosen
/// zones, with its offset. The catalog does not store it; it is made from `call_in_time` and
/// `store_code` as rows are written.
public struct LocalTimeColumn: Sendable {
    public static let name = "call_in_local"

    /// The columns written, in order.
    public let columns: [String]
    /// The columns to ask the catalog for: `columns` without `call_in_local`, then
    /// `call_in_time` and `store_code` when they are needed and not there.
    public let fetched: [String]
    private let formatter: LocalTimeFormatter
    private let sources: [Int?]
    private let time: Int
    private let store: Int

    public init(columns: [String], zones: CallZones) {
        self.columns = columns
        formatter = LocalTimeFormatter(zones)
        var fetched = columns.filter { $0 != Self.name }
        for needed in ["call_in_time", "store_code"] where columns.contains(Self.name) && !fetched.contains(needed) {
            fetched.append(needed)
        }
        self.fetched = fetched
        sources = columns.map { fetched.firstIndex(of: $0) }
        time = fetched.firstIndex(of: "call_in_time") ?? -1
        store = fetched.firstIndex(of: "store_code") ?? -1
    }

    /// The written values from the values of `fetched`.
    public func values(_ fetchedValues: [FieldValue]) -> [FieldValue] {
        guard columns.count != fetched.count || sources.contains(nil) else { return fetchedValues }
        return sources.map { index in
            if let index { return fetchedValues[index] }
            guard time >= 0, case .text(let text) = fetchedValues[time] else { return .null }
            let code: String? = if store >= 0, case .text(let code) = fetchedValues[store] { code } else { nil }
            return formatter.iso8601(text, storeCode: code).map(FieldValue.text) ?? .null
        }
    }

    /// The written values of a record.
    public func values(_ record: CallRecord) -> [FieldValue] {
        values(fetched.map { record.value(ofColumn: $0) ?? .null })
    }
}
