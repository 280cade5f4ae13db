import GRDB
import GRDBSQLite
import Model

/// How `stats` groups calls.
public enum StatsGrouping: String, Sendable, CaseIterable {
    case store, agent, status, verdict, day, month

    var expression: String {
        switch self {
        case .store: "store_name"
        case .agent: "agent_name"
        case .status: "call_status"
        case .verdict: "verdict"
        case .day: "substr(call_in_time, 1, 10)"
        case .month: "substr(call_in_time, 1, 7)"
        }
    }
}

/// One line of `stats`: a group (or the totals) and its figures.
public struct StatsRow: Sendable, Equatable {
    public var group: String
    public var calls: Int
    public var valid: Int
    /// Calls not valid, by verdict.
    public var invalid: [String: Int]
    public var audioSeconds: Double
    public var callSeconds: Double
    /// Valid recordings under half their call's length.
    public var shortRecordings: Int

    /// Mean audio seconds over the calls that have audio.
    public var meanAudioSeconds: Double

    /// The verdicts counted apart, in docs/contract.md §6 order: every one but `valid`.
    public static let notValidVerdicts = Verdict.allCases.filter { $0 != .valid }

    /// The names of `figures`, as CSV headers and JSON keys.
    public static let figureNames = ["calls", "valid", "not_valid"] + notValidVerdicts.map(\.rawValue)
        + ["audio_seconds", "mean_audio_seconds", "call_seconds", "short_recordings"]

    /// Calls whose verdict is not `valid`.
    public var notValid: Int { invalid.values.reduce(0, +) }

    /// Every figure as a number, in `figureNames` order: what a spreadsheet adds up.
    public var figures: [FieldValue] {
        [.integer(Int64(calls)), .integer(Int64(valid)), .integer(Int64(notValid))]
            + Self.notValidVerdicts.map { .integer(Int64(invalid[$0.rawValue] ?? 0)) }
            + [.real(audioSeconds), .real(meanAudioSeconds), .real(callSeconds), .integer(Int64(shortRecordings))]
    }
}

extension Catalog {
    /// Figures per group (sorted by group) for the calls matching `query`; `grouping` nil gives
    /// the totals alone. The totals row is always last.
    public func stats(_ query: CatalogQuery, by grouping: StatsGrouping?) throws(CatalogError) -> [StatsRow] {
        let verdicts = StatsRow.notValidVerdicts
        func row(_ statement: Row, group: String, offset: Int) -> StatsRow {
            var invalid: [String: Int] = [:]
            for (index, verdict) in verdicts.enumerated() {
                let count = (statement[offset + 2 + index] as Int?) ?? 0
                if count > 0 { invalid[verdict.rawValue] = count }
            }
            let base = offset + 2 + verdicts.count
            return StatsRow(
                group: group, calls: statement[offset] ?? 0, valid: statement[offset + 1] ?? 0, invalid: invalid,
                audioSeconds: statement[base] ?? 0, callSeconds: statement[base + 1] ?? 0,
                shortRecordings: statement[base + 2] ?? 0, meanAudioSeconds: statement[base + 3] ?? 0
            )
        }
        return try read { db in
            let statements = try Self.statsStatements(query, by: grouping, in: db)
            var rows: [StatsRow] = []
            if let (sql, arguments) = statements.grouped {
                for statement in try Row.fetchAll(db, sql: sql, arguments: arguments) {
                    rows.append(row(statement, group: (statement[0] as String?) ?? "", offset: 1))
                }
            }
            if let totals = try Row.fetchOne(db, sql: statements.totals.sql, arguments: statements.totals.arguments) {
                rows.append(row(totals, group: "TOTAL", offset: 0))
            }
            return rows
        }
    }

    /// The statements `stats` runs, with their bound values written in: what the benchmarks give
    /// `sqlite3` to run, so both run exactly the same SQL.
    public func expandedStatsSQL(_ query: CatalogQuery, by grouping: StatsGrouping?) throws(CatalogError) -> [String] {
        try read { db in
            let statements = try Self.statsStatements(query, by: grouping, in: db)
            return try ([statements.grouped].compactMap { $0 } + [statements.totals]).map { try Self.expanded($0.sql, $0.arguments, in: db) }
        }
    }

    private static func statsStatements(
        _ query: CatalogQuery, by grouping: StatsGrouping?, in db: Database
    ) throws -> (grouped: (sql: String, arguments: StatementArguments)?, totals: (sql: String, arguments: StatementArguments)) {
        let verdicts = StatsRow.notValidVerdicts
        let columns = """
            COUNT(*), SUM(verdict = 'valid'), \(verdicts.map { "SUM(verdict = '\($0.rawValue)')" }.joined(separator: ", ")),
            TOTAL(audio_seconds), TOTAL(call_seconds),
            SUM(verdict = 'valid' AND verdict_detail LIKE 'short recording:%'), AVG(audio_seconds)
            """
        let (filter, arguments) = try query.whereClause(in: db)
        let grouped = grouping.map {
            (sql: "SELECT \($0.expression) AS grp, \(columns) FROM calls WHERE \(filter) GROUP BY grp ORDER BY grp", arguments: arguments)
        }
        return (grouped, (sql: "SELECT \(columns) FROM calls WHERE \(filter)", arguments: arguments))
    }

    /// `sql` with `arguments` written in as SQL literals (SQLite's `sqlite3_expanded_sql`).
    static func expanded(_ sql: String, _ arguments: StatementArguments, in db: Database) throws -> String {
        let statement = try db.makeStatement(sql: sql)
        try statement.setArguments(arguments)
        guard let text = sqlite3_expanded_sql(statement.sqliteStatement) else { return sql }
        defer { sqlite3_free(text) }
        return String(cString: text)
    }
}

extension SQLArgumentList {
    var statementArguments: StatementArguments {
        StatementArguments(values.map { value -> DatabaseValue in
            switch value {
            case .text(let text): text.databaseValue
            case .integer(let number): number.databaseValue
            case .real(let number): number.databaseValue
            }
        })
    }
}
