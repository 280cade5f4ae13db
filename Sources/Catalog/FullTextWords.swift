import GRDB

/// The words of the full-text index as the SQLite catalog's FTS5 tokenizer makes them
/// (`unicode61 remove_diacritics 2 tokenchars '-_'`: folded, diacritics removed, `-` and `_`
/// kept inside words), made by SQLite itself in a private in-memory database. A catalog on
/// another database indexes and searches with these, so a bare word finds exactly the calls it
/// finds in SQLite, for every script and every diacritic.
package final class FullTextWords: Sendable {
    private let queue: DatabaseQueue

    package init() throws(CatalogError) {
        do {
            queue = try DatabaseQueue()
            try queue.write { db in
                try db.execute(sql: """
                    CREATE VIRTUAL TABLE words USING fts5(c0, c1, c2, c3, tokenize = "unicode61 remove_diacritics 2 tokenchars '-_'");
                    CREATE VIRTUAL TABLE words_instances USING fts5vocab(words, 'instance');
                    CREATE VIRTUAL TABLE probe USING fts5(value, tokenize = "unicode61 remove_diacritics 2 tokenchars '-_'");
                    """)
            }
        } catch {
            throw .database("cannot set up the full-text tokenizer: \(SQLiteCatalog.reason(error))")
        }
    }

    /// Whether the FTS5 query `match` matches each of `texts`, as it would match a column
    /// holding that text.
    package func matches(_ match: String, among texts: [String]) throws(CatalogError) -> [Bool] {
        do {
            return try queue.inDatabase { db in
                try db.inTransaction {
                    try db.execute(sql: "DELETE FROM probe")
                    let insert = try db.makeStatement(sql: "INSERT INTO probe (rowid, value) VALUES (?, ?)")
                    for (index, text) in texts.enumerated() { try insert.execute(arguments: [index, text]) }
                    return .commit
                }
                var found = Array(repeating: false, count: texts.count)
                for index in try Int.fetchAll(db, sql: "SELECT rowid FROM probe WHERE probe MATCH ?", arguments: [match]) {
                    found[index] = true
                }
                return found
            }
        } catch {
            throw .database("the full-text tokenizer failed: \(SQLiteCatalog.reason(error))")
        }
    }

    /// The words of each of up to four texts, in order.
    package func words(_ texts: [String]) throws(CatalogError) -> [[String]] {
        precondition(texts.count <= 4, "the tokenizer's table has four columns")
        let padded = texts + Array(repeating: "", count: 4 - texts.count)
        do {
            return try queue.inDatabase { db in
                // Each statement commits on its own, so the vocabulary table sees the row.
                try db.execute(sql: "DELETE FROM words")
                try db.execute(sql: "INSERT INTO words (rowid, c0, c1, c2, c3) VALUES (1, ?, ?, ?, ?)", arguments: StatementArguments(padded))
                var words = Array(repeating: [String](), count: texts.count)
                let rows = try Row.fetchCursor(db, sql: "SELECT term, col FROM words_instances ORDER BY col, \"offset\"")
                while let row = try rows.next() {
                    let column: String = row["col"]
                    if let index = Int(column.dropFirst()), index < texts.count { words[index].append(row["term"]) }
                }
                return words
            }
        } catch {
            throw .database("the full-text tokenizer failed: \(SQLiteCatalog.reason(error))")
        }
    }
}
