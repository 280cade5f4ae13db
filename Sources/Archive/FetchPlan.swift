import Catalog
import Foundation
import Model

/// What a fetch would do with one order, judged from the catalog alone (`--dry-run`): no
/// request is made and nothing is written.
public struct PlannedOrder: Sendable, Equatable {
    public enum Action: String, Sendable { case fetch, skip }
    public let order: OrderID
    public let action: Action
    /// Why, in a few words: `not catalogued`, `call 1 truncated`, `2 calls already valid`.
    public let reason: String
}

extension ArchiveLocation {
    /// True when `record` is valid and its file is there with the catalogued size: such a call
    /// is skipped without a request (docs/contract.md §2 "Skipping").
    public func holdsValidFile(_ record: CallRecord) -> Bool {
        guard record.verdict == .valid, let relative = record.filePath, let size = record.fileSize else { return false }
        var info = stat()
        return stat(path(relative), &info) == 0 && Int64(info.st_size) == size
    }

    /// The catalog when there is one to read, without creating it (or the directory); nil when
    /// the archive has no catalog yet.
    public func existingCatalogForReading() async throws(ArchiveError) -> (any Catalog)? {
        if !catalogIsURL {
            var info = stat()
            guard stat(catalogPath, &info) == 0, info.st_size > 0 else { return nil }
        }
        return try await openForReading()
    }
}

/// The plan `fetch`, `refetch` and `sync` print with `--dry-run`.
public enum FetchPlanner {
    /// Each order with what a run would do: `force` fetches everything again (refetch, `--force`).
    public static func plan(orders: [OrderID], location: ArchiveLocation, force: Bool) async throws -> [PlannedOrder] {
        guard let catalog = try await location.existingCatalogForReading() else {
            return orders.map { PlannedOrder(order: $0, action: .fetch, reason: "not catalogued") }
        }
        var plan: [PlannedOrder] = []
        for order in orders {
            plan.append(planned(order, known: try await catalog.records(order: order.rawValue), location: location, force: force))
        }
        return plan
    }

    static func planned(_ order: OrderID, known: [CallRecord], location: ArchiveLocation, force: Bool) -> PlannedOrder {
        guard !known.isEmpty else { return PlannedOrder(order: order, action: .fetch, reason: "not catalogued") }
        let calls = "\(known.count) call\(known.count == 1 ? "" : "s")"
        if let first = known.first(where: { !location.holdsValidFile($0) }) {
            let state = first.verdict == .valid ? "valid but its file is missing or changed in size" : first.verdict.rawValue
            return PlannedOrder(order: order, action: .fetch, reason: "call \(first.callIndex) \(state)")
        }
        if force { return PlannedOrder(order: order, action: .fetch, reason: "\(calls) valid, fetched again (forced)") }
        return PlannedOrder(order: order, action: .skip, reason: "\(calls) already valid")
    }
}
