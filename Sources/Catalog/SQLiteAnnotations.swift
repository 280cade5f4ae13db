import GRDB
import Model

/// Tags and notes on SQLite: the `annotations` table (migration 0006).
extension SQLiteCatalog {
    public func annotate(order: String, callIndex: Int, _ change: AnnotationChange) async throws(CatalogError) -> Annotation? {
        var result: Annotation?
        let key: [DatabaseValue] = [order.databaseValue, callIndex.databaseValue]
        try await write { db in
            guard try Int.fetchOne(db, sql: "SELECT 1 FROM calls WHERE order_id = ? AND call_index = ?", arguments: StatementArguments(key)) != nil else {
                return
            }
            let stored = try Row.fetchOne(db, sql: "SELECT tags, notes FROM annotations WHERE order_id = ? AND call_index = ?", arguments: StatementArguments(key))
            var annotation = Annotation(storedTags: stored?["tags"] ?? "", storedNotes: stored?["notes"] ?? "")
            annotation.apply(change)
            try db.execute(sql: PortableSQL.annotationUpsert, arguments: StatementArguments(
                key + [annotation.storedTags.databaseValue, annotation.storedNotes.databaseValue, Timestamp.now.iso8601.databaseValue]
            ))
            result = annotation
        }
        return result
    }
}
