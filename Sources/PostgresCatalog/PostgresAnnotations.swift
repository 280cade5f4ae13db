import Catalog
import Model

/// Tags and notes on PostgreSQL: the `annotations` table (migration 0003), changed in one
/// transaction that holds the call's row, so two `tag` runs on a call do not lose a change.
extension PostgresCatalog {
    public func annotate(order: String, callIndex: Int, _ change: AnnotationChange) async throws(CatalogError) -> Annotation? {
        let key: [FieldValue] = [.text(order), .integer(Int64(callIndex))]
        return try await transaction { connection in
            var found = false
            try await Self.run("SELECT 1 FROM calls WHERE order_id = $1 AND call_index = $2 FOR UPDATE", key, on: connection) { _ in found = true }
            guard found else { return nil }
            var stored: [FieldValue] = [.text(""), .text("")]
            try await Self.run("SELECT tags, notes FROM annotations WHERE order_id = $1 AND call_index = $2", key, on: connection) { stored = $0 }
            var annotation = Annotation(storedTags: String(fieldValue: stored[0]), storedNotes: String(fieldValue: stored[1]))
            annotation.apply(change)
            let values = key + [.text(annotation.storedTags), .text(annotation.storedNotes), .text(Timestamp.now.iso8601)]
            try await Self.run(PostgresRows.numbered(PortableSQL.annotationUpsert), values, on: connection)
            return annotation
        }
    }
}
