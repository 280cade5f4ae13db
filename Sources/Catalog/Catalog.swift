import Model

/// What every part of callarchive needs from a catalog: the pipelines save calls and their
/// attempts and claim calls between concurrent workers; reports read calls by key, stream a
/// query's rows and compute stats. One row per call, keyed by `(order_id, call_index)`
/// (docs/contract.md §4); queries are `CatalogQuery` values, which each catalog renders in its
/// own SQL dialect.
///
/// Every method is `async`: a catalog waits on locks, disks and (later) networks, and does so
/// off the cooperative thread pool, so a busy catalog never stalls the downloads. The shape
/// follows GRDB's `DatabaseReader`/`DatabaseWriter` (reads and short write transactions) and
/// Hummingbird's `PersistDriver` (a small async key-value surface a web handler can hold).
/// `SQLiteCatalog` is the first implementation.
public protocol Catalog: Sendable {
    /// Identifiers of the migrations applied to this catalog, in order.
    func appliedMigrations() async throws(CatalogError) -> [String]

    // MARK: Writes

    /// Inserts the call, or replaces the row with the same order id and call index, and adds
    /// `attempts`: one short transaction.
    func save(_ record: CallRecord, attempts: [DownloadAttempt]) async throws(CatalogError)

    /// Saves many calls in one transaction (benchmarks, tests).
    func save(_ records: [CallRecord]) async throws(CatalogError)

    /// Inserts the calls that have no row yet, leaving existing rows alone (so an interrupted
    /// run leaves them visible as not done).
    func insertMissing(_ records: [CallRecord]) async throws(CatalogError)

    /// Writes what a verification found (the `.verification` columns of `CallRecord.columns`)
    /// and nothing else: a fetch that saved the row meanwhile keeps its own columns.
    func saveVerification(_ record: CallRecord) async throws(CatalogError)

    /// Writes what `import` learned about a call (docs/import.md): a new call gets the whole
    /// row; an existing one merges each column as its `importMerge` says.
    func saveImported(_ record: CallRecord) async throws(CatalogError)

    /// Adds and removes tags on a call and appends a note (`callarchive tag`), in one
    /// transaction, in the `annotations` table that no other write touches. Returns the call's
    /// tags and notes afterwards, or nil when the catalog has no such call.
    func annotate(order: String, callIndex: Int, _ change: AnnotationChange) async throws(CatalogError) -> Annotation?

    /// The kind of database (`sqlite`), for `catalog info` and messages.
    var backend: String { get }

    // MARK: Reads

    func record(order: String, callIndex: Int) async throws(CatalogError) -> CallRecord?

    /// Every call of an order, by call index.
    func records(order: String) async throws(CatalogError) -> [CallRecord]

    func attempts(order: String) async throws(CatalogError) -> [DownloadAttempt]

    func count() async throws(CatalogError) -> Int

    /// Calls `body` with each row matching `query`, in order, without loading them all
    /// (exports of any size). `body` runs while the caller waits, on the catalog's thread.
    func forEach(_ query: CatalogQuery, _ body: @escaping (CallRecord) throws -> Void) async throws(CatalogError)

    /// Calls `body` with the values of `columns` (names from `CallRecord.columns`) for each
    /// row matching `query`: the export path, with no record built.
    func forEachRow(
        _ query: CatalogQuery, columns: [String], _ body: @escaping ([FieldValue]) throws -> Void
    ) async throws(CatalogError)

    /// Figures per group (sorted by group, then subgroup) for the calls matching `query`,
    /// grouped one or two ways; no grouping gives the totals alone. The totals row (group
    /// `TOTAL`) is always last. Times are grouped in `query.zones`. `rates` adds the abandoned
    /// calls and days, and reads every call's audio seconds once more for the median and 90th
    /// percentile (all 0 without it).
    func stats(_ query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [StatsRow]

    /// The statement `search` runs for `query`, bound values written in: what the benchmarks
    /// hand the database's own shell, so both run exactly the same SQL.
    func statement(search query: CatalogQuery) async throws(CatalogError) -> String

    /// The statements `stats` runs for `query` and `groupings`, bound values written in.
    func statements(stats query: CatalogQuery, by groupings: [StatsGrouping], rates: Bool) async throws(CatalogError) -> [String]

    // MARK: Stores

    /// Adds `stores` to the `stores` table, replacing those with the same code (every other
    /// store too when `replacingAll`), in one transaction.
    func saveStores(_ stores: [Store], replacingAll: Bool) async throws(CatalogError)

    /// Every store, by code.
    func stores() async throws(CatalogError) -> [Store]

    /// The database's own consistency check: `ok` when sound.
    func integrityCheck() async throws(CatalogError) -> String

    /// Where the catalog lives, for messages (a path, or a URL without its password).
    var location: String { get }

    // MARK: Coordination

    /// How workers, in this process and others, take turns on a call: the archive at
    /// `archiveDirectory` shares its `.part` files between them.
    func claims(archiveDirectory: String) throws(CatalogError) -> any CallClaims
}

/// Exclusive, waitable claims on calls by name (`ID` or `ID-n`), so two workers never write
/// the same `.part`. A claim held by a process that dies is released.
public protocol CallClaims: Sendable {
    /// Waits until `name` is free, then holds it.
    func claim(_ name: String) async throws
    /// Lets `name` go. It does not wait: a catalog that must tell a server lets the claim's
    /// lease expire when it cannot.
    func release(_ name: String)
    /// Waits until every release so far has reached where the claims live (a server), so a
    /// run that ends leaves none of its claims behind; at once where releases are immediate.
    func settle() async
}

extension CallClaims {
    public func settle() async {}
}

extension Catalog {
    public func save(_ record: CallRecord) async throws(CatalogError) {
        try await save(record, attempts: [])
    }

    /// Rows matching `query`, loaded into memory (searches with a limit, web pages).
    public func records(_ query: CatalogQuery) async throws(CatalogError) -> [CallRecord] {
        var records: [CallRecord] = []
        try await forEach(query) { records.append($0) }
        return records
    }

    /// Every figure, grouped one way or not at all.
    public func stats(_ query: CatalogQuery, by grouping: StatsGrouping?) async throws(CatalogError) -> [StatsRow] {
        try await stats(query, by: grouping.map { [$0] } ?? [], rates: true)
    }

    public func statements(stats query: CatalogQuery, by grouping: StatsGrouping?) async throws(CatalogError) -> [String] {
        try await statements(stats: query, by: grouping.map { [$0] } ?? [], rates: true)
    }

    /// Every row.
    public func forEach(_ body: @escaping (CallRecord) throws -> Void) async throws(CatalogError) {
        try await forEach(CatalogQuery(), body)
    }
}
