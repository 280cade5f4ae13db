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
}
