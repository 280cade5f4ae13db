/// Why a catalog could not be used (exit 3, docs/contract.md §8), or why a query was refused (exit 64).
public enum CatalogError: Error, Sendable, CustomStringConvertible {
    case cannotOpen(path: String, reason: String)
    case notACatalog(path: String, reason: String)
    case newerSchema(path: String, unknownMigrations: [String])
    /// An SQLite catalog whose file is cut short or whose pages do not add up.
    case damaged(path: String, reason: String)
    /// A write the disk refused: full, read-only, or an I/O error.
    case cannotWrite(path: String, reason: String)
    /// The file or table that coordinates workers cannot be written.
    case cannotClaim(path: String, reason: String)
    case database(String)
    /// A query, sort or column list the user wrote is malformed (a usage error, exit 64).
    case invalidQuery(token: String, reason: String)
    /// A flag's value that only the catalog can judge (`--sort`, `--limit`): a usage error.
    case invalidOption(option: String, value: String, reason: String)

    /// A mistake in what the user wrote rather than a catalog that cannot be used.
    public var isUsageError: Bool {
        switch self {
        case .invalidQuery, .invalidOption: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason):
            "cannot open the catalog \(path): \(reason)"
        case let .notACatalog(path, reason):
            "\(path) is not a callarchive catalog (\(reason)); it was left untouched. "
                + "Point --catalog at another file, or move this one away to start a new catalog."
        case let .newerSchema(path, unknown):
            "the catalog \(path) was written by a newer callarchive (schema \(unknown.joined(separator: ", "))); "
                + "it was left untouched. Upgrade callarchive to use it."
        case let .damaged(path, reason):
            "the catalog \(path) is damaged (\(reason)); it was left as it is. Restore it from a backup, "
                + "or move it aside (with its -wal and -shm files) and rebuild it from the recordings with "
                + "`callarchive import` on the archive directory."
        case let .cannotWrite(path, reason):
            "cannot write the catalog \(path): \(reason). Free some space or fix the permissions, then run again: "
                + "downloads resume from their .part files"
        case let .cannotClaim(path, reason):
            "cannot write \(path): \(reason). Free some space or fix the permissions, then run again: "
                + "downloads resume from their .part files"
        case let .database(message):
            "catalog error: \(message)"
        case let .invalidQuery(token, reason):
            "invalid query term '\(token)': \(reason)"
        case let .invalidOption(option, value, reason):
            "\(option) '\(value)': \(reason)"
        }
    }
}
