/// Why a file could not be checked at all (as opposed to a file judged damaged).
public enum AudioCheckError: Error, Sendable, CustomStringConvertible {
    case cannotRead(path: String, reason: String)
    case decoder(String)

    public var description: String {
        switch self {
        case let .cannotRead(path, reason): "cannot read \(path): \(reason)"
        case let .decoder(message): "libmpg123: \(message)"
        }
    }
}
