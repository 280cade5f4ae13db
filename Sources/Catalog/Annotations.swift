import Model

/// SQL for the `annotations` table (tags and notes, sqlite 0006 / postgres 0003) that reads the
/// same in both dialects.
extension PortableSQL {
    /// The call's row of `annotations`, joined to the `calls` row being read.
    static let annotationOfCall = "annotations a WHERE a.order_id = calls.order_id AND a.call_index = calls.call_index"

    /// The `tags` or `notes` column as a read selects it: empty text for a call with neither.
    package static func annotationColumn(_ name: String) -> String {
        "COALESCE((SELECT a.\(name) FROM \(annotationOfCall)), '')"
    }

    /// True when the call's annotations meet `condition` (over `a.tags`, `a.notes`).
    package static func annotated(_ condition: String) -> String {
        "EXISTS (SELECT 1 FROM \(annotationOfCall) AND (\(condition)))"
    }

    /// The call's tags padded with a space each side, so a whole name matches `% name %`.
    package static let paddedTags = "(' ' || a.tags || ' ')"

    /// `LIKE` patterns that match a tag name among the padded tags.
    package static func tagPatterns(_ names: [String]) -> [String] {
        names.map { containsPattern(" \($0) ") }
    }

    /// Inserts a call's annotations or replaces them: order id, call index, tags, notes, time.
    package static let annotationUpsert = "INSERT INTO annotations (order_id, call_index, tags, notes, updated_at) VALUES (?, ?, ?, ?, ?) "
        + "ON CONFLICT (order_id, call_index) DO UPDATE SET tags = excluded.tags, notes = excluded.notes, updated_at = excluded.updated_at"
}
