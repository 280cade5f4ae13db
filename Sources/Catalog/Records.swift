import GRDB
import GRDBSQLite
import Model

/// `calls` rows to and from SQLite, by the one column list, `CallRecord.columns`.
package enum CallRows {
    /// Every column, in `CallRecord.columns` order: what `record(_:)` reads. The `.annotation`
    /// columns come from the `annotations` table (`PortableSQL.annotationColumn`).
    package static let selection = CallRecord.allColumnNames.map(expression).joined(separator: ", ")

    /// The `calls` table's own columns, in order: what a row's insert writes.
    package static let storedSelection = CallRecord.storedColumns.map(\.name).joined(separator: ", ")

    /// How a read selects the column `name`.
    package static func expression(_ name: String) -> String {
        CallRecord.column(named: name)?.role == .annotation ? PortableSQL.annotationColumn(name) : name
    }

    /// `UPDATE` of every column but the key and the searchable text, for a row whose key and
    /// searchable text are as given: the full-text and `field_values` triggers, which watch
    /// exactly those columns, do not fire.
    static let updateKeepingText: (sql: String, columns: [CallColumn]) = {
        let kept = CallRecord.columns.filter { $0.role == .key || SQLiteDialect.listedColumns.contains($0.name) }
        let written = CallRecord.storedColumns.filter { column in !kept.contains { $0.name == column.name } }
        let sql = "UPDATE calls SET " + written.map { "\($0.name) = ?" }.joined(separator: ", ")
            + " WHERE " + kept.map { "\($0.name) = ?" }.joined(separator: " AND ")
        return (sql, written + kept)
    }()

    /// `INSERT … (every column) VALUES (?, …)`, the value rows repeated `rows` times.
    static func insert(rows: Int, orIgnore: Bool = false) -> String {
        let row = "(" + Array(repeating: "?", count: CallRecord.storedColumns.count).joined(separator: ", ") + ")"
        return "INSERT \(orIgnore ? "OR IGNORE " : "")INTO calls (\(storedSelection)) VALUES "
            + Array(repeating: row, count: rows).joined(separator: ", ")
    }

    /// Insert, or replace every column of the row with the same key.
    static let upsert = insert(rows: 1) + " ON CONFLICT (order_id, call_index) DO UPDATE SET " + replaceAssignments.joined(separator: ", ")

    /// The `SET` assignments of a save's upsert: every column but the key.
    package static let replaceAssignments = CallRecord.storedColumns.filter { $0.role != .key }.map { "\($0.name) = excluded.\($0.name)" }

    /// Insert, or merge each column as its `importMerge` says (docs/import.md).
    static let importUpsert: String = insert(rows: 1) + " ON CONFLICT (order_id, call_index) DO UPDATE SET "
        + importAssignments().joined(separator: ", ")

    /// The `SET` assignments of an import's upsert: each column merged as its `importMerge`
    /// says. `existing` qualifies the stored row's columns (`calls.` where a database wants it).
    package static func importAssignments(existing: String = "") -> [String] {
        CallRecord.columns.compactMap { column -> String? in
            let name = column.name
            switch column.importMerge {
            case .keep: return nil
            case .replace: return "\(name) = excluded.\(name)"
            case .unlessNull: return "\(name) = COALESCE(excluded.\(name), \(existing)\(name))"
            case .unlessEmpty(let empty):
                let values = empty.map { "'\($0)'" }.joined(separator: ", ")
                return "\(name) = CASE WHEN excluded.\(name) IN (\(values)) THEN \(existing)\(name) ELSE excluded.\(name) END"
            case .with(let other):
                return "\(name) = CASE WHEN excluded.\(other) = '' THEN \(existing)\(name) ELSE excluded.\(name) END"
            }
        }
    }

    /// `UPDATE` of the `.verification` columns of one call.
    package static let verificationUpdate: String = {
        let columns = CallRecord.columns.filter { $0.role == .verification }.map { "\($0.name) = ?" }
        return "UPDATE calls SET \(columns.joined(separator: ", ")) WHERE order_id = ? AND call_index = ?"
    }()

    static func verificationArguments(_ record: CallRecord) -> StatementArguments {
        StatementArguments(verificationValues(record).map(\.databaseValue))
    }

    /// The values `verificationUpdate` binds: the `.verification` columns, then the key.
    package static func verificationValues(_ record: CallRecord) -> [FieldValue] {
        CallRecord.columns.filter { $0.role == .verification }.map { $0.value(in: record) }
            + [.text(record.orderID), .integer(Int64(record.callIndex))]
    }

    static func arguments(_ records: some Sequence<CallRecord>) -> StatementArguments {
        StatementArguments(records.flatMap { $0.storedValues.map(\.databaseValue) })
    }

    /// Reads the first `values.count` columns of the current row of `statement` into `values`,
    /// with SQLite's own accessors: GRDB's generic decoding took a third of an export's time,
    /// and reusing one array saves an allocation per row.
    static func read(_ statement: Statement, into values: inout [FieldValue]) {
        let raw = statement.sqliteStatement
        for index in values.indices {
            let column = Int32(index)
            switch sqlite3_column_type(raw, column) {
            case SQLITE_NULL: values[index] = .null
            case SQLITE_INTEGER: values[index] = .integer(sqlite3_column_int64(raw, column))
            case SQLITE_FLOAT: values[index] = .real(sqlite3_column_double(raw, column))
            default:
                let bytes = sqlite3_column_text(raw, column)
                let length = Int(sqlite3_column_bytes(raw, column))
                values[index] = .text(bytes.map { String(decoding: UnsafeBufferPointer(start: $0, count: length), as: UTF8.self) } ?? "")
            }
        }
    }
}

extension FieldValue {
    var databaseValue: DatabaseValue {
        switch self {
        case .null: .null
        case .text(let text): text.databaseValue
        case .integer(let number): number.databaseValue
        case .real(let number): number.databaseValue
        }
    }
}

extension DownloadAttempt: FetchableRecord, PersistableRecord {
    public static let databaseTableName = "attempts"
}
