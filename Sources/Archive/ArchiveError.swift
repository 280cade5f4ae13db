import Catalog

/// Why the archive cannot be used at all (exit 3), as opposed to one call failing.
public enum ArchiveError: Error, Sendable, CustomStringConvertible {
    case cannotCreateDirectory(path: String, reason: String)
    case notWritable(path: String, reason: String)
    case missingDirectory(path: String)
    /// The archive or its catalog is read-only for a command that records what it does.
    case readOnly(path: String, reason: String)
    case catalog(CatalogError)

    public var description: String {
        switch self {
        case let .cannotCreateDirectory(path, reason): "cannot create the archive directory \(path): \(reason)"
        case let .notWritable(path, reason):
            "cannot write \(path): \(reason). Free some space or fix the permissions, then run again: "
                + "downloads resume from their .part files"
        case let .missingDirectory(path):
            "the archive directory \(path) does not exist (is the volume mounted?); nothing was changed"
        case let .readOnly(path, reason):
            "cannot write \(path): \(reason). This command records its results in the catalog, so it needs write "
                + "access; search, stats and export work on a read-only archive"
        case let .catalog(error): error.description
        }
    }
}
