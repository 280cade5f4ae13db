import Catalog
import Foundation
import Model
import Testing

/// A search with a limit first tries the head of the listing, where bare words are tested
/// against each distinct store, agent and status and against the order id instead of through
/// the full-text index (`SQLiteDialect.wordByValue`). It must answer exactly as the index does.
@Suite struct HeadSearchTests {
    /// Calls whose order ids start with the words their stores and agents hold too, so a word
    /// matches some calls by order id and others by store, agent or status, interleaved in time.
    private func interleavedRecords() throws -> [CallRecord] {
        let stores = ["MI-062 Jet's 15235 E Seven Mile", "OH-101 Crème Brûlée Café", "TX-7 Happy's Pizza_Co"]
        let agents = ["Priya Patel", "Ángel Núñez", "o'brien", "agent_monitor"]
        let orders = ["JET", "CREME", "PRIYA", "X", "ANGEL", "HAPPY"]
        return try (0..<72).map { n in
            var record = try sampleRecord("\(orders[n % orders.count])\(n)", store: stores[n % stores.count], agent: agents[n % agents.count])
            record.callStatus = ["COMPLETED", "AGENT_MONITOR_REDIRECT", "Busy"][n % 3]
            record.callInTime = String(format: "2025-01-01T%02d:%02d:00.000Z", n / 60, n % 60)
            return record
        }
    }

    @Test func headAnswersBareWordsAsTheFullTextIndexDoes() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        try await catalog.save(try interleavedRecords())
        let words: [[String]] = [
            ["jet"], ["JET1"], ["jet's"], ["creme"], ["CRÈME"], ["priya"], ["angel"], ["ángel"], ["happy"], ["x1"], ["agent_mon"],
            ["busy"], ["pizza_co"], ["-jet"], ["-priya", "-happy"], ["jet", "-x"], ["o'brien"], ["zzz"], ["-zzz"],
        ]
        for query in words {
            let everything = try await catalog.records(try CatalogQuery(words: query)).map(\.columnValues)
            for limit in [1, 2, 5, 20] {
                let head = try await catalog.records(try CatalogQuery(words: query, limit: limit)).map(\.columnValues)
                #expect(head == Array(everything.prefix(limit)), "\(query) limit \(limit)")
            }
        }
    }

    /// Filters the head tests on columns the listing index holds, on columns it does not
    /// (`duration:`), and through the annotations (`tag:`, `note:`), alone and together: the
    /// first rows of the whole search, every time.
    @Test func headAnswersEveryFilterKindAsTheWholeSearchDoes() async throws {
        let catalog = try SQLiteCatalog.inMemory()
        var records = try interleavedRecords()
        for n in records.indices { records[n].audioSeconds = Double(n % 9) * 10 }
        try await catalog.save(records)
        for (n, record) in records.enumerated() where n % 4 == 0 {
            _ = try await catalog.annotate(
                order: record.orderID, callIndex: record.callIndex,
                try AnnotationChange(add: n % 8 == 0 ? ["refund"] : ["hold"], remove: [], note: n % 3 == 0 ? "customer angry" : nil)
            )
        }
        let words: [[String]] = [
            ["tag:refund"], ["-tag:refund"], ["note:angry"], ["-note:angry", "agent:priya"], ["duration:>30"], ["-duration:>30", "jet"],
            ["tag:hold", "duration:<50", "-verdict:corrupt"], ["status:busy", "-store:jet", "tag:refund,hold"],
        ]
        // Local hours in each store's own zone read the store code (`--tz store`).
        let zones = CallZones(stores: ["MI-062": TimeZone(identifier: "America/Detroit")!], fallback: TimeZone(identifier: "Asia/Tokyo")!)
        for query in words + [["hour:9..20"], ["-hour:0..5", "tag:hold"]] {
            let everything = try await catalog.records(try CatalogQuery(words: query, zones: zones)).map(\.columnValues)
            for limit in [1, 2, 5] {
                let head = try await catalog.records(try CatalogQuery(words: query, limit: limit, zones: zones)).map(\.columnValues)
                #expect(head == Array(everything.prefix(limit)), "\(query) limit \(limit)")
            }
        }
    }
}
