import Catalog
import Foundation
import Hummingbird
import Model

/// The HTML pages: `/` (search), `/calls/ORDER/N` (one call), `/stats` (charts). Each builds a
/// context of plain values and renders a template; they work with scripts off.
struct Pages: Sendable {
    let catalog: any Catalog
    let pageSize: Int
    let zones: CallZones

    func add(to router: Router<BasicRequestContext>, audio: AudioRoute) {
        router.get("/") { request, _ in await self.search(FormFields(request.uri.query)) }
        router.get("stats") { request, _ in await self.stats(FormFields(request.uri.query)) }
        router.get("calls/:order/:index") { request, context in
            let order = context.parameters.get("order") ?? "", last = context.parameters.get("index") ?? ""
            do throws(WebError) {
                if last.hasSuffix(".mp3") {
                    let lookup = try CallLookup(order: order, index: String(last.dropLast(4)))
                    return try await audio.respond(lookup, request: request, context: context)
                }
                return try await self.call(CallLookup(order: order, index: last))
            } catch {
                return Self.errorPage(error)
            }
        }
    }

    static func errorPage(_ error: WebError) -> Response {
        let heading = error.status == 404 ? "Not found" : error.status == 400 ? "Bad request" : "Something went wrong"
        let message = error.status == 404 ? "There is no such call or page in this archive." : error.message
        return Responses.html(Templates.render("error", ["title": heading, "heading": heading, "message": message]), status: error.status)
    }

    static func loginPage(failed: Bool) -> String {
        Templates.render("login", ["title": "Sign in", "failed": failed])
    }

    // MARK: Search

    /// The table's columns: heading and the column its link sorts by.
    static let columns: [(label: String, column: String)] = [
        ("Time", "call_in_time"), ("Order", "order_id"), ("Store", "store_name"), ("Agent", "agent_name"),
        ("Status", "call_status"), ("Duration", "audio_seconds"), ("Verdict", "verdict"),
    ]

    func search(_ fields: FormFields) async -> Response {
        var context: [String: Any] = ["title": "Search", "onSearch": true, "q": fields["q"] ?? ""]
        if let sort = fields["sort"], !sort.isEmpty { context["sort"] = sort }
        do throws(WebError) {
            let listing = try Listing(fields, defaultLimit: pageSize, zones: zones)
            let (records, next) = try await listing.page(catalog)
            context.merge(Self.results(listing, records, next)) { $1 }
            return Responses.html(Templates.render("search", context))
        } catch {
            guard case .badRequest(let message) = error else { return Self.errorPage(error) }
            context["error"] = message
            return Responses.html(Templates.render("search", context), status: 400)
        }
    }

    private static func results(_ listing: Listing, _ records: [CallRecord], _ next: Cursor?) -> [String: Any] {
        let primary = listing.query.order.first
        let columns = Self.columns.map { label, column -> [String: Any] in
            let current = primary?.column == column && listing.sort != nil
            let descending = current && primary?.descending == true
            var cell: [String: Any] = [
                "label": label, "link": "/" + FormFields.query([("q", listing.text), ("sort", current && !descending ? "-" + column : column)]),
            ]
            if current {
                cell["ariaSort"] = descending ? "descending" : "ascending"
                cell["arrow"] = descending ? "▼" : "▲"
            }
            return cell
        }
        let first = listing.after == nil ? "first " : ""
        var context: [String: Any] = [
            "columns": columns, "rows": records.map(row),
            "csvLink": "/export.csv" + FormFields.query([("q", listing.text), ("sort", listing.sort)]),
            "summary": records.isEmpty ? "No calls match."
                : "Showing the \(first)\(records.count == 1 ? "call" : "\(records.count) calls")" + (next == nil ? "." : "; more on the next page."),
            "sortText": "by " + listing.query.order.prefix(1).map(\.description).joined(),
        ]
        if let next {
            context["nextLink"] = "/" + FormFields.query([("q", listing.text), ("sort", listing.sort), ("after", next.token)])
        }
        return context
    }

    private static func row(_ record: CallRecord) -> [String: Any] {
        [
            "time": record.callInTime ?? "", "timeText": Self.timeText(record.callInTime),
            "href": "/calls/\(record.orderID)/\(record.callIndex)", "order": record.orderID,
            "multi": record.callIndex > 1, "index": String(record.callIndex),
            "store": record.storeName, "agent": record.agentName, "status": record.callStatus,
            "duration": Self.duration(record.audioSeconds), "verdict": record.verdict.rawValue,
            "verdictText": record.verdict.rawValue.replacingOccurrences(of: "_", with: " "),
        ]
    }

    /// `2025-02-20T14:03:00Z` as `2025-02-20 14:03`.
    static func timeText(_ iso: String?) -> String {
        guard let iso, iso.count >= 16 else { return iso ?? "" }
        return iso.prefix(10) + " " + iso.dropFirst(11).prefix(5)
    }

    /// Seconds as `m:ss` (or `h:mm:ss`); empty when unknown.
    static func duration(_ seconds: Double?) -> String {
        guard let seconds, seconds.isFinite, seconds >= 0 else { return "" }
        let whole = Int(seconds.rounded())
        let (hours, minutes, rest) = (whole / 3600, whole / 60 % 60, whole % 60)
        return hours > 0 ? String(format: "%d:%02d:%02d", hours, minutes, rest) : String(format: "%d:%02d", minutes, rest)
    }
}
