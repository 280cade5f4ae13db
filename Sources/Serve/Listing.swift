import Catalog
import Model

/// Why a request gets no page: a bad query (400, its message shown), no such thing (404), or
/// a catalog that failed (500, with a plain message: never SQL or a stack trace).
enum WebError: Error, Sendable {
    case badRequest(String)
    case notFound
    case unavailable

    init(_ error: CatalogError) {
        self = error.isUsageError ? .badRequest(error.description) : .unavailable
    }

    var status: Int {
        switch self {
        case .badRequest: 400
        case .notFound: 404
        case .unavailable: 500
        }
    }

    var message: String {
        switch self {
        case .badRequest(let message): message
        case .notFound: "not found"
        case .unavailable: "the catalog could not answer; see the server's log"
        }
    }
}

/// A search as the page and `/api/calls` take it: `q` in the query language, `sort` as
/// `--sort` takes it, `after` a cursor, `limit` rows.
struct Listing: Sendable {
    let text: String
    let sort: String?
    let after: String?
    let limit: Int
    let query: CatalogQuery

    static let maxLimit = 500

    init(_ fields: FormFields, defaultLimit: Int, zones: CallZones) throws(WebError) {
        text = fields["q"] ?? ""
        sort = fields["sort"].flatMap { $0.isEmpty ? nil : $0 }
        after = fields["after"].flatMap { $0.isEmpty ? nil : $0 }
        if let raw = fields["limit"], !raw.isEmpty {
            guard let number = Int(raw), (1...Self.maxLimit).contains(number) else {
                throw .badRequest("limit must be a whole number from 1 to \(Self.maxLimit); got \(raw.prefix(40))")
            }
            limit = number
        } else {
            limit = defaultLimit
        }
        do {
            query = try CatalogQuery(words: QueryWords.split(text), sort: sort, zones: zones)
        } catch {
            throw WebError(error)
        }
    }

    /// The rows of this page, and the cursor of the next one when there are more.
    func page(_ catalog: any Catalog) async throws(WebError) -> (records: [CallRecord], next: Cursor?) {
        var paged = query
        if let after {
            guard let cursor = Cursor(token: after, order: query.order) else {
                throw .badRequest("after: not a cursor of this listing (cursors come from a page's next link, for the same sort)")
            }
            paged = paged.resuming(after: cursor.values)
        }
        do {
            var records = try await catalog.records(paged.limited(to: limit + 1))
            guard records.count > limit else { return (records, nil) }
            records.removeLast(records.count - limit)
            return (records, records.last.map { Cursor(after: $0, order: query.order) })
        } catch {
            throw WebError(error)
        }
    }
}
