import Catalog
import Dispatch
import Model

/// The query language (docs/contract.md §5). Properties: every word list is either refused with a
/// query error or runs in SQLite without an error; a word and its negation (`-word`) split the
/// catalog into two disjoint halves; no query changes a row.
struct QueryTarget: FuzzTarget {
    let name = "query"
    let catalog: any Catalog
    let allIDs: Set<String>

    struct Input {
        var words: [String]
        var sort: String?
        var limit: Int?
        var checkComplement: Bool
    }

    init() throws {
        catalog = try SQLiteCatalog.inMemory()
        let stores = ["MI-001 Jet's Pizza", "OH-002 \"Quoted\", Inc.", "=SUM(A1)", "línea\nnueva", "100% _real_ \\ store", ""]
        let agents = ["Jorina Blanche", "O'Neill", "Zoë", "", "-dash"]
        var records: [CallRecord] = []
        for n in 0..<60 {
            let info = CallInfo(
                storeName: stores[n % stores.count], agentName: agents[n % agents.count],
                callStatus: ["COMPLETED", "ABANDONED", ""][n % 3],
                callInTime: "202\(4 + n % 2)-0\(1 + n % 9)-1\(n % 10)T12:00:00.000Z", callOutTime: "",
                recordingURL: "", callSID: "CA\(n)", rawJSON: "{}"
            )
            var record = CallRecord(
                order: try OrderID("Q\(1000 + n)"), callIndex: 1 + n % 2, info: info,
                verdict: Verdict.allCases[n % Verdict.allCases.count], detail: "detail \(n)"
            )
            if n % 3 != 0 {
                record.audioSeconds = Double(n) * 1.5
                record.fileSize = Int64(n * 4000)
                record.frames = n * 10
            }
            records.append(record)
        }
        let catalog = catalog, saved = records
        try blocking { try await catalog.save(saved) }
        allIDs = Set(records.map { "\($0.orderID)-\($0.callIndex)" })
    }

    static let fields = [
        "store", "agent", "status", "order", "sid", "verdict", "code", "detail", "duration", "length",
        "frames", "attempts", "size", "date", "STORE", "Date", "colour", "store_name", "stóre", "_", "",
    ]
    static let fragments = [
        "=", ",", "..", ">", ">=", "<", "<=", "%", "_", "\\", "'", "\"", "*", "(", ")", "NEAR", "AND", "OR",
        "NOT", "^", "-", ":", "1", "1.5", "2K", "1.5M", "10G", "1e309", "nan", "inf", "-0", "0x10", "2025",
        "2025-02", "2025-02-29", "2024-02-29", "0000-01-01", "9999-12", "2025-13", "Jet", "jorina", "MI-001",
        "valid", "truncated", "\u{0}", "😀", " ", "'; DROP TABLE calls; --", "\") OR 1=1 --", "ÿ", "q10",
    ]
    static let sorts = ["store", "-duration", "bogus", "call_in_time,-order_id", "", "-", ",", "api_json", "date,-size"]

    func input(_ index: Int, _ random: inout InputRandom) -> Input {
        var words: [String] = []
        for _ in 0..<random.int(1..<4) {
            if random.chance(0.0001) {
                // Thousands of alternatives: more values than SQLite takes as parameters.
                words.append("store:" + (0..<random.int(1000..<40_000)).map { "s\($0)" }.joined(separator: ","))
                continue
            }
            var word = random.pick(["", "", "", "-", "^"])
            if random.chance(0.85) { word += random.pick(Self.fields) + ":" }
            for _ in 0..<random.int(0..<4) {
                word += random.chance(0.8) ? random.pick(Self.fragments) : JSONTarget.randomText(&random)
            }
            words.append(word)
        }
        return Input(
            words: words,
            sort: random.chance(0.1) ? random.pick(Self.sorts) : nil,
            limit: random.chance(0.1) ? random.int(-2..<100) : nil,
            checkComplement: words.count == 1 && !["-", "^"].contains(words[0].first) && random.chance(0.25)
        )
    }

    func check(_ input: Input) -> String? {
        let query: CatalogQuery
        do {
            query = try CatalogQuery(words: input.words, sort: input.sort, limit: input.limit)
        } catch {
            guard error.isUsageError else { return "unexpected error: \(error)" }
            return nil
        }
        do {
            let found = try ids(query)
            guard input.checkComplement, input.limit == nil, let word = input.words.first, !word.isEmpty else { return nil }
            // `-word` is the negation of `word` (a word that starts with - or ^ is one already).
            let opposite = try ids(try CatalogQuery(words: ["-" + word]))
            if !found.isDisjoint(with: opposite) || found.union(opposite) != allIDs {
                return "'\(word)' (\(found.count) rows) and its negation (\(opposite.count)) do not split \(allIDs.count) rows"
            }
            return nil
        } catch {
            return "an accepted query failed: \(error)"
        }
    }

    func ids(_ query: CatalogQuery) throws -> Set<String> {
        let catalog = catalog
        return Set(try blocking { try await catalog.records(query) }.map { "\($0.orderID)-\($0.callIndex)" })
    }

    func bytes(_ input: Input) -> [UInt8] {
        var lines = input.words
        if let sort = input.sort { lines.append("--sort \(sort)") }
        if let limit = input.limit { lines.append("--limit \(limit)") }
        return Array(lines.joined(separator: "\n").utf8)
    }

    /// After the run: the catalog still holds exactly the rows it started with.
    func rowsIntact() -> Bool {
        (try? blocking { [catalog] in try await catalog.count() }) == allIDs.count && (try? ids(CatalogQuery())) == allIDs
    }
}

/// Runs async catalog work from the harness's synchronous loop, which is the main thread, not
/// one of the cooperative pool's, so waiting here starves nothing.
func blocking<T: Sendable>(_ work: @escaping @Sendable () async throws -> T) throws -> T {
    let done = DispatchSemaphore(value: 0)
    let box = ResultBox<T>()
    Task {
        do { box.result = .success(try await work()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// The result `blocking` hands from its task to the waiting thread (the semaphore orders them).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
