import Catalog
import Model
import PostgresNIO

/// `calls` rows to and from PostgreSQL, by the one column list, `CallRecord.columns`, plus the
/// `words` column the full-text search reads.
enum PostgresRows {
    /// The columns the full-text search covers, in SQLite's `calls_fts` order.
    static let wordColumns = ["store_name", "agent_name", "order_id", "call_status"]

    /// `INSERT … (every column, words) VALUES ($1, …)`, `rows` value rows.
    static func insert(rows: Int) -> String {
        let width = CallRecord.storedColumns.count + 1
        let values = (0..<rows).map { row in
            "(" + (1...width).map { row * width + $0 }.map { $0 % width == 0 ? "$\($0)::tsvector" : "$\($0)" }.joined(separator: ", ") + ")"
        }
        return "INSERT INTO calls (\(CallRows.storedSelection), words) VALUES " + values.joined(separator: ", ")
    }

    /// Insert, or replace every column (and the words) of the row with the same key.
    static let upsert = insert(rows: 1) + " ON CONFLICT (order_id, call_index) DO UPDATE SET "
        + (CallRows.replaceAssignments + ["words = excluded.words"]).joined(separator: ", ")

    /// Insert, or merge as `import` does; returns the merged row's id and texts, whose words
    /// are then written (`import` may keep a stored store or agent).
    static let importUpsert = insert(rows: 1) + " ON CONFLICT (order_id, call_index) DO UPDATE SET "
        + CallRows.importAssignments(existing: "calls.").joined(separator: ", ")
        + " RETURNING id, " + wordColumns.joined(separator: ", ")

    static let verificationUpdate = numbered(CallRows.verificationUpdate)

    /// Every stored column's value, then the words, for `insert`.
    static func values(_ record: CallRecord, words: FullTextWords) throws(CatalogError) -> [FieldValue] {
        record.storedValues + [.text(try vector(wordColumns.map { record.value(ofColumn: $0).map { String(fieldValue: $0) } ?? "" }, words: words))]
    }

    /// A `tsvector` of the texts' words (the tokenizer's, not the server's): column n's words at
    /// positions n × 4096 + 1, + 2, … so that a phrase cannot run across two columns.
    static func vector(_ texts: [String], words: FullTextWords) throws(CatalogError) -> String {
        var lexemes: [String] = []
        for (column, tokens) in try words.words(texts).enumerated() {
            for (index, token) in tokens.prefix(4095).enumerated() {
                lexemes.append(lexeme(token) + ":\(column * 4096 + index + 1)")
            }
        }
        return lexemes.joined(separator: " ")
    }

    /// A word as a quoted lexeme, cut to PostgreSQL's 2,047-byte limit at a character's edge.
    static func lexeme(_ token: String) -> String {
        var cut = Substring(token)
        while cut.utf8.count > 2046 { cut = cut.dropLast() }
        var quoted = "'"
        for scalar in cut.unicodeScalars {
            if scalar == "'" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "'"
    }

    /// `?` placeholders as `$1`, `$2`, … (the statements built from `CallRecord.columns` hold no
    /// other `?`).
    static func numbered(_ sql: String) -> String {
        var out = "", number = 0
        for character in sql {
            if character == "?" {
                number += 1
                out += "$\(number)"
            } else {
                out.append(character)
            }
        }
        return out
    }

    static func bindings(_ values: [FieldValue]) -> PostgresBindings {
        var bindings = PostgresBindings(capacity: values.count)
        for value in values {
            switch value {
            case .null: bindings.appendNull()
            case .text(let text): bindings.append(text)
            case .integer(let number): bindings.append(number)
            case .real(let number): bindings.append(number)
            }
        }
        return bindings
    }

    /// A cell as the row currency: integers, reals and text by the column's type.
    static func value(_ cell: PostgresCell) throws -> FieldValue {
        guard cell.bytes != nil else { return .null }
        switch cell.dataType {
        case .int2, .int4, .int8: return .integer(try cell.decode(Int64.self))
        case .float4, .float8: return .real(try cell.decode(Double.self))
        default: return .text(try cell.decode(String.self))
        }
    }

    // MARK: attempts

    static let insertAttempt = insertAttempts(rows: 1)

    /// `INSERT INTO attempts … VALUES …`, `rows` value rows of `TransferSQL.attemptColumns`.
    static func insertAttempts(rows: Int) -> String {
        let width = 8
        let values = (0..<rows).map { row in "(" + (1...width).map { "$\(row * width + $0)" }.joined(separator: ", ") + ")" }
        return "INSERT INTO attempts (\(TransferSQL.attemptColumns)) VALUES " + values.joined(separator: ", ")
    }
}
