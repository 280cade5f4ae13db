import Catalog
import Hummingbird
import Model
import NIOCore
import Reports

/// `/api/calls`, `/api/calls/ORDER/N`, `/api/stats`, `/export.csv`, `/healthz`: JSON in the
/// shape of `export --format jsonl` and `stats --format json` (docs/openapi.yaml), and the CSV
/// `export` writes, byte for byte.
struct APIRoutes: Sendable {
    let catalog: any Catalog
    let pageSize: Int
    let exportPageSize: Int
    let zones: CallZones

    private static let writer = JSONLinesWriter()

    func add(to router: Router<BasicRequestContext>) {
        router.get("api/calls") { request, _ in await self.calls(FormFields(request.uri.query)) }
        router.get("api/calls/:order/:index") { _, context in
            await self.call(context.parameters.get("order") ?? "", context.parameters.get("index") ?? "")
        }
        router.get("api/stats") { request, _ in await self.stats(FormFields(request.uri.query)) }
        router.get("export.csv") { request, _ in self.export(FormFields(request.uri.query)) }
        router.get("healthz") { _, _ in await self.health() }
    }

    /// `{"calls": [rows], "next": cursor or null}`.
    func calls(_ fields: FormFields) async -> Response {
        do throws(WebError) {
            let listing = try Listing(fields, defaultLimit: pageSize, zones: zones)
            let (records, next) = try await listing.page(catalog)
            let rows = records.map { Self.writer.object($0) }.joined(separator: ",\n")
            let nextValue = next.map { JSONText.quoted($0.token) } ?? "null"
            return Responses.json("{\"calls\":[\n" + rows + "\n],\"next\":" + nextValue + "}\n")
        } catch {
            return Responses.jsonError(error)
        }
    }

    func call(_ order: String, _ index: String) async -> Response {
        do throws(WebError) {
            let record = try await CallLookup(order: order, index: index).record(in: catalog)
            return Responses.json(Self.writer.object(record) + "\n")
        } catch {
            return Responses.jsonError(error)
        }
    }

    /// The rows `stats --format json --by BY` prints, totals last.
    func stats(_ fields: FormFields) async -> Response {
        do throws(WebError) {
            let (rows, _) = try await StatsRequest(fields, zones: zones).rows(catalog)
            let names = ["group"] + StatsRow.figureNames
            return Responses.json(JSONStyle.array(rows.map { JSONStyle.object(zip(names, [.text($0.group)] + $0.figures)) }))
        } catch {
            return Responses.jsonError(error)
        }
    }

    func health() async -> Response {
        do {
            _ = try await catalog.appliedMigrations()
            return Responses.json("{\"status\":\"ok\"}\n")
        } catch {
            return Responses.json("{\"status\":\"catalog unavailable\"}\n", status: 503)
        }
    }

    /// The CSV of `q` (and `sort`), streamed in keyset pages so a million rows never sit in memory.
    func export(_ fields: FormFields) -> Response {
        let query: CatalogQuery
        do throws(WebError) {
            query = try Listing(fields, defaultLimit: 1, zones: zones).query
        } catch {
            return Responses.text(error.message + "\n", type: "text/plain; charset=utf-8", status: error.status)
        }
        let catalog = self.catalog, chunkSize = exportPageSize
        let body = ResponseBody { writer in
            let shape = LocalTimeColumn(columns: CallRecord.columnNames + [LocalTimeColumn.name], zones: query.zones)
            let csv = CSVWriter(columns: shape.columns)
            try await writer.write(ByteBuffer(string: csv.header))
            var cursor: [FieldValue]?
            repeat {
                let (bytes, last) = try await Self.chunk(catalog, query, after: cursor, csv: csv, shape: shape, size: chunkSize)
                if !bytes.isEmpty { try await writer.write(ByteBuffer(bytes: bytes)) }
                cursor = last
            } while cursor != nil
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [
            .contentType: "text/csv; charset=utf-8", .contentDisposition: "attachment; filename=\"calls.csv\"",
        ], body: body)
    }

    /// One page of CSV lines, and the sort keys of its last row when a full page suggests more.
    private static func chunk(
        _ catalog: any Catalog, _ query: CatalogQuery, after: [FieldValue]?, csv: CSVWriter, shape: LocalTimeColumn, size: Int
    ) async throws -> ([UInt8], [FieldValue]?) {
        let columns = shape.fetched
        let keyIndexes = query.order.compactMap { columns.firstIndex(of: $0.column) }
        let paged = (after.map { query.resuming(after: $0) } ?? query).limited(to: size)
        // Only the catalog's callback touches it, one row at a time, while this function awaits.
        final class Sink {
            var bytes: [UInt8] = []
            var last: [FieldValue]?
            var count = 0
        }
        let sink = Sink()
        try await catalog.forEachRow(paged, columns: columns) { values in
            csv.append(shape.values(values), to: &sink.bytes)
            sink.last = keyIndexes.map { values[$0] }
            sink.count += 1
        }
        let more = sink.count == size && keyIndexes.count == query.order.count
        return (sink.bytes, more ? sink.last : nil)
    }
}

/// `ORDER/N` of a call's URL: a valid order id and a call index, or 404 before any lookup.
struct CallLookup: Sendable {
    let order: OrderID
    let index: Int

    init(order: String, index: String) throws(WebError) {
        guard let order = try? OrderID(order), let index = Int(index), (1...9_999).contains(index) else { throw .notFound }
        self.order = order
        self.index = index
    }

    func record(in catalog: any Catalog) async throws(WebError) -> CallRecord {
        do {
            guard let record = try await catalog.record(order: order.rawValue, callIndex: index) else { throw WebError.notFound }
            return record
        } catch let error as WebError {
            throw error
        } catch let error as CatalogError {
            throw WebError(error)
        } catch {
            throw .unavailable
        }
    }
}

/// `by` and `q` of the stats page and `/api/stats`.
struct StatsRequest: Sendable {
    let grouping: StatsGrouping?
    let query: CatalogQuery

    init(_ fields: FormFields, zones: CallZones) throws(WebError) {
        if let by = fields["by"], !by.isEmpty {
            guard let grouping = StatsGrouping(rawValue: by) else {
                throw .badRequest("by: '\(by.prefix(40))' is not a grouping; use one of " + StatsGrouping.allCases.map(\.rawValue).joined(separator: ", "))
            }
            self.grouping = grouping
        } else {
            grouping = nil
        }
        do {
            query = try CatalogQuery(words: QueryWords.split(fields["q"] ?? ""), zones: zones)
        } catch {
            throw WebError(error)
        }
    }

    func rows(_ catalog: any Catalog) async throws(WebError) -> ([StatsRow], CatalogQuery) {
        do {
            return (try await catalog.stats(query, by: grouping), query)
        } catch {
            throw WebError(error)
        }
    }
}
