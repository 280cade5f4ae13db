import Catalog
import Model

/// What `refetch` fetches again (docs/contract.md §3): every order with a call that matches
/// the query and is not valid, once each, in listing order.
public enum RefetchSelection {
    /// The user's query words, restricted to calls that are not valid. Calls pruned on purpose
    /// (`prune`) are left alone unless a word names the verdict `pruned`.
    public static func query(_ words: [String]) throws(CatalogError) -> CatalogQuery {
        try CatalogQuery(words: self.words(words))
    }

    /// The user's query words and those that leave out valid calls and, unless a word names
    /// the verdict `pruned`, pruned ones.
    public static func words(_ words: [String]) -> [String] {
        let namesPruned = words.contains { $0.lowercased().contains(Verdict.pruned.rawValue) }
        return words + ["-verdict:=valid"] + (namesPruned ? [] : ["-verdict:=pruned"])
    }

    /// The orders, and the catalogued order ids that are not valid ids (reported, not fetched).
    public static func orders(
        _ query: CatalogQuery, in catalog: any Catalog
    ) async throws -> (orders: [OrderID], unreadable: [ModelError]) {
        var seen = Set<String>()
        var orders: [OrderID] = []
        var unreadable: [ModelError] = []
        try await catalog.forEach(query) { record in
            guard seen.insert(record.orderID).inserted else { return }
            do throws(ModelError) {
                orders.append(try OrderID(record.orderID))
            } catch {
                unreadable.append(error)
            }
        }
        return (orders, unreadable)
    }
}
